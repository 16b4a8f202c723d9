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
import { pageSizes, pickPageSize } from './page-size.js';
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

/** Where a walk ends, without the record of its steps. */
export type PtLookup = { ok: true; leaf: PtLeaf } | { ok: false; level: number; why: 'range' | 'invalid' | 'reserved' };

export type PtWalk = PtLookup & { steps: WalkStep[] };

const hex = (v: bigint) => `0x${v.toString(16)}`;

export class RadixTable {
  readonly root: bigint;
  /**
   * The format's geometry as bigints, computed once: every map, unmap and
   * walk step needs a level's shift, index mask and size, and converting
   * them from numbers each time cost more than the step itself.
   */
  private readonly sizes: readonly bigint[];
  private readonly shifts: readonly bigint[];
  private readonly indexMasks: readonly bigint[];
  private readonly levelSizes: readonly bigint[];
  /** The smallest page, and the input/output widths as shift counts. */
  private readonly minPage: bigint;
  private readonly inputShift: bigint;
  private readonly outputShift: bigint;

  constructor(
    readonly format: PtFormat,
    private readonly pages: TableAllocator,
    /** An existing top table (a guest's, at its chosen base); default: a new one. */
    root?: bigint,
  ) {
    this.sizes = pageSizes(format.pgsizeBitmap);
    this.shifts = format.levels.map((l) => BigInt(l.shift));
    this.indexMasks = format.levels.map((l) => (1n << BigInt(l.indexBits)) - 1n);
    this.levelSizes = format.levels.map((l) => 1n << BigInt(l.shift));
    this.minPage = format.pgsizeBitmap & -format.pgsizeBitmap;
    this.inputShift = BigInt(format.inputBits);
    this.outputShift = BigInt(format.outputBits);
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
    const min = this.minPage;
    if (((iova | pa | size) & (min - 1n)) !== 0n) fail('EINVAL', `iova ${hex(iova)}, pa ${hex(pa)} and size ${hex(size)} must be multiples of ${hex(min)} for the ${this.format.name}`);
    const last = iova + size - 1n;
    if (last >> this.inputShift !== 0n || (pa + size - 1n) >> this.outputShift !== 0n) {
      fail('ERANGE', `${hex(iova)}..${hex(last)} -> ${hex(pa)} is beyond the ${this.format.inputBits}-bit input or ${this.format.outputBits}-bit output of the ${this.format.name}`);
    }
    let done = 0n;
    try {
      while (done < size) {
        const pg = pickPageSize(this.sizes, iova + done, pa + done, size - done);
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
      const pg = pickPageSize(this.sizes, iova + done, iova + done, size - done);
      if (pg === 0n || this.unmapPage(iova + done, pg) === 0n) break;
      done += pg;
    }
    return done;
  }

  walk(iova: bigint, stage: number): PtWalk {
    const steps: WalkStep[] = [];
    return { ...this.descend(iova, stage, steps), steps };
  }

  /**
   * The walk without its record: where it ends, and the leaf. A DMA needs
   * only this (an IOTLB hit checks its entry against it), so it builds no
   * step list and decodes no fields; the debugger's walk view calls `walk`.
   */
  lookup(iova: bigint): PtLookup {
    return this.descend(iova, 0, undefined);
  }

  /** The structural walk; each step is recorded in `steps` when given (as `stage`). */
  private descend(iova: bigint, stage: number, steps: WalkStep[] | undefined): PtLookup {
    const f = this.format;
    if (iova >> this.inputShift !== 0n) return { ok: false, level: f.levels[0]!.level, why: 'range' };
    let table = this.root;
    for (let depth = 0; depth < f.levels.length; depth++) {
      const lv = f.levels[depth]!;
      const index = this.index(iova, depth);
      const slot = table + BigInt(index * 8);
      const descriptor = this.pages.mem.load(slot, 8);
      const kind = f.kindOf(descriptor, depth);
      if (steps) steps.push({ stage, level: lv.level, table, index, descriptor, kind, fields: f.decode(descriptor, depth).fields });
      if (kind === 'invalid' || kind === 'reserved') return { ok: false, level: lv.level, why: kind };
      if (kind === 'table') {
        table = f.tableAddress(descriptor);
        continue;
      }
      const size = this.levelSizes[depth]!;
      const oa = f.leafAddress(descriptor, depth) | (iova & (size - 1n));
      return { ok: true, leaf: { depth, level: lv.level, descriptor, slot, size, oa } };
    }
    throw new Error(`${f.name}: a table descriptor at the last level decoded as a table`);
  }

  /** The raw descriptor at architecture `level` of `iova`'s walk, if the walk reaches it. */
  pte(iova: bigint, level: number): bigint | undefined {
    return this.walk(iova, 1).steps.find((s) => s.level === level)?.descriptor;
  }

  iovaToPhys(iova: bigint): bigint | undefined {
    const w = this.lookup(iova);
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
        const kind = this.format.kindOf(e, depth);
        const iova = base + (BigInt(i) << BigInt(lv.shift));
        if (kind === 'table') visit(this.format.tableAddress(e), depth + 1, iova);
        else if (kind === 'block' || kind === 'page') fn(iova, slot, e, depth);
      }
    };
    visit(this.root, 0, 0n);
  }

  /**
   * Empties the tree: every top-level entry is cleared and the tables below
   * it freed (a process's free_pgtables at exit); the top table stays.
   */
  clear(): void {
    const n = 1 << this.format.levels[0]!.indexBits;
    for (let i = 0; i < n; i++) {
      const slot = this.root + BigInt(i) * 8n;
      const e = this.pages.mem.load(slot, 8);
      const kind = this.format.kindOf(e, 0);
      if (kind === 'invalid') continue;
      this.pages.mem.store(slot, 8, 0n);
      if (kind === 'table') this.freeTable(this.format.tableAddress(e), 1);
    }
  }

  private index(iova: bigint, depth: number): number {
    return Number((iova >> this.shifts[depth]!) & this.indexMasks[depth]!);
  }

  /** The address of `iova`'s entry in the table at `depth`. */
  private slotOf(table: bigint, iova: bigint, depth: number): bigint {
    return table + (((iova >> this.shifts[depth]!) & this.indexMasks[depth]!) << 3n);
  }

  private depthOfSize(size: bigint): number {
    const levels = this.format.levels;
    for (let depth = 0; depth < levels.length; depth++) if (this.levelSizes[depth] === size && levels[depth]!.leafOk) return depth;
    throw new Error(`${this.format.name}: no level maps ${hex(size)}-byte pages`);
  }

  private mapPage(iova: bigint, pa: bigint, size: bigint, prot: number): void {
    const f = this.format;
    const mem = this.pages.mem;
    const target = this.depthOfSize(size);
    let table = this.root;
    for (let depth = 0; depth < target; depth++) {
      const slot = this.slotOf(table, iova, depth);
      const e = mem.load(slot, 8);
      const kind = f.kindOf(e, depth);
      if (kind === 'table') {
        table = f.tableAddress(e);
        continue;
      }
      if (kind !== 'invalid') fail(f.occupiedErrno, `IOVA ${hex(iova)} lies inside an existing ${hex(1n << BigInt(f.levels[depth]!.shift))}-byte block of the ${f.name}`);
      const next = this.pages.alloc(this.tableSize(depth + 1));
      mem.store(slot, 8, f.tableEntry(next));
      table = next;
    }
    const slot = this.slotOf(table, iova, target);
    const e = mem.load(slot, 8);
    const kind = f.kindOf(e, target);
    if (kind === 'table' && f.blockReplacesTable) this.freeTable(f.tableAddress(e), target + 1);
    else if (kind !== 'invalid') fail(f.occupiedErrno, `IOVA ${hex(iova)} is already mapped in the ${f.name}`);
    mem.store(slot, 8, f.leafEntry(pa, prot, target));
  }

  private unmapPage(iova: bigint, size: bigint): bigint {
    const f = this.format;
    const mem = this.pages.mem;
    let table = this.root;
    for (let depth = 0; depth < f.levels.length; depth++) {
      const slot = this.slotOf(table, iova, depth);
      const e = mem.load(slot, 8);
      const kind = f.kindOf(e, depth);
      if (kind === 'invalid' || kind === 'reserved') return 0n;
      if (this.levelSizes[depth] === size) {
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
        if (this.format.kindOf(e, depth) === 'table') this.freeTable(this.format.tableAddress(e), depth + 1);
      }
    }
    this.pages.free(table, this.tableSize(depth));
  }
}
