// The debugger checkpoints by copying the machine's object graph
// (runtime/deep-clone.ts), which refuses closures and cannot see side
// tables. A machine with every nesting object must copy, and the copy must
// go on exactly as the original does.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { deepClone } from '../../emulator/runtime/deep-clone.js';
import { attachOk, errnoOf, hwptAllocOk, ioctl, mapFixed, type Machine } from '../engine/machine-harness.js';
import { FAULT_ID_VALID, faultAlloc, nestedData, out, SELFTEST_HW_QUEUE, vdeviceAllocOk, veventqAlloc, viommuAllocOk, viommuFixture } from './nesting-harness.js';

/** What the next steps observe: a page request's fields, a vEVENT, an mmap offset, ids. */
function nextSteps(m: Machine, dev: number, parent: number, fq: number, q: number): unknown {
  m.dma('m0', { write: true, iova: 0x3000000n, width: 4, value: 1n });
  const reqs = m.faultRead('iommufd', BigInt(fq), 400).map((r) => [r.grpid, r.cookie, r.addr]);
  const b = new Uint8Array(24);
  const uptr = m.userScratch(b);
  const v = out(ioctl(m, 'IOMMU_VIOMMU_ALLOC', { dev_id: dev, hwpt_id: parent, type: 0xdeadbeef, data_len: 24, data_uptr: uptr }), 'IOMMU_VIOMMU_ALLOC');
  const offset = new DataView(m.readUser(uptr, 24).buffer).getBigUint64(8, true);
  return { reqs, viommu: v.num('out_viommu_id'), offset, events: m.veventqRead('iommufd', BigInt(q), 64).events.length };
}

it('a machine with vIOMMU, vDEVICE, queues, HW queues and SVA bindings copies and replays identically', () => {
  const { m, dev, parent, viommu, ioas } = viommuFixture({ pri: true, pasidBits: 20 });
  m.declareProcess('app');
  const buf = m.declareMemory('buf', 0x1000n, {});
  mapFixed(m, ioas, buf, 0x1000n, 0x1000000n);
  viommuAllocOk(m, dev, parent, { data_len: 24, data_uptr: m.userScratch(new Uint8Array(24)) });
  const fq = faultAlloc(m);
  const q = out(veventqAlloc(m, viommu, 2), 'IOMMU_VEVENTQ_ALLOC').num('out_veventq_id');
  const n = hwptAllocOk(m, dev, viommu, { ...nestedData(m), flags: FAULT_ID_VALID, fault_id: fq.id });
  vdeviceAllocOk(m, viommu, dev, 3);
  attachOk(m, 'm0', n);
  const hwq = ioctl(m, 'IOMMU_HW_QUEUE_ALLOC', { viommu_id: viommu, type: SELFTEST_HW_QUEUE, index: 0, nesting_parent_iova: 0x1000000n, length: 0x1000n });
  assert.equal(errnoOf(hwq), 'ok');
  m.svaBind('m0', 'app');
  m.dma('m0', { write: false, iova: 0x3000000n, width: 4 });
  const copy = deepClone(m);
  assert.deepEqual(nextSteps(copy, dev, parent, fq.id, q), nextSteps(m, dev, parent, fq.id, q));
});
