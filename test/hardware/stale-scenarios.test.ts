// The stale-IOTLB scenarios do what their comments say: the late DMA is a
// stale hit that names the line of the unmap (the kernel's, or the guest's).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { it } from 'node:test';
import { createMachine, type Machine } from '../../emulator/engine/machine.js';
import { runFile } from '../../emulator/runtime/run-file.js';

const ROOT = join(__dirname, '..', '..');

function run(path: string, device: string) {
  let machine: Machine | undefined;
  const r = runFile(join(ROOT, path), { workspaceRoot: ROOT, createMachine: () => (machine = createMachine()) });
  assert.ok(r.passed);
  return machine!.lastStaleHit(device);
}

it('VT-d example: the late DMA hits the entry unmapped at line 33', () => {
  const hit = run('examples/06-stale-iotlb-vtd.iotrace', 'nic0');
  assert.equal(hit?.unmappedAt, 33);
  assert.match(hit!.message, /^stale IOTLB hit: the page was unmapped at line 33 and not invalidated/);
});

it('SMMUv3 example: the late DMA hits the entry unmapped at line 31', () => {
  const hit = run('examples/07-stale-iotlb-smmuv3.iotrace', 'dev0');
  assert.equal(hit?.unmappedAt, 31);
  assert.equal(hit?.iova, 0xff9bc000n);
});

it('VT-d nested: the guest unmapped at line 24 and did not invalidate', () => {
  const hit = run('test/hardware/traces/vtd-nested-stale.iotrace', 'nic0');
  assert.equal(hit?.unmappedAt, 24);
  assert.equal(hit?.iova, 0x10000n);
});
