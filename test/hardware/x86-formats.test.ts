// Golden tests for the x86-style formats (iommu-hardware §2): the x86-64
// first stage (VT-d FS) and the VT-d second stage. Descriptor words are
// derived by hand in the comments; tables come from a fresh PhysMem
// (first frame 0x1_0000_0000, handed out in order).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { IOMMU_CACHE, IOMMU_READ, IOMMU_WRITE } from '../../emulator/engine/core/domain.js';
import { KernelError } from '../../emulator/engine/errno.js';
import { PhysMem } from '../../emulator/engine/memory/physmem.js';
import type { PtFormat } from '../../emulator/engine/pgtable/pt-format.js';
import { RadixTable } from '../../emulator/engine/pgtable/radix-table.js';
import { TablePages } from '../../emulator/engine/pgtable/table-pages.js';
import { VtdSsFormat } from '../../emulator/engine/pgtable/vtd-ss.js';
import { X86_64Format } from '../../emulator/engine/pgtable/x86-64.js';

const RW = IOMMU_READ | IOMMU_WRITE;

function table(format: PtFormat): { phys: PhysMem; pt: RadixTable } {
  const phys = new PhysMem();
  return { phys, pt: new RadixTable(format, new TablePages(phys)) };
}

function steps(pt: RadixTable, iova: bigint): [number, bigint, number, bigint][] {
  return pt.walk(iova, 1).steps.map((s) => [s.level, s.table, s.index, s.descriptor]);
}

describe('x86-64 first stage', () => {
  it('builds a 4K page through PML4, PDPT, PD and PT', () => {
    const { pt } = table(new X86_64Format(4));
    pt.map(0x1000n, 0x5000n, 0x1000n, RW);
    // Tables P|RW|U|A = 1|2|4|0x20 = 0x27. Leaf P|RW|U|A|D = 0x67. Index of 0x1000 at the PT = 1.
    assert.deepEqual(steps(pt, 0x1234n), [
      [4, 0x1_0000_0000n, 0, 0x1_0000_1027n],
      [3, 0x1_0000_1000n, 0, 0x1_0000_2027n],
      [2, 0x1_0000_2000n, 0, 0x1_0000_3027n],
      [1, 0x1_0000_3000n, 1, 0x5067n],
    ]);
    assert.equal(pt.iovaToPhys(0x1234n), 0x5234n);
  });

  it('uses PS leaves for 2M and 1G, and read-only leaves have no RW/D', () => {
    const { pt } = table(new X86_64Format(4));
    // 2M read-only at 0x20_0000: PD index 1, leaf = pa | P|U|A|PS = 0x1|0x4|0x20|0x80 = 0xa5.
    pt.map(0x20_0000n, 0x8020_0000n, 0x20_0000n, IOMMU_READ);
    assert.equal(pt.pte(0x20_0000n, 2), 0x8020_00a5n);
    // 1G RW at 1 GiB: PDPT index 1, leaf = pa | P|RW|U|A|D|PS = 0xe7.
    pt.map(0x4000_0000n, 0x1_4000_0000n, 0x4000_0000n, RW);
    assert.equal(pt.pte(0x4000_0000n, 3), 0x1_4000_00e7n);
    assert.equal(pt.pte(0x4000_0000n, 2), undefined);
    const leaf = pt.walk(0x4000_1000n, 1).steps.at(-1)!;
    assert.equal(leaf.kind, 'block');
    assert.deepEqual(leaf.fields, { address: 0x1_4000_0000n, P: 1n, RW: 1n, US: 1n, A: 1n, XD: 0n, D: 1n, PS: 1n });
  });

  it('has a fifth level with 5-level paging', () => {
    const { pt } = table(new X86_64Format(5));
    // 2^48 is PML5 index 1.
    pt.map(1n << 48n, 0x7000n, 0x1000n, RW);
    assert.deepEqual(pt.walk(1n << 48n, 1).steps.map((s) => [s.level, s.index]), [[5, 1], [4, 0], [3, 0], [2, 0], [1, 0]]);
  });

  it('refuses occupied slots (EADDRINUSE) and partial unmaps of a large page', () => {
    const { pt } = table(new X86_64Format(4));
    pt.map(0x20_0000n, 0x8020_0000n, 0x20_0000n, RW);
    assert.throws(() => pt.map(0x20_0000n, 0x1000n, 0x1000n, RW), (e: KernelError) => e.errno === 'EADDRINUSE');
    assert.equal(pt.unmap(0x20_1000n, 0x1000n), 0n);
    assert.equal(pt.unmap(0x20_0000n, 0x20_0000n), 0x20_0000n);
    // A 2M leaf cannot replace a PD entry that is a table in generic_pt.
    pt.map(0x40_0000n, 0x9000n, 0x1000n, RW);
    assert.throws(() => pt.map(0x40_0000n, 0x8000_0000n, 0x20_0000n, RW), (e: KernelError) => e.errno === 'EADDRINUSE');
  });

  it('translates what it maps (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 35n) - 1n }), fc.bigInt({ min: 0n, max: (1n << 27n) - 1n }), fc.integer({ min: 1, max: 4 }), (page, pfn, n) => {
        const { pt } = table(new X86_64Format(4));
        const iova = page << 12n;
        const pa = pfn << 12n;
        pt.map(iova, pa, BigInt(n) << 12n, RW);
        for (let i = 0n; i < BigInt(n); i++) assert.equal(pt.iovaToPhys(iova + (i << 12n) + 5n), pa + (i << 12n) + 5n);
        assert.equal(pt.unmap(iova, BigInt(n) << 12n), BigInt(n) << 12n);
        assert.equal(pt.iovaToPhys(iova), undefined);
      }),
      { numRuns: 50 },
    );
  });
});

