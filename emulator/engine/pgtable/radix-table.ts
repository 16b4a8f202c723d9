// A page table of any format (pt-format.ts) kept as real descriptors in host
// memory, built by map/unmap as the kernel's page-table code builds it:
//   map    the IOMMU core splits the range into the largest page sizes that
//          fit (page-size.ts); each page allocates missing tables on the way
//          down and refuses an occupied slot; a failure undoes the pages
//          already mapped (iommu_map's cleanup).
//   unmap  per page size again; an entry of exactly that size is cleared
//          (a table entry takes its whole subtree, which is freed); part of a
//          larger block is refused (io-pgtable-arm stopped splitting blocks
//          in 6.13) and ends the unmap, as iommu_unmap stops on a 0 return.
//   walk   the structural walk hardware performs, every step recorded with
//          its decoded fields; permission and access checks belong to the
//          IOMMU model that owns the table.
import { fail } from '../errno.js';
import type { WalkStep } from '../machine-api.js';
import { log2, pickPageSize } from './page-size.js';
import type { PtFormat } from './pt-format.js';
import type { TableAllocator, TableMemory } from './table-pages.js';

export interface PtLeaf {
  /** Tree position (0 = top) and architecture level of the leaf. */
  depth: number;
  level: number;
  descriptor: bigint;
  /** Where the descriptor lives (for access/dirty updates). */
  slot: bigint;
  /** Bytes the leaf covers and the output address of the walked input. */
  size: bigint;
  oa: bigint;
}

export type PtWalk =
  | { ok: true; steps: WalkStep[]; leaf: PtLeaf }
  | { ok: false; steps: WalkStep[]; level: number; why: 'range' | 'invalid' | 'reserved' };

const hex = (v: bigint) => `0x${v.toString(16)}`;

export class RadixTable {
  readonly root: bigint;

  constructor(
    readonly format: PtFormat,
    private readonly pages: TableAllocator,
    /** An existing top table (a guest's, at its chosen base); default: a new one. */
    root?: bigint,
  ) {
    this.root = root ?? pages.alloc(this.tableSize(0));
  }

  /** The memory the tables live in. */
  get mem(): TableMemory {
    return this.pages.mem;
  }

  /** Bytes of the table at tree position `depth` (the top one may differ from the granule). */
  tableSize(depth: number): bigint {
    return depth === 0 ? 8n << BigInt(this.format.levels[0]!.indexBits) : this.format.tableBytes;
  }

  /** iommu_map: [iova, iova+size) to [pa, pa+size), all multiples of the smallest page. */
  map(iova: bigint, pa: bigint, size: bigint, prot: number): void {
    const min = this.format.pgsizeBitmap & -this.format.pgsizeBitmap;
    if (((iova | pa | size) & (min - 1n)) !== 0n) fail('EINVAL', `iova ${hex(iova)}, pa ${hex(pa)} and size ${hex(size)} must be multiples of ${hex(min)} for the ${this.format.name}`);
    const last = iova + size - 1n;
    if (last >> BigInt(this.format.inputBits) !== 0n || (pa + size - 1n) >> BigInt(this.format.outputBits) !== 0n) {
      fail('ERANGE', `${hex(iova)}..${hex(last)} -> ${hex(pa)} is beyond the ${this.format.inputBits}-bit input or ${this.format.outputBits}-bit output of the ${this.format.name}`);
    }
    let done = 0n;
    try {
      while (done < size) {
        const pg = pickPageSize(this.format.pgsizeBitmap, iova + done, pa + done, size - done);
        this.mapPage(iova + done, pa + done, pg, prot);
        done += pg;
      }
    } catch (e) {
      if (done > 0n) this.unmap(iova, done);
      throw e;
    }
  }

  /** iommu_unmap: returns the bytes unmapped, stopping at the first page the table refuses. */
  unmap(iova: bigint, size: bigint): bigint {
    let done = 0n;
    while (done < size) {
      const pg = pickPageSize(this.format.pgsizeBitmap, iova + done, iova + done, size - done);
      if (pg === 0n || this.unmapPage(iova + done, pg) === 0n) break;
      done += pg;
    }
    return done;
  }

  walk(iova: bigint, stage: number): PtWalk {
    const f = this.format;
    const steps: WalkStep[] = [];
    if (iova >> BigInt(f.inputBits) !== 0n) return { ok: false, steps, level: f.levels[0]!.level, why: 'range' };
    let table = this.root;
    for (let depth = 0; depth < f.levels.length; depth++) {
      const lv = f.levels[depth]!;
      const index = this.index(iova, depth);
      const slot = table + BigInt(index) * 8n;
      const descriptor = this.pages.mem.load(slot, 8);
      const { kind, fields } = f.decode(descriptor, depth);
      steps.push({ stage, level: lv.level, table, index, descriptor, kind, fields });
      if (kind === 'invalid' || kind === 'reserved') return { ok: false, steps, level: lv.level, why: kind };
      if (kind === 'table') {
        table = f.tableAddress(descriptor);
        continue;
      }
      const size = 1n << BigInt(lv.shift);
      const oa = f.leafAddress(descriptor, depth) | (iova & (size - 1n));
      return { ok: true, steps, leaf: { depth, level: lv.level, descriptor, slot, size, oa } };
    }
    throw new Error(`${f.name}: a table descriptor at the last level decoded as a table`);
  }

