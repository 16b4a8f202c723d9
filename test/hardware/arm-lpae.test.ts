// Golden tests for the Arm VMSAv8-64 tables (iommu-hardware §1): every
// descriptor word below is derived by hand from the architecture rules, the
// derivation written next to it. Tables come from a fresh PhysMem, whose
// first frame is 0x1_0000_0000 and which hands out naturally aligned blocks
// in order, so table addresses are predictable too.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IOMMU_CACHE, IOMMU_READ, IOMMU_WRITE } from '../../emulator/engine/core/domain.js';
import { KernelError } from '../../emulator/engine/errno.js';
import { PhysMem } from '../../emulator/engine/memory/physmem.js';
import { ArmLpaeFormat, lpaeGeometry, type LpaeConfig } from '../../emulator/engine/pgtable/arm-lpae.js';
import { RadixTable } from '../../emulator/engine/pgtable/radix-table.js';
import { TablePages } from '../../emulator/engine/pgtable/table-pages.js';

const RW = IOMMU_READ | IOMMU_WRITE;

function table(cfg: LpaeConfig): { phys: PhysMem; pt: RadixTable } {
  const phys = new PhysMem();
  return { phys, pt: new RadixTable(new ArmLpaeFormat(cfg), new TablePages(phys)) };
}

/** [level, table, index, descriptor] of every step of the walk. */
function steps(pt: RadixTable, iova: bigint): [number, bigint, number, bigint][] {
  return pt.walk(iova, 1).steps.map((s) => [s.level, s.table, s.index, s.descriptor]);
}

describe('Arm LPAE geometry', () => {
  it('computes start level and pgd size as io-pgtable does', () => {
    // 4K/48: levels = ceil((48-12)/9) = 4 → start L0, pgd_bits = 36 - 27 = 9.
    assert.deepEqual(lpaeGeometry({ stage: 1, granule: 4096n, ias: 48, oas: 48 }), { pageShift: 12, bitsPerLevel: 9, startLevel: 0, pgdBits: 9, concatenated: 1 });
    // 4K/39: levels = ceil(27/9) = 3 → L1 with 512 entries; 4K/32: ceil(20/9) = 3 → L1 with 2^(20-18) = 4 entries.
    assert.equal(lpaeGeometry({ stage: 1, granule: 4096n, ias: 39, oas: 48 }).startLevel, 1);
    assert.equal(lpaeGeometry({ stage: 1, granule: 4096n, ias: 32, oas: 48 }).pgdBits, 2);
    // 64K/48: levels = ceil(32/13) = 3 → L1, pgd_bits = 32 - 26 = 6 (64 entries); 64K/42: ceil(26/13) = 2 → L2.
    assert.deepEqual(lpaeGeometry({ stage: 1, granule: 65536n, ias: 48, oas: 48 }), { pageShift: 16, bitsPerLevel: 13, startLevel: 1, pgdBits: 6, concatenated: 1 });
    assert.equal(lpaeGeometry({ stage: 1, granule: 65536n, ias: 42, oas: 48 }).startLevel, 2);
    // 16K/48: levels = ceil(34/11) = 4 → L0 with 2^(34-33) = 2 entries.
    assert.deepEqual(lpaeGeometry({ stage: 1, granule: 16384n, ias: 48, oas: 48 }), { pageShift: 14, bitsPerLevel: 11, startLevel: 0, pgdBits: 1, concatenated: 1 });
  });

  it('concatenates stage-2 level-1 tables instead of a tiny level 0', () => {
    // 4K/40 stage 2: 4 levels with a 2-entry L0 (≤ 16) → start L1, pgd_bits = 1 + 9 = 10: two 4K tables.
    assert.deepEqual(lpaeGeometry({ stage: 2, granule: 4096n, ias: 40, oas: 48 }), { pageShift: 12, bitsPerLevel: 9, startLevel: 1, pgdBits: 10, concatenated: 2 });
    // 4K/48 stage 2: L0 would have 512 entries (> 16): no concatenation.
    assert.equal(lpaeGeometry({ stage: 2, granule: 4096n, ias: 48, oas: 48 }).startLevel, 0);
  });

  it('offers the page sizes io-pgtable-arm allows per granule', () => {
    assert.equal(new ArmLpaeFormat({ stage: 1, granule: 4096n, ias: 48, oas: 48 }).pgsizeBitmap, 0x4020_1000n); // 4K|2M|1G
    assert.equal(new ArmLpaeFormat({ stage: 1, granule: 16384n, ias: 48, oas: 48 }).pgsizeBitmap, 0x200_4000n); // 16K|32M
    assert.equal(new ArmLpaeFormat({ stage: 1, granule: 65536n, ias: 48, oas: 48 }).pgsizeBitmap, 0x2001_0000n); // 64K|512M
    assert.equal(new ArmLpaeFormat({ stage: 1, granule: 65536n, ias: 52, oas: 52 }).pgsizeBitmap, 0x400_2001_0000n); // + 4T
  });
});

