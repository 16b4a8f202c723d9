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
import { TABLE_FRAME, type PtFormat } from './pt-format.js';
import type { TableAllocator, TableMemory } from './table-pages.js';

export interface PtLeaf {
  /** Tree position (0 = top) and architecture level of the leaf. */
  depth: number;
  level: number;
  descriptor: bigint;
  /** The descriptor's low 32 bits as a number: the attribute bits a model tests on every miss, without a BigInt. */
  lo: number;
  /** Where the descriptor lives (for access/dirty updates). */
  slot: bigint;
  /** Bytes the leaf covers and the output address of the walked input. */
  size: bigint;
  oa: bigint;
}

/** Where a walk that found no leaf stopped. */
export interface PtStop {
  ok: false;
  level: number;
  why: 'range' | 'invalid' | 'reserved';
}

/** Where a walk ends, without the record of its steps. */
export type PtLookup = { ok: true; leaf: PtLeaf } | PtStop;

/**
 * The leaf the last walk found (see `RadixTable.find`): one record reused by
 * every walk, since a DMA miss reads the leaf at once and keeps nothing of
 * it, and a leaf object per walk was most of what a miss allocated. The slot
 * is kept as a number and made a BigInt only if read (an A/D update).
 */
class FoundLeaf implements PtLeaf {
  depth = 0;
  level = 0;
  descriptor = 0n;
  lo = 0;
  slotAt = 0;
  size = 0n;
  oa = 0n;

  get slot(): bigint {
    return BigInt(this.slotAt);
  }
}

/** Module scratch rather than a field: it is no part of a table's state (a walk must not change what a snapshot sees). */
const found = new FoundLeaf();

/** Whether a `find` stopped rather than found a leaf. */
export function isStop(r: PtLeaf | PtStop): r is PtStop {
  return (r as PtStop).ok === false;
}

export type PtWalk = PtLookup & { steps: WalkStep[] };

const hex = (v: bigint) => `0x${v.toString(16)}`;

const TWO_32 = 0x1_0000_0000;
/** Inputs below this are exact as a JS number, so their table indexes need no BigInt. */
const EXACT_INPUT = 1n << 53n;
const EXACT_NUM = 2 ** 53;
/** Descriptors up to this convert to a number exactly (they are never negative). */
const MAX_EXACT = BigInt(Number.MAX_SAFE_INTEGER);

/** A descriptor from its 32-bit halves (one BigInt when it fits in 53 bits, as most do). */
function joinWords(lo: number, hi: number): bigint {
  return hi < 0x20_0000 ? BigInt(hi * TWO_32 + lo) : (BigInt(hi) << 32n) | BigInt(lo);
}

/**
 * The halves of the descriptor the last `read` loaded: scratch, so that a
 * read allocates nothing, and outside the tables so that it is no part of a
 * machine's state (a walk must not change what a snapshot sees).
 */
const word = { lo: 0, hi: 0 };

/** Whether `v` is a multiple of the power of two `page`: on numbers when exact (no BigInt made). */
function isPageAligned(v: bigint, page: number): boolean {
  const n = Number(v);
  return n < EXACT_NUM ? n % page === 0 : v % BigInt(page) === 0n;
}

/** The leaf in `found` as a record of its own. */
function foundCopy(): PtLeaf {
  return { depth: found.depth, level: found.level, descriptor: found.descriptor, lo: found.lo, slot: found.slot, size: found.size, oa: found.oa };
}