describe('VT-d second stage', () => {
  it('builds R|W tables and SNP leaves like the debugfs sample rows', () => {
    const { pt } = table(new VtdSsFormat(4, true));
    pt.map(0x8d80_0000n, 0x8d80_0000n, 0x1000n, RW | IOMMU_CACHE);
    // Tables = next | R|W (3). Leaf = pa | SNP (1<<11) | W | R = 0x803.
    // 0x8d80_0000: PML4 0, PDPT (>>30) 2, PD (>>21)&511 = 0x6c, PT 0.
    assert.deepEqual(steps(pt, 0x8d80_0000n), [
      [4, 0x1_0000_0000n, 0, 0x1_0000_1003n],
      [3, 0x1_0000_1000n, 2, 0x1_0000_2003n],
      [2, 0x1_0000_2000n, 0x6c, 0x1_0000_3003n],
      [1, 0x1_0000_3000n, 0, 0x8d80_0803n],
    ]);
  });

  it('has no present bit: R=W=0 is not present; superpages carry PS', () => {
    const { phys, pt } = table(new VtdSsFormat(4, false));
    // 2M read-only without snoop control: pa | PS 0x80 | R = 0x81.
    pt.map(0x20_0000n, 0x4020_0000n, 0x20_0000n, IOMMU_READ | IOMMU_CACHE);
    assert.equal(pt.pte(0x20_0000n, 2), 0x4020_0081n);
    // An entry with only X (bit 2) set grants neither read nor write: invalid.
    const pd = pt.walk(0x20_0000n, 2).steps[2]!;
    phys.store(pd.table + 8n * BigInt(pd.index), 8, 0x4020_0084n);
    const w = pt.walk(0x20_0000n, 2);
    assert.equal(!w.ok && w.why, 'invalid');
    // A 2M leaf whose address bits 20:12 are not zero is reserved.
    phys.store(pd.table + 8n * BigInt(pd.index), 8, 0x4020_1083n);
    const r = pt.walk(0x20_0000n, 2);
    assert.equal(!r.ok && r.why, 'reserved');
  });

  it('3- and 5-level tables from the address width', () => {
    assert.equal(new VtdSsFormat(3, true).inputBits, 39);
    assert.equal(new VtdSsFormat(5, true).inputBits, 57);
    const { pt } = table(new VtdSsFormat(3, true));
    assert.deepEqual(pt.walk(1n << 39n, 2), { ok: false, steps: [], level: 3, why: 'range' });
  });
});