describe('Arm LPAE stage 1, 4K granule, 48-bit input', () => {
  const cfg: LpaeConfig = { stage: 1, granule: 4096n, ias: 48, oas: 48 };

  it('builds a 4K page through four tables', () => {
    const { pt } = table(cfg);
    pt.map(0x1000_2000n, 0x1_2345_6000n, 0x1000n, RW | IOMMU_CACHE);
    // Tables in allocation order: pgd 0x1_0000_0000, then L1 ..1000, L2 ..2000, L3 ..3000.
    // Indexes of 0x1000_2000: L0 = iova>>39 = 0; L1 = iova>>30 = 0; L2 = (iova>>21)&511 = 0x80; L3 = (iova>>12)&511 = 2.
    // Table descriptors = next table | type 0b11.
    // Leaf = OA 0x1_2345_6000 | nG (1<<11) | AF (1<<10) | SH inner (3<<8) | AP[1] unpriv (1<<6)
    //        | AttrIndx 1 (cacheable, 1<<2) | page 0b11 = 0x1_2345_6000 | 0xf47.
    assert.deepEqual(steps(pt, 0x1000_2abcn), [
      [0, 0x1_0000_0000n, 0, 0x1_0000_1003n],
      [1, 0x1_0000_1000n, 0, 0x1_0000_2003n],
      [2, 0x1_0000_2000n, 0x80, 0x1_0000_3003n],
      [3, 0x1_0000_3000n, 2, 0x1_2345_6f47n],
    ]);
    assert.equal(pt.iovaToPhys(0x1000_2abcn), 0x1_2345_6abcn);
    const leaf = pt.walk(0x1000_2000n, 1).steps[3]!;
    assert.equal(leaf.kind, 'page');
    assert.deepEqual(leaf.fields, { OA: 0x1_2345_6000n, AttrIndx: 1n, NS: 0n, AP: 1n, SH: 3n, AF: 1n, nG: 1n, DBM: 0n, Contiguous: 0n, XN: 0n });
  });

  it('uses 2M and 1G blocks when IOVA, PA and size allow', () => {
    const { pt } = table(cfg);
    // 2M read-only, not cacheable: iova 0x4020_0000 → L1 index 1, L2 index (0x4020_0000>>21)&511 = 1.
    // Leaf = 0x2_0020_0000 | nG 0x800 | AF 0x400 | SH outer (2<<8) | AP[2] RO 0x80 | AP[1] 0x40 | block 0b01 = | 0xec1.
    pt.map(0x4020_0000n, 0x2_0020_0000n, 0x20_0000n, IOMMU_READ);
    assert.deepEqual(steps(pt, 0x4020_0000n), [
      [0, 0x1_0000_0000n, 0, 0x1_0000_1003n],
      [1, 0x1_0000_1000n, 1, 0x1_0000_2003n],
      [2, 0x1_0000_2000n, 1, 0x2_0020_0ec1n],
    ]);
    // 1G RW cacheable at 512 GiB: L0 index 1 (new L1 table ..3000), L1 index 0, block = 0x4000_0000 | 0xf45.
    pt.map(0x80_0000_0000n, 0x4000_0000n, 0x4000_0000n, RW | IOMMU_CACHE);
    assert.deepEqual(steps(pt, 0x80_0000_0000n), [
      [0, 0x1_0000_0000n, 1, 0x1_0000_3003n],
      [1, 0x1_0000_3000n, 0, 0x4000_0f45n],
    ]);
    assert.equal(pt.iovaToPhys(0x80_1234_5678n), 0x5234_5678n);
  });

  it('maps a mixed range as 4K pages up to the 2M boundary, then a block', () => {
    const { pt } = table(cfg);
    // [0x1f_f000, 0x40_0000) to [0x3_001f_f000, ...): one 4K page (L3 index 511), then 2M at 0x20_0000 (L2 index 1).
    pt.map(0x1f_f000n, 0x3_001f_f000n, 0x20_1000n, RW | IOMMU_CACHE);
    assert.equal(pt.pte(0x1f_f000n, 3), 0x3_001f_ff47n);
    assert.equal(pt.pte(0x20_0000n, 2), 0x3_0020_0f45n);
    assert.equal(pt.pte(0x20_0000n, 3), undefined);
  });

  it('refuses to map over a leaf and to unmap part of a block', () => {
    const { pt } = table(cfg);
    pt.map(0x20_0000n, 0x4000_0000n, 0x20_0000n, RW);
    assert.throws(() => pt.map(0x20_1000n, 0x5000_0000n, 0x1000n, RW), (e: KernelError) => e.errno === 'EEXIST');
    assert.throws(() => pt.map(0x20_0000n, 0x5000_0000n, 0x20_0000n, RW), (e: KernelError) => e.errno === 'EEXIST');
    // Unmapping 4K of a 2M block returns 0 (no split since 6.13) and leaves the block as it was.
    assert.equal(pt.unmap(0x20_1000n, 0x1000n), 0n);
    assert.equal(pt.pte(0x20_0000n, 2), 0x4000_0000n | 0xe41n);
    assert.equal(pt.unmap(0x20_0000n, 0x20_0000n), 0x20_0000n);
    assert.equal(pt.pte(0x20_0000n, 2), 0n);
  });

  it('replaces a table by a block, freeing the table for reuse', () => {
    const { phys, pt } = table(cfg);
    pt.map(0x20_3000n, 0x5000_3000n, 0x1000n, RW); // L3 table at 0x1_0000_3000
    pt.map(0x20_0000n, 0x6000_0000n, 0x20_0000n, RW);
    assert.equal(pt.pte(0x20_0000n, 2), 0x6000_0000n | 0xe41n);
    assert.equal(phys.load(0x1_0000_3000n + 3n * 8n, 8), 0n, 'the freed table is zeroed');
    // The next table allocation reuses the freed page.
    pt.map(0x40_0000n, 0x7000_0000n, 0x1000n, RW);
    assert.equal(pt.pte(0x40_0000n, 2), 0x1_0000_3003n);
  });

  it('unmapping a whole table entry clears it and frees the table below', () => {
    const { pt } = table(cfg);
    pt.map(0x1000n, 0x9000_1000n, 0x2000n, RW);
    // iommu_unmap picks 2M for the aligned 2M range: the L2 entry (a table) is cleared.
    assert.equal(pt.unmap(0n, 0x20_0000n), 0x20_0000n);
    assert.equal(pt.pte(0x1000n, 2), 0n);
    assert.equal(pt.iovaToPhys(0x1000n), undefined);
  });

  it('stops the walk at the input limit and at invalid or reserved descriptors', () => {
    const { phys, pt } = table(cfg);
    assert.deepEqual(pt.walk(1n << 48n, 1), { ok: false, steps: [], level: 0, why: 'range' });
    const w = pt.walk(0x1000n, 1);
    assert.equal(w.ok, false);
    assert.equal(!w.ok && w.why, 'invalid');
    // A block descriptor (0b01) at level 0 is illegal with the 4K granule.
    phys.store(pt.root, 8, 0x4000_0000_0001n);
    const r = pt.walk(0x1000n, 1);
    assert.equal(!r.ok && r.why, 'reserved');
    assert.equal(r.steps[0]!.kind, 'reserved');
  });
});

