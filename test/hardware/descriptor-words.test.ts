// The page-table walks read descriptors as two 32-bit halves and compute
// table indexes with numbers (radix-table.ts): these properties check that
// the number path agrees with the 64-bit definitions for every format — the
// next-table address and the index at every level, including
// inputs past 2^53 (an x86-64 first stage indexes all 64 input bits) and
// memories without the host's word fast path.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { IOMMU_CACHE, IOMMU_READ, IOMMU_WRITE } from '../../emulator/engine/core/domain.js';
import { PhysMem } from '../../emulator/engine/memory/physmem.js';
import { ArmLpaeFormat } from '../../emulator/engine/pgtable/arm-lpae.js';
import { TABLE_FRAME, type PtFormat } from '../../emulator/engine/pgtable/pt-format.js';
import { RadixTable } from '../../emulator/engine/pgtable/radix-table.js';
import { TablePages, type TableAllocator, type TableMemory } from '../../emulator/engine/pgtable/table-pages.js';
import { VtdSsFormat } from '../../emulator/engine/pgtable/vtd-ss.js';
import { X86_64Format } from '../../emulator/engine/pgtable/x86-64.js';

const PROT = IOMMU_READ | IOMMU_WRITE | IOMMU_CACHE;

const FORMATS: [string, () => PtFormat][] = [
  ['Arm LPAE stage 1 4K', () => new ArmLpaeFormat({ stage: 1, granule: 4096n, ias: 48, oas: 48 })],
  ['Arm LPAE stage 2 4K (concatenated)', () => new ArmLpaeFormat({ stage: 2, granule: 4096n, ias: 40, oas: 48 })],
  ['Arm LPAE stage 1 64K (OA[51:48] in [15:12])', () => new ArmLpaeFormat({ stage: 1, granule: 65536n, ias: 52, oas: 52 })],
  ['x86-64 4-level', () => new X86_64Format(4)],
  ['VT-d second stage 4-level', () => new VtdSsFormat(4, true)],
];

const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });

/** Host memory without `load32`: the walks must take the whole-descriptor path and agree. */
class PlainWords implements TableMemory, TableAllocator {
  private readonly inner: TablePages;
  constructor(readonly phys: PhysMem) {
    this.inner = new TablePages(phys);
  }
  get mem(): TableMemory {
    return this;
  }
  load(addr: bigint): bigint {
    return this.phys.load(addr, 8);
  }
  store(addr: bigint, _w: 8, v: bigint): void {
    this.phys.store(addr, 8, v);
  }
  write(addr: bigint, bytes: Uint8Array): void {
    this.phys.write(addr, bytes);
  }
  alloc(bytes: bigint): bigint {
    return this.inner.alloc(bytes);
  }
  free(addr: bigint, bytes: bigint): void {
    this.inner.free(addr, bytes);
  }
}

describe('descriptor words', () => {
  for (const [name, make] of FORMATS) {
    it(`${name}: the 32-bit halves give the same next-table address as the descriptor`, () => {
      const f = make();
      fc.assert(
        fc.property(u64, (e) => {
          const lo = Number(e & 0xffff_ffffn);
          const hi = Number(e >> 32n);
          assert.equal(BigInt(f.tableFrameOf(lo, hi) * TABLE_FRAME), f.tableAddress(e));
        }),
        { numRuns: 2000 },
      );
    });
  }

  for (const [name, make] of FORMATS) {
    const f = make();
    if (!f.leafWords) continue;
    it(`${name}: a leaf built from a number has the halves of the leaf built from the bigint`, () => {
      const prots = [PROT, IOMMU_READ, IOMMU_WRITE, IOMMU_READ | IOMMU_WRITE, IOMMU_READ | IOMMU_CACHE];
      const leafDepths = f.levels.flatMap((l, depth) => (l.leafOk ? [depth] : []));
      fc.assert(
        fc.property(fc.bigInt({ min: 0n, max: (1n << 52n) - 1n }), fc.constantFrom(...prots), fc.constantFrom(...leafDepths), (raw, prot, depth) => {
          const pa = raw & ~((1n << BigInt(f.levels[depth]!.shift)) - 1n);
          const e = f.leafEntry(pa, prot, depth);
          const out = { lo: -1, hi: -1 };
          f.leafWords!(Number(pa), prot, depth, out);
          assert.deepEqual(out, { lo: Number(e & 0xffff_ffffn), hi: Number(e >> 32n) });
        }),
        { numRuns: 2000 },
      );
    });
  }

  for (const [name, make] of FORMATS) {
    it(`${name}: every walk step's index is the input's bits at that level, and a mapped page translates`, () => {
      const f = make();
      const pageSize = f.pgsizeBitmap & -f.pgsizeBitmap;
      const inputMax = f.inputBits >= 64 ? (1n << 64n) - 1n : (1n << BigInt(f.inputBits)) - 1n;
      fc.assert(
        fc.property(fc.bigInt({ min: 0n, max: inputMax }), fc.boolean(), (raw, plain) => {
          const phys = new PhysMem();
          const pt = new RadixTable(f, plain ? new PlainWords(phys) : new TablePages(phys));
          const iova = raw & ~(pageSize - 1n);
          const pa = 0x4000_0000n;
          pt.map(iova, pa, pageSize, PROT);
          const w = pt.walk(iova + 8n, 1);
          assert.equal(w.ok, true);
          w.steps.forEach((s, depth) => {
            const lv = f.levels[depth]!;
            assert.equal(s.index, Number((iova >> BigInt(lv.shift)) & ((1n << BigInt(lv.indexBits)) - 1n)));
          });
          assert.equal(pt.iovaToPhys(iova + 8n), pa + 8n);
          assert.equal(pt.unmap(iova, pageSize), pageSize);
          assert.equal(pt.iovaToPhys(iova + 8n), undefined);
        }),
        { numRuns: 300 },
      );
    });
  }
});