/** `iova` as a number when that is exact, else -1 (see RadixTable.index). */
function exactInput(iova: bigint): number {
  return iova < EXACT_INPUT ? Number(iova) : -1;
}

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
  /** The smallest page, and what masks an address's offset inside one. */
  private readonly minPage: bigint;
  private readonly minPageMask: bigint;
  /** 2^inputBits and 2^outputBits: map compares against them (a compare makes no BigInt, a shift does). */
  private readonly inputLimit: bigint;
  private readonly outputLimit: bigint;
  /** `minPage`, `inputLimit` and `outputLimit` as numbers (powers of two, exact), for map's one-page path. */
  private readonly minPageNum: number;
  private readonly inputLimitNum: number;
  private readonly outputLimitNum: number;
  /**
   * The walks of map, unmap and lookup work on numbers: table addresses
   * (below 2^53 in every memory a table lives in), indexes from the input
   * (when it is below 2^53, i.e. always but for a raw probe), and the
   * descriptor as two 32-bit halves, which is all a format needs to tell a
   * table from a leaf and find the next table. A BigInt is made only for
   * the leaf. Per level: 2^shift and the entries of its tables.
   */
  private readonly spans: readonly number[];
  private readonly entries: readonly number[];
  /**
   * The top table as a frame number and the byte offset in it (a guest's
   * top table need not be frame-aligned): walks carry frame numbers and
   * offsets, small integers, rather than addresses past 4 GiB, which V8
   * boxes as heap numbers at every call.
   */
  private readonly rootFrame: number;
  private readonly rootOffset: number;
  /** The memory the tables live in. */
  readonly mem: TableMemory;

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
    this.minPageMask = this.minPage - 1n;
    this.inputLimit = 1n << BigInt(format.inputBits);
    this.outputLimit = 1n << BigInt(format.outputBits);
    this.minPageNum = Number(this.minPage);
    this.inputLimitNum = 2 ** format.inputBits;
    this.outputLimitNum = 2 ** format.outputBits;
    this.spans = format.levels.map((l) => 2 ** l.shift);
    this.entries = format.levels.map((l) => 2 ** l.indexBits);
    this.root = root ?? pages.alloc(this.tableSize(0));
    this.rootFrame = Math.floor(Number(this.root) / TABLE_FRAME);
    this.rootOffset = Number(this.root) - this.rootFrame * TABLE_FRAME;
    this.mem = pages.mem;
  }

  /** Bytes of the table at tree position `depth` (the top one may differ from the granule). */
  tableSize(depth: number): bigint {
    return depth === 0 ? 8n << BigInt(this.format.levels[0]!.indexBits) : this.format.tableBytes;
  }

  /** iommu_map: [iova, iova+size) to [pa, pa+size), all multiples of the smallest page. */
  map(iova: bigint, pa: bigint, size: bigint, prot: number): void {
    const min = this.minPage;
    if (size === min) {
      // One smallest page (every 4 KiB MAP of iommufd): the alignment and
      // range checks below, on numbers (exact: both addresses below 2^53),
      // then the one page. No larger size can fit in it.
      const i = Number(iova);
      const p = Number(pa);
      if (i >= 0 && p >= 0 && i < EXACT_NUM && p < EXACT_NUM && i % this.minPageNum === 0 && p % this.minPageNum === 0 && i + this.minPageNum <= this.inputLimitNum && p + this.minPageNum <= this.outputLimitNum) {
        this.mapPage(iova, pa, size, prot);
        return;
      }
    }
    if (((iova | pa | size) & this.minPageMask) !== 0n) fail('EINVAL', `iova ${hex(iova)}, pa ${hex(pa)} and size ${hex(size)} must be multiples of ${hex(min)} for the ${this.format.name}`);
    const last = iova + size - 1n;
    const lastPa = pa + size - 1n;
    if (last < 0n || last >= this.inputLimit || lastPa < 0n || lastPa >= this.outputLimit) {
      fail('ERANGE', `${hex(iova)}..${hex(last)} -> ${hex(pa)} is beyond the ${this.format.inputBits}-bit input or ${this.format.outputBits}-bit output of the ${this.format.name}`);
    }
    if (size === this.minPage) {
      this.mapPage(iova, pa, size, prot);
      return;
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
    // One smallest page (every 4 KiB UNMAP of iommufd): `pickPageSize` could only pick it, if `iova` is aligned.
    if (size === this.minPage) return isPageAligned(iova, this.minPageNum) ? this.unmapPage(iova, size) : 0n;
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
    const stop = this.descend(iova, stage, steps);
    return stop ? { ...stop, steps } : { ok: true, leaf: foundCopy(), steps };
  }

  /**
   * The walk without its record: where it ends, and the leaf (a record of
   * its own, which the caller may keep).
   */
  lookup(iova: bigint): PtLookup {
    return this.descend(iova, 0, undefined) ?? { ok: true, leaf: foundCopy() };
  }

  /**
   * `lookup` for a caller that reads the leaf at once (a DMA: a miss, or a
   * hit checking its entry against memory): it builds no step list, decodes
   * no fields, and the leaf is a shared record that the next walk of any
   * table overwrites.
   */
  find(iova: bigint): PtLeaf | PtStop {
    return this.descend(iova, 0, undefined) ?? found;
  }

  /**
   * The structural walk; each step is recorded in `steps` when given (as
   * `stage`). A leaf goes into `found` (undefined is returned); a walk that
   * stops says where.
   */
  private descend(iova: bigint, stage: number, steps: WalkStep[] | undefined): PtStop | undefined {
    const f = this.format;
    if (iova < 0n || iova >= this.inputLimit) return { ok: false, level: f.levels[0]!.level, why: 'range' };
    const n = exactInput(iova);
    let frame = this.rootFrame;
    let base = this.rootOffset;
    for (let depth = 0; depth < f.levels.length; depth++) {
      const lv = f.levels[depth]!;
      const index = this.index(iova, n, depth);
      const at = base + index * 8;
      this.read(frame, at);
      const kind = f.kindOfLow(word.lo, depth);
      if (steps) {
        const descriptor = joinWords(word.lo, word.hi);
        steps.push({ stage, level: lv.level, table: BigInt(frame * TABLE_FRAME + base), index, descriptor, kind, fields: f.decode(descriptor, depth).fields });
      }
      if (kind === 'invalid' || kind === 'reserved') return { ok: false, level: lv.level, why: kind };
      if (kind === 'table') {
        frame = f.tableFrameOf(word.lo, word.hi);
        base = 0;
        continue;
      }
      const descriptor = joinWords(word.lo, word.hi);
      const size = this.levelSizes[depth]!;
      const leafPa = f.leafAddress(descriptor, depth);
      // The walked address's offset in the leaf: as a number when exact;
      // at offset 0 (a DMA to the start of a buffer) the leaf's address is the answer.
      const offset = n >= 0 ? n % this.spans[depth]! : -1;
      found.depth = depth;
      found.level = lv.level;
      found.descriptor = descriptor;
      found.lo = word.lo;
      found.slotAt = frame * TABLE_FRAME + at;
      found.size = size;
      found.oa = offset === 0 ? leafPa : leafPa | (iova & (size - 1n));
      return undefined;
    }
    throw new Error(`${f.name}: a table descriptor at the last level decoded as a table`);
  }

  /** Loads the descriptor at byte `at` of table frame `frame` into `word.lo` and `word.hi`. */
  private read(frame: number, at: number): void {
    const mem = this.mem;
    if (mem.loadWords) {
      mem.loadWords(frame, at, word);
      return;
    }
    const e = mem.load(BigInt(frame * TABLE_FRAME + at), 8);
    word.lo = Number(e & 0xffff_ffffn);
    word.hi = Number(e >> 32n);
  }

  /** Stores the descriptor `e` at byte `at` of frame `frame`: as two u32 halves where the memory can (see `read`). */
  private write(frame: number, at: number, e: bigint): void {
    const mem = this.mem;
    if (!mem.storeWords) {
      mem.store(BigInt(frame * TABLE_FRAME + at), 8, e);
      return;
    }
    let lo: number;
    let hi: number;
    if (e <= MAX_EXACT) {
      // One conversion: a descriptor below 2^53 (most: the OA and low attributes) is exact as a number.
      const n = Number(e);
      lo = n >>> 0;
      hi = (n - lo) / TWO_32;
    } else {
      lo = Number(e & 0xffff_ffffn);
      hi = Number(e >> 32n);
    }
    mem.storeWords(frame, at, lo, hi);
  }

  /** The raw descriptor at architecture `level` of `iova`'s walk, if the walk reaches it. */
  pte(iova: bigint, level: number): bigint | undefined {
    return this.walk(iova, 1).steps.find((s) => s.level === level)?.descriptor;
  }

  iovaToPhys(iova: bigint): bigint | undefined {
    const w = this.find(iova);
    return isStop(w) ? undefined : w.oa;
  }

  /** Every leaf of the tree in IOVA order: `fn(iova, leaf slot, descriptor, depth)`. */
  forEachLeaf(fn: (iova: bigint, slot: bigint, e: bigint, depth: number) => void): void {
    const visit = (table: bigint, depth: number, base: bigint): void => {
      const lv = this.format.levels[depth]!;
      const n = 1 << lv.indexBits;
      for (let i = 0; i < n; i++) {
        const slot = table + BigInt(i) * 8n;
        const e = this.mem.load(slot, 8);
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
      const e = this.mem.load(slot, 8);
      const kind = this.format.kindOf(e, 0);
      if (kind === 'invalid') continue;
      this.mem.store(slot, 8, 0n);
      if (kind === 'table') this.freeTable(this.format.tableAddress(e), 1);
    }
  }

  /**
   * `iova`'s index in a table at `depth`; `n` is `iova` as a number, or -1
   * when it is not exact (then the bigint is used). Dividing by a power of
   * two is exact in floating point, so the number path is exact too.
   */
  private index(iova: bigint, n: number, depth: number): number {
    if (n < 0) return Number((iova >> this.shifts[depth]!) & this.indexMasks[depth]!);
    // The quotient may pass 2^32, where `%` would be a slow floating-point remainder.
    const q = Math.floor(n / this.spans[depth]!);
    const entries = this.entries[depth]!;
    return q - Math.floor(q / entries) * entries;
  }

  private depthOfSize(size: bigint): number {
    const levels = this.format.levels;
    for (let depth = 0; depth < levels.length; depth++) if (this.levelSizes[depth] === size && levels[depth]!.leafOk) return depth;
    throw new Error(`${this.format.name}: no level maps ${hex(size)}-byte pages`);
  }

  private mapPage(iova: bigint, pa: bigint, size: bigint, prot: number): void {
    const f = this.format;
    const target = this.depthOfSize(size);
    const n = exactInput(iova);
    let frame = this.rootFrame;
    let base = this.rootOffset;
    for (let depth = 0; depth < target; depth++) {
      const at = base + this.index(iova, n, depth) * 8;
      this.read(frame, at);
      const kind = f.kindOfLow(word.lo, depth);
      base = 0;
      if (kind === 'table') {
        frame = f.tableFrameOf(word.lo, word.hi);
        continue;
      }
      if (kind !== 'invalid') fail(f.occupiedErrno, `IOVA ${hex(iova)} lies inside an existing ${hex(1n << BigInt(f.levels[depth]!.shift))}-byte block of the ${f.name}`);
      const next = this.pages.alloc(this.tableSize(depth + 1));
      this.write(frame, at, f.tableEntry(next));
      // Below the top, tables are granule-aligned: a whole frame's start.
      frame = Number(next) / TABLE_FRAME;
    }
    const at = base + this.index(iova, n, target) * 8;
    this.read(frame, at);
    const kind = f.kindOfLow(word.lo, target);
    if (kind === 'table' && f.blockReplacesTable) this.freeTable(BigInt(f.tableFrameOf(word.lo, word.hi) * TABLE_FRAME), target + 1);
    else if (kind !== 'invalid') fail(f.occupiedErrno, `IOVA ${hex(iova)} is already mapped in the ${f.name}`);
    const mem = this.mem;
    const paNum = Number(pa);
    if (f.leafWords && mem.storeWords && paNum < EXACT_NUM) {
      // The leaf as two halves straight from the number (see PtFormat.leafWords).
      f.leafWords(paNum, prot, target, word);
      mem.storeWords(frame, at, word.lo, word.hi);
      return;
    }
    this.write(frame, at, f.leafEntry(pa, prot, target));
  }

  private unmapPage(iova: bigint, size: bigint): bigint {
    const f = this.format;
    const n = exactInput(iova);
    let frame = this.rootFrame;
    let base = this.rootOffset;
    for (let depth = 0; depth < f.levels.length; depth++) {
      const at = base + this.index(iova, n, depth) * 8;
      this.read(frame, at);
      const kind = f.kindOfLow(word.lo, depth);
      if (kind === 'invalid' || kind === 'reserved') return 0n;
      if (this.levelSizes[depth] === size) {
        // The next table's address is read before the store clears the slot.
        const below = kind === 'table' ? f.tableFrameOf(word.lo, word.hi) : 0;
        this.write(frame, at, 0n);
        if (kind === 'table') this.freeTable(BigInt(below * TABLE_FRAME), depth + 1);
        return size;
      }
      // A leaf larger than the request: unmapping part of a block is refused.
      if (kind !== 'table') return 0n;
      frame = f.tableFrameOf(word.lo, word.hi);
      base = 0;
    }
    return 0n;
  }

  /** Frees a table and every table below it. */
  private freeTable(table: bigint, depth: number): void {
    if (depth + 1 < this.format.levels.length) {
      const n = 1 << this.format.levels[depth]!.indexBits;
      for (let i = 0; i < n; i++) {
        const e = this.mem.load(table + BigInt(i) * 8n, 8);
        if (this.format.kindOf(e, depth) === 'table') this.freeTable(this.format.tableAddress(e), depth + 1);
      }
    }
    this.pages.free(table, this.tableSize(depth));
  }
}