describe('Arm LPAE other granules and stage 2', () => {
  it('64K granule: 64K pages under a 64-entry L1 and 512M blocks', () => {
    const { pt } = table({ stage: 1, granule: 65536n, ias: 48, oas: 48 });
    // pgd (64 entries, one 4K frame) at 0x1_0000_0000; 64K tables are 64K-aligned: L2 at ..1_0000, L3 at ..2_0000.
    // 0x1234_0000: L1 = iova>>42 = 0; L2 = (iova>>29)&8191 = 0; L3 = (iova>>16)&8191 = 0x1234.
    pt.map(0x1234_0000n, 0x2_0001_0000n, 0x1_0000n, RW | IOMMU_CACHE);
    assert.deepEqual(steps(pt, 0x1234_0000n), [
      [1, 0x1_0000_0000n, 0, 0x1_0001_0003n],
      [2, 0x1_0001_0000n, 0, 0x1_0002_0003n],
      [3, 0x1_0002_0000n, 0x1234, 0x2_0001_0f47n],
    ]);
    // 512M block at 0x2000_0000: L2 index 1, = 0x4000_0000 | 0xf45.
    pt.map(0x2000_0000n, 0x4000_0000n, 0x2000_0000n, RW | IOMMU_CACHE);
    assert.equal(pt.pte(0x2000_0000n, 2), 0x4000_0f45n);
  });

  it('16K granule: a 16K page under a 2-entry L0', () => {
    const { pt } = table({ stage: 1, granule: 16384n, ias: 48, oas: 48 });
    // pgd at 0x1_0000_0000 (4K frame), 16K tables 16K-aligned: ..4000, ..8000, ..c000. L3 index of 0x4000 = 1.
    pt.map(0x4000n, 0x3_0000_4000n, 0x4000n, RW | IOMMU_CACHE);
    assert.deepEqual(steps(pt, 0x4000n), [
      [0, 0x1_0000_0000n, 0, 0x1_0000_4003n],
      [1, 0x1_0000_4000n, 0, 0x1_0000_8003n],
      [2, 0x1_0000_8000n, 0, 0x1_0000_c003n],
      [3, 0x1_0000_c000n, 1, 0x3_0000_4f47n],
    ]);
  });

  it('stage 2 with concatenated level-1 tables and S2AP/MemAttr leaves', () => {
    const { pt } = table({ stage: 2, granule: 4096n, ias: 40, oas: 48 });
    // Two concatenated 4K L1 tables (8K, 8K-aligned) at 0x1_0000_0000; 512 GiB selects entry 512 = the second table.
    // Leaf = OA | AF 0x400 | SH inner 0x300 | S2AP RW (3<<6) | MemAttr OIWB (0xf<<2) | page 0b11 = | 0x7ff.
    pt.map(0x80_0000_0000n, 0x2_0000_0000n, 0x1000n, RW | IOMMU_CACHE);
    assert.deepEqual(steps(pt, 0x80_0000_0000n), [
      [1, 0x1_0000_0000n, 512, 0x1_0000_2003n],
      [2, 0x1_0000_2000n, 0, 0x1_0000_3003n],
      [3, 0x1_0000_3000n, 0, 0x2_0000_07ffn],
    ]);
    // Read-only, non-cacheable 2M block: AF | SH outer 0x200 | S2AP R 0x40 | MemAttr NC (5<<2) | block = | 0x655.
    pt.map(0x20_0000n, 0x4000_0000n, 0x20_0000n, IOMMU_READ);
    assert.equal(pt.pte(0x20_0000n, 2), 0x4000_0655n);
    assert.deepEqual(pt.walk(0x20_0000n, 2).steps[1]!.fields, { OA: 0x4000_0000n, MemAttr: 5n, S2AP: 1n, SH: 2n, AF: 1n, nG: 0n, DBM: 0n, Contiguous: 0n, XN: 0n });
  });

  it('marks writable stage-1 leaves writable-clean (DBM) with the HTTU dirty quirk', () => {
    const { pt } = table({ stage: 1, granule: 4096n, ias: 48, oas: 48, httuDirty: true });
    pt.map(0x1000n, 0x5000n, 0x1000n, RW);
    // nG|AF|SH outer|AP[1]|page = 0xe43, plus DBM (1<<51) instead of AP[2].
    assert.equal(pt.pte(0x1000n, 3), (1n << 51n) | 0x5000n | 0xe43n);
  });
});