  /** The raw descriptor at architecture `level` of `iova`'s walk, if the walk reaches it. */
  pte(iova: bigint, level: number): bigint | undefined {
    return this.walk(iova, 1).steps.find((s) => s.level === level)?.descriptor;
  }

  iovaToPhys(iova: bigint): bigint | undefined {
    const w = this.walk(iova, 1);
    return w.ok ? w.leaf.oa : undefined;
  }

  /** Every leaf of the tree in IOVA order: `fn(iova, leaf slot, descriptor, depth)`. */
  forEachLeaf(fn: (iova: bigint, slot: bigint, e: bigint, depth: number) => void): void {
    const visit = (table: bigint, depth: number, base: bigint): void => {
      const lv = this.format.levels[depth]!;
      const n = 1 << lv.indexBits;
      for (let i = 0; i < n; i++) {
        const slot = table + BigInt(i) * 8n;
        const e = this.pages.mem.load(slot, 8);
        const { kind } = this.format.decode(e, depth);
        const iova = base + (BigInt(i) << BigInt(lv.shift));
        if (kind === 'table') visit(this.format.tableAddress(e), depth + 1, iova);
        else if (kind === 'block' || kind === 'page') fn(iova, slot, e, depth);
      }
    };
    visit(this.root, 0, 0n);
  }

  private index(iova: bigint, depth: number): number {
    const lv = this.format.levels[depth]!;
    return Number((iova >> BigInt(lv.shift)) & ((1n << BigInt(lv.indexBits)) - 1n));
  }

  private depthOfSize(size: bigint): number {
    const shift = log2(size);
    const depth = this.format.levels.findIndex((l) => l.shift === shift && l.leafOk);
    if (depth < 0) throw new Error(`${this.format.name}: no level maps ${hex(size)}-byte pages`);
    return depth;
  }

  private mapPage(iova: bigint, pa: bigint, size: bigint, prot: number): void {
    const f = this.format;
    const mem = this.pages.mem;
    const target = this.depthOfSize(size);
    let table = this.root;
    for (let depth = 0; depth < target; depth++) {
      const slot = table + BigInt(this.index(iova, depth)) * 8n;
      const e = mem.load(slot, 8);
      const kind = f.decode(e, depth).kind;
      if (kind === 'table') {
        table = f.tableAddress(e);
        continue;
      }
      if (kind !== 'invalid') fail(f.occupiedErrno, `IOVA ${hex(iova)} lies inside an existing ${hex(1n << BigInt(f.levels[depth]!.shift))}-byte block of the ${f.name}`);
      const next = this.pages.alloc(this.tableSize(depth + 1));
      mem.store(slot, 8, f.tableEntry(next));
      table = next;
    }
    const slot = table + BigInt(this.index(iova, target)) * 8n;
    const e = mem.load(slot, 8);
    const kind = f.decode(e, target).kind;
    if (kind === 'table' && f.blockReplacesTable) this.freeTable(f.tableAddress(e), target + 1);
    else if (kind !== 'invalid') fail(f.occupiedErrno, `IOVA ${hex(iova)} is already mapped in the ${f.name}`);
    mem.store(slot, 8, f.leafEntry(pa, prot, target));
  }

  private unmapPage(iova: bigint, size: bigint): bigint {
    const f = this.format;
    const mem = this.pages.mem;
    const shift = log2(size);
    let table = this.root;
    for (let depth = 0; depth < f.levels.length; depth++) {
      const lv = f.levels[depth]!;
      const slot = table + BigInt(this.index(iova, depth)) * 8n;
      const e = mem.load(slot, 8);
      const kind = f.decode(e, depth).kind;
      if (kind === 'invalid' || kind === 'reserved') return 0n;
      if (lv.shift === shift) {
        mem.store(slot, 8, 0n);
        if (kind === 'table') this.freeTable(f.tableAddress(e), depth + 1);
        return size;
      }
      // A leaf larger than the request: unmapping part of a block is refused.
      if (kind !== 'table') return 0n;
      table = f.tableAddress(e);
    }
    return 0n;
  }

  /** Frees a table and every table below it. */
  private freeTable(table: bigint, depth: number): void {
    if (depth + 1 < this.format.levels.length) {
      const n = 1 << this.format.levels[depth]!.indexBits;
      for (let i = 0; i < n; i++) {
        const e = this.pages.mem.load(table + BigInt(i) * 8n, 8);
        if (this.format.decode(e, depth).kind === 'table') this.freeTable(this.format.tableAddress(e), depth + 1);
      }
    }
    this.pages.free(table, this.tableSize(depth));
  }
}
