// The mock driver's page table (drivers/mock): a real three-level table in
// emulated memory with 2 KiB leaves, walked by DMA and read by pte().
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { IOMMU_READ, IOMMU_WRITE } from '../../emulator/engine/core/domain.js';
import { MockPagingDomain } from '../../emulator/engine/drivers/mock/mock-paging-domain.js';
import { PTE_D, PTE_IR, PTE_IW, PTE_PR, leafAddress } from '../../emulator/engine/drivers/mock/mock-pte.js';
import { PhysMem } from '../../emulator/engine/memory/physmem.js';

const RW = IOMMU_READ | IOMMU_WRITE;

function domain(dirtyOps = false): { phys: PhysMem; d: MockPagingDomain } {
  const phys = new PhysMem();
  return { phys, d: new MockPagingDomain({}, phys, { dirtyOps, nestParent: false }) };
}

describe('mock paging domain', () => {
  it('has the selftest granule and aperture', () => {
    const { d } = domain();
    assert.equal(d.pgsizeBitmap, 2048n);
    assert.deepEqual(d.aperture, { start: 0x1000000n, last: 0x7fffffffn });
  });

  it('maps 2 KiB leaves that the walk reaches through three real tables', () => {
    const { phys, d } = domain();
    d.map(0x1000800n, 0x2_0000_0800n, 0x800n, RW);
    const out = d.translate(0x1000823n, false, true);
    assert.ok(out.ok);
    assert.equal(out.pa, 0x2_0000_0823n);
    assert.deepEqual(out.steps.map((s) => s.level), [3, 2, 1]);
    assert.equal(out.steps[0]!.table, d.root);
    // Each step's descriptor is what the table in memory holds.
    for (const s of out.steps) assert.equal(phys.load(s.table + BigInt(s.index) * 8n, 8) & ~(1n << 5n), s.descriptor & ~(1n << 5n));
    const leaf = d.pte(0x1000800n, 1)!;
    assert.equal(leaf & PTE_PR, PTE_PR);
    assert.equal(leafAddress(leaf), 0x2_0000_0800n);
    assert.equal(leaf & (PTE_IR | PTE_IW), PTE_IR | PTE_IW);
    // The neighbouring 2 KiB page is not mapped.
    assert.equal(d.iovaToPhys(0x1000000n), undefined);
    const miss = d.translate(0x1000000n, false, true);
    assert.ok(!miss.ok);
    assert.equal(miss.kind, 'translation');
    assert.equal(miss.level, 1);
  });

  it('faults at the top level where nothing was ever mapped', () => {
    const { d } = domain();
    const out = d.translate(0x40000000n, false, true);
    assert.ok(!out.ok);
    assert.equal(out.level, 3);
    assert.equal(d.pte(0x40000000n, 2), undefined);
  });

  it('checks permissions at the leaf', () => {
    const { d } = domain();
    d.map(0x1000000n, 0x2_0000_0000n, 0x800n, IOMMU_READ);
    assert.ok(d.translate(0x1000000n, false, true).ok);
    const w = d.translate(0x1000000n, true, true);
    assert.ok(!w.ok);
    assert.equal(w.kind, 'permission');
  });

  it('refuses to map over a mapping and counts what unmap removed', () => {
    const { d } = domain();
    d.map(0x1000000n, 0x2_0000_0000n, 0x1000n, RW);
    assert.throws(() => d.map(0x1000800n, 0x3_0000_0000n, 0x800n, RW), /EEXIST/);
    assert.equal(d.unmap(0x1000000n, 0x2000n), 0x1000n);
    assert.equal(d.iovaToPhys(0x1000000n), undefined);
  });

  it('sets D on writes only while dirty tracking is on, and reports per granule', () => {
    const { d } = domain(true);
    d.map(0x1000000n, 0x2_0000_0000n, 0x2000n, RW);
    d.translate(0x1000000n, true, true);
    assert.equal(d.pte(0x1000000n, 1)! & PTE_D, 0n);
    d.setDirtyTracking(true);
    d.translate(0x1000900n, true, true);
    d.translate(0x1001000n, false, true);
    assert.deepEqual(d.readAndClearDirty(0x1000000n, 0x2000n, true), [0x1000800n]);
    assert.deepEqual(d.readAndClearDirty(0x1000000n, 0x2000n, false), [0x1000800n]);
    assert.deepEqual(d.readAndClearDirty(0x1000000n, 0x2000n, false), []);
    // A query walk (update=false) leaves no trace.
    d.translate(0x1000000n, true, false);
    assert.deepEqual(d.readAndClearDirty(0x1000000n, 0x2000n, false), []);
  });

  it('enabling tracking clears stale dirty bits', () => {
    const { d } = domain(true);
    d.map(0x1000000n, 0x2_0000_0000n, 0x800n, RW);
    d.markDirty(0x1000000n);
    d.setDirtyTracking(true);
    assert.deepEqual(d.readAndClearDirty(0x1000000n, 0x800n, true), []);
  });

  it('translates every mapped granule to its own page and nothing else (property)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 0xfffff }), { minLength: 1, maxLength: 40 }), (pages) => {
        const { d } = domain();
        for (const p of pages) d.map(0x1000000n + BigInt(p) * 2048n, 0x2_0000_0000n + BigInt(p) * 4096n, 2048n, RW);
        const set = new Set(pages);
        for (const p of pages) assert.equal(d.iovaToPhys(0x1000000n + BigInt(p) * 2048n + 5n), 0x2_0000_0000n + BigInt(p) * 4096n + 5n);
        for (const p of pages) {
          if (!set.has(p + 1)) assert.equal(d.iovaToPhys(0x1000000n + BigInt(p + 1) * 2048n), undefined);
        }
        for (const p of pages) d.unmap(0x1000000n + BigInt(p) * 2048n, 2048n);
        for (const p of pages) assert.equal(d.iovaToPhys(0x1000000n + BigInt(p) * 2048n), undefined);
      }),
      { numRuns: 50 },
    );
  });
});
