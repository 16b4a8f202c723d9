// The IOTLB of each model (iommu-hardware §5): entries are filled by walks
// and removed only by invalidations. A lazy (DMA-FQ) unmap defers the flush,
// so a device that DMAs after the unmap still reaches the old page — the
// hardware uses the stale translation and the engine records that it did.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IOMMU_READ, IOMMU_WRITE } from '../../emulator/engine/core/domain.js';
import { FLUSH_QUEUE_SIZE } from '../../emulator/engine/drivers/hw-paging-domain.js';
import type { IommuOptions } from '../../emulator/engine/machine-api.js';
import { faultOf, hwMachine, read32 } from './hw-fixture.js';

const RW = IOMMU_READ | IOMMU_WRITE;

const LAZY: [string, IommuOptions][] = [
  ['smmuv3 lazy', { model: 'smmuv3', switches: ['lazy'] }],
  ['vtd (DMA-FQ by default)', { model: 'vtd' }],
];
const STRICT: [string, IommuOptions][] = [
  ['smmuv3 (strict by default)', { model: 'smmuv3' }],
  ['vtd strict', { model: 'vtd', switches: ['strict'] }],
];

describe('stale IOTLB hits', () => {
  for (const [name, opts] of LAZY) {
    it(`${name}: a DMA after a lazy unmap uses the stale entry and says so`, () => {
      const { m, page } = hwMachine(opts);
      m.kernelMap('nic0', 0x10000n, page, 0x1000n, RW);
      m.setStatementLine(7);
      const first = read32(m, 0x10040n);
      assert.ok(first.ok && first.stale === undefined);
      m.setStatementLine(9);
      assert.equal(m.kernelUnmap('nic0', 0x10000n, 0x1000n), 0x1000n);
      // The page table no longer maps it: a query without the TLB would fault...
      assert.equal(m.host.device('nic0').group.domain.translate(0x10000n, false, false).ok, true, 'queries see the IOTLB too');
      m.setStatementLine(11);
      const again = read32(m, 0x10000n);
      assert.ok(again.ok);
      assert.equal(again.value, 0xcafef00dn, 'the device still reached the old page');
      assert.equal(again.pa, page);
      assert.match(again.stale!.message, /^stale IOTLB hit: the page was unmapped at line 9 and not invalidated/);
      assert.equal(again.stale!.unmappedAt, 9);
      assert.equal(m.lastStaleHit('nic0')?.iova, 0x10000n);
      // The walk view ends with the cached leaf.
      assert.equal(m.walk('nic0', 0x10000n).at(-1)?.iotlb, 'stale-hit');
      // A page never touched before the unmap was never cached: it faults.
      assert.equal(read32(m, 0x11000n).ok, false);
    });

    it(`${name}: a remap elsewhere is shadowed by the stale entry until the flush queue drains`, () => {
      const { m, page, dma } = hwMachine(opts);
      m.kernelMap('nic0', 0x10000n, page, 0x1000n, RW);
      read32(m, 0x10000n);
      m.kernelUnmap('nic0', 0x10000n, 0x1000n);
      m.kernelMap('nic0', 0x10000n, page + 0x1000n, 0x1000n, RW);
      const r = read32(m, 0x10000n);
      assert.ok(r.ok && r.stale);
      assert.equal(r.value, 0xcafef00dn);
      assert.match(r.stale.message, /^stale IOTLB hit: the page was unmapped and not invalidated/);
      // Enough queued unmaps drain the queue (fq_flush_iotlb): the new mapping is then seen.
      for (let i = 0; i < FLUSH_QUEUE_SIZE; i++) {
        const iova = 0x100_0000n + BigInt(i) * 0x1000n;
        dma.map(iova, page, 0x1000n, RW);
        dma.unmap(iova, 0x1000n);
      }
      const fresh = read32(m, 0x10000n);
      assert.ok(fresh.ok && fresh.stale === undefined);
      assert.equal(fresh.value, 0x5eed5eedn);
    });
  }

  for (const [name, opts] of STRICT) {
    it(`${name}: the unmap invalidates, so the DMA faults`, () => {
      const { m, page } = hwMachine(opts);
      m.kernelMap('nic0', 0x10000n, page, 0x1000n, RW);
      assert.ok(read32(m, 0x10000n).ok);
      m.kernelUnmap('nic0', 0x10000n, 0x1000n);
      assert.equal(faultOf(read32(m, 0x10000n)).kind, 'translation');
    });
  }

  it('hits and misses are counted, and a permission check uses the cached rights', () => {
    const { m, page } = hwMachine({ model: 'smmuv3' });
    m.kernelMap('nic0', 0x10000n, page, 0x1000n, IOMMU_READ);
    const tlb = (m.host.device('nic0').iommu.driver as unknown as { iotlb: { hits: number; misses: number; list(): unknown[] } }).iotlb;
    read32(m, 0x10000n);
    read32(m, 0x10004n);
    assert.deepEqual([tlb.hits, tlb.misses, tlb.list().length], [1, 1, 1]);
    const f = faultOf(m.dma('nic0', { write: true, iova: 0x10000n, width: 4, value: 0n }));
    assert.equal(f.event, 0x13);
  });
});
