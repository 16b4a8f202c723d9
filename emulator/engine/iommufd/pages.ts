// An IO page set (struct iopt_pages): the user memory or memfd range behind
// one MAP, shared by every area that COPY made from it. It pins a host page
// once however many users need it (domain fills and access records), and
// keeps the pins as physically contiguous runs, so a huge mapping costs only
// what was actually pinned. It is the PinHolder the `pinned()` query counts.
import { fail } from '../errno.js';
import type { PinHolder } from '../memory/pin-ledger.js';
import { PAGE_SHIFT, PAGE_SIZE, type PhysMem } from '../memory/physmem.js';
import type { MemFile, Process } from '../memory/process.js';
import { gaps, type Interval } from './interval-list.js';
import { hex, U64_MAX } from './u64.js';

export const PAGE = BigInt(PAGE_SIZE);
/** The offset inside a page. */
const PAGE_MASK = PAGE - 1n;
/**
 * The first byte of a page-aligned set (nearly every one): shared, and the
 * aligned address is the base as it is, because each set keeps its offset
 * and base (and its areas their start byte) alive until UNMAP, and every
 * object kept that long is work for the garbage collector.
 */
const ZERO = 0n;

/** Page index range [start, last] that must stay pinned while it lives. */
export type PinDemand = Interval;

/** An access pin record: identical index ranges share one, counted by users. */
export interface AccessRecord extends Interval {
  users: number;
  /** What `pin` returned for it, given back to `unpin`. */
  demand: PinDemand;
}

export interface PinnedRun extends Interval {
  /** Host address of page `start`; the run is physically contiguous. */
  pa: bigint;
}

export class IoPages implements PinHolder {
  /**
   * Ascending and disjoint; replaced whole when a pin finds none (see
   * `pin`), so it gets its first element as a literal of one (a push onto
   * an empty array reserves room for 17). While empty it is the shared NONE
   * (never pushed to): every MAP makes a set, and an empty array per set was
   * garbage the moment its first pin replaced it.
   */
  private runs: PinnedRun[] = NONE;
  /**
   * The demands that keep pages pinned: the first one alone, any others in
   * `moreDemands`. Not one list: nearly every set only ever has one (its
   * area's domain fill), and every MAP's set lives until its UNMAP, so a
   * list per set was two more objects for the collector to move and mark.
   */
  private firstDemand: PinDemand | undefined;
  private moreDemands: PinDemand[] | undefined;
  /** Made on the first access pin: most sets (every MAP makes one) never have any. */
  private records: AccessRecord[] | undefined;
  /** Where the host memory's pin ledger keeps this set (PinHolder). */
  ledgerSlot = -1;

  private constructor(
    private readonly phys: PhysMem,
    /**
     * Where the pages come from: a memfd's file range when `file` is set,
     * else `owner`'s VA range (CHANGE_PROCESS re-owns only file sets). Fields
     * rather than a source record: every MAP makes a set, and each object it
     * keeps alive until UNMAP is work for the garbage collector.
     */
    private readonly file: MemFile | undefined,
    /** The user VA or file offset of the set's first page. */
    private readonly base: bigint,
    /** The process charged for the pins (source_mm), and the user source. */
    public owner: Process,
    /** Offset of the mapped range's first byte inside the set's first page. */
    readonly firstByte: bigint,
    readonly writable: boolean,
  ) {}

  /** iopt_alloc_user_pages: the set behind [uptr, uptr + length). */
  static user(phys: PhysMem, process: Process, uptr: bigint, length: bigint, writable: boolean): IoPages {
    // Both below 2^52 (every usual MAP), the sum cannot pass U64_MAX: no BigInt to make.
    if ((Number(uptr) >= EXACT_ADDEND || Number(length) >= EXACT_ADDEND) && uptr + length > U64_MAX) {
      fail('EOVERFLOW', `user_va ${hex(uptr)} + length ${hex(length)} overflows`);
    }
    checkLength(length);
    phys.faults.check('iopt pages allocation');
    const firstByte = pageOffsetOf(uptr);
    return firstByte === 0n
      ? new IoPages(phys, undefined, uptr, process, ZERO, writable)
      : new IoPages(phys, undefined, uptr - firstByte, process, firstByte, writable);
  }

  /** iopt_alloc_file_pages: the set behind file bytes [start, start + length). */
  static file(phys: PhysMem, process: Process, file: MemFile, start: bigint, length: bigint, writable: boolean): IoPages {
    checkLength(length);
    phys.faults.check('iopt pages allocation');
    const firstByte = pageOffsetOf(start);
    return firstByte === 0n
      ? new IoPages(phys, file, start, process, ZERO, writable)
      : new IoPages(phys, file, start - firstByte, process, firstByte, writable);
  }

  /** The source address of byte `startByte` (the user VA or the file offset). */
  addressOf(startByte: bigint): bigint {
    return this.base + startByte;
  }

  get isFile(): boolean {
    return this.file !== undefined;
  }

  // ---- pinning ----

  /**
   * Pins pages [first, last] for a new user of them and returns its demand
   * (to give back to `unpin`). All-or-nothing: EFAULT when the memory is not
   * mapped (or its process is gone), EINVAL past the end of a file.
   */
  pin(start: bigint, last: bigint): PinDemand {
    this.phys.faults.check('pin user pages');
    // Runs are committed only once every page was found, so a fault pins nothing.
    let demand: PinDemand;
    if (this.runs.length === 0) {
      // A new set (every MAP makes one) has nothing pinned: the whole range
      // is the one gap, and what it finds is the whole list of runs.
      const found = this.findRuns(start, last, undefined);
      if (found) {
        this.runs = found;
        this.phys.pins.add(this);
      }
      // One run is exactly [start, last] (every MAP of contiguous memory),
      // and it is the demand too: runs never change once committed, and a
      // set keeps its demand and runs until UNMAP, so one object fewer for
      // the collector per MAP.
      demand = found?.length === 1 ? found[0]! : { start, last };
    } else {
      demand = { start, last };
      let added: PinnedRun[] | undefined;
      for (const gap of gaps(start, last, this.runs)) added = this.findRuns(gap.start, gap.last, added);
      for (const r of added ?? []) this.insertRun(r);
    }
    if (this.firstDemand === undefined) this.firstDemand = demand;
    else (this.moreDemands ??= []).push(demand);
    return demand;
  }

  /**
   * Adds to `added` (made here if undefined) the runs of host pages behind
   * the gap [gapStart, gapLast], merging physically contiguous neighbours;
   * returns the list.
   */
  private findRuns(gapStart: bigint, gapLast: bigint, added: PinnedRun[] | undefined): PinnedRun[] | undefined {
    for (let i = gapStart; i <= gapLast; ) {
      const pa = this.sourceFrame(i);
      // The pages after it that are contiguous for certain (the rest of a huge
      // page) come in one step. The gap's last page (the only one of a 4 KiB
      // MAP) ends the step anyway, so it need not ask.
      let last = i;
      if (i !== gapLast) {
        last = i + this.contiguousPages(i) - 1n;
        if (last > gapLast) last = gapLast;
      }
      if (added === undefined) added = [{ start: i, last, pa }];
      else {
        const prev = added[added.length - 1]!;
        if (prev.last === i - 1n && prev.pa + (i - prev.start) * PAGE === pa) prev.last = last;
        else added.push({ start: i, last, pa });
      }
      // The gap's end (a one-page MAP's only step): no next index to make.
      if (last === gapLast) break;
      i = last + 1n;
    }
    return added;
  }

  /** Drops a demand; pages no other demand needs are unpinned. */
  unpin(demand: PinDemand): void {
    const more = this.moreDemands;
    if (demand === this.firstDemand) this.firstDemand = more?.pop();
    else {
      const i = more ? more.indexOf(demand) : -1;
      if (i < 0) return;
      more!.splice(i, 1);
    }
    if (more?.length === 0) this.moreDemands = undefined;
    // Pins only ever cover demanded pages, so once no demand is left nothing
    // stays pinned: the common case (an area's only demand is its domain
    // fill, dropped by UNMAP) needs no gap computation.
    if (this.firstDemand === undefined) {
      this.runs = NONE;
      this.phys.pins.remove(this);
      return;
    }
    const left = [this.firstDemand, ...(this.moreDemands ?? [])];
    for (const gap of gaps(demand.start, demand.last, left)) this.dropRuns(gap.start, gap.last);
  }

  /** iopt_area_add_access: pins [first, last] for an access, sharing an identical record. */
  addAccess(start: bigint, last: bigint): void {
    const rec = this.records?.find((r) => r.start === start && r.last === last);
    if (rec) {
      rec.users++;
      return;
    }
    this.phys.faults.check('access pin record');
    const record: AccessRecord = { start, last, users: 1, demand: this.pin(start, last) };
    (this.records ??= []).push(record);
  }

  /** iopt_area_remove_access: the reverse of addAccess for the same range. */
  removeAccess(start: bigint, last: bigint): void {
    const records = this.records;
    const i = records ? records.findIndex((r) => r.start === start && r.last === last) : -1;
    if (i < 0) return;
    const rec = records![i]!;
    if (--rec.users > 0) return;
    records!.splice(i, 1);
    // Back to none: a set whose access pins are all gone looks as it did before any.
    if (records!.length === 0) this.records = undefined;
    this.unpin(rec.demand);
  }

  /** The pinned host page of index `i`, if pinned. */
  frameAt(i: bigint): bigint | undefined {
    const r = this.runs.find((x) => i >= x.start && i <= x.last);
    return r && r.pa + (i - r.start) * PAGE;
  }

  /**
   * The pinned runs that meet [start, last], ascending, as they are (not
   * clipped: every MAP maps its area's runs, and the caller clips by bytes
   * anyway). Read-only: they are the set's own records.
   */
  runsMeeting(start: bigint, last: bigint): readonly Readonly<PinnedRun>[] {
    const runs = this.runs;
    const n = runs.length;
    // When the first and the last run meet the range, every run between does
    // (they are sorted and disjoint): the list itself, not a copy, since
    // every MAP asks for the runs of a set that pins just its area.
    if (n > 0 && runs[0]!.last >= start && runs[0]!.start <= last && runs[n - 1]!.start <= last && runs[n - 1]!.last >= start) return runs;
    const out: PinnedRun[] = [];
    for (const r of this.runs) if (r.start <= last && r.last >= start) out.push(r);
    return out;
  }

  /** The set's pinned run when it has exactly one (what every MAP of contiguous memory pins). */
  onlyRun(): Readonly<PinnedRun> | undefined {
    return this.runs.length === 1 ? this.runs[0] : undefined;
  }

  pinsFrame(pfn: bigint): boolean {
    return this.runs.some((r) => {
      const f = r.pa >> BigInt(PAGE_SHIFT);
      return pfn >= f && pfn <= f + (r.last - r.start);
    });
  }

  // ---- CPU access (iopt_pages_rw_access) ----

  /**
   * Copies bytes at `startByte` of the set into `data` (or, with `write`,
   * from `data` into the pages): through the pinned page where there is one,
   * else through the source, faulting memory in as a CPU access would.
   */
  rw(startByte: bigint, data: Uint8Array, write: boolean): void {
    let done = 0;
    while (done < data.length) {
      const b = startByte + BigInt(done);
      const off = Number(b % PAGE);
      const n = Math.min(data.length - done, PAGE_SIZE - off);
      const idx = b / PAGE;
      const pa = (this.frameAt(idx) ?? this.sourceFrame(idx)) + BigInt(off);
      if (write) this.phys.write(pa, data.subarray(done, done + n));
      else data.set(this.phys.read(pa, n), done);
      done += n;
    }
  }

  // ---- internals ----

  /** The host page behind index `i` of the source (get_user_pages / the memfd's page cache). */
  private sourceFrame(i: bigint): bigint {
    const file = this.file;
    if (file === undefined) {
      // Page 0 (the first of every MAP) is at the base itself.
      const va = i === 0n ? this.base : this.base + i * PAGE;
      const pa = this.owner.translate(va);
      if (pa === undefined) fail('EFAULT', `user address ${hex(va)} is not mapped in process ${this.owner.name}`);
      return pa;
    }
    const fileIdx = this.base / PAGE + i;
    if (fileIdx * PAGE >= file.size) {
      fail('EINVAL', `file offset ${hex(fileIdx * PAGE)} is past the end of memfd ${file.name} (${hex(file.size)} bytes)`);
    }
    return file.frame(fileIdx, this.phys)!;
  }

  /** Pages from index `i` on that are physically contiguous for certain (1 unless the source is huge-page memory). */
  private contiguousPages(i: bigint): bigint {
    if (this.file !== undefined) return 1n;
    return this.owner.contiguousBytes(this.base + i * PAGE) / PAGE || 1n;
  }

  /** Adds a run to a set that already pins some (a set that pins none takes its first runs whole, in `pin`). */
  private insertRun(r: PinnedRun): void {
    let i = this.runs.length;
    while (i > 0 && this.runs[i - 1]!.start > r.start) i--;
    this.runs.splice(i, 0, r);
  }

  private dropRuns(start: bigint, last: bigint): void {
    for (let i = this.runs.length - 1; i >= 0; i--) {
      const r = this.runs[i]!;
      if (r.last < start || r.start > last) continue;
      const pieces: PinnedRun[] = [];
      if (r.start < start) pieces.push({ start: r.start, last: start - 1n, pa: r.pa });
      if (r.last > last) pieces.push({ start: last + 1n, last: r.last, pa: r.pa + (last + 1n - r.start) * PAGE });
      this.runs.splice(i, 1, ...pieces);
    }
    if (this.runs.length === 0) this.phys.pins.remove(this);
  }
}

/** Below this a sum of two values is exact as a number. */
const EXACT_ADDEND = 2 ** 52;

/** `v`'s offset inside its page: the shared ZERO for an aligned one, tested on a number when exact. */
function pageOffsetOf(v: bigint): bigint {
  const n = Number(v);
  if (n < 2 ** 53 && n % PAGE_SIZE === 0) return ZERO;
  const off = v & PAGE_MASK;
  return off === 0n ? ZERO : off;
}

/** The empty list of runs (see IoPages.runs); never pushed to. */
const NONE: never[] = [];

/** The largest length whose page count (DIV_ROUND_UP) cannot overflow. */
const MAX_LENGTH = U64_MAX - PAGE;

function checkLength(length: bigint): void {
  // The iommu API's size_t lengths, and DIV_ROUND_UP of npages, must not overflow.
  if (length === 0n || length > MAX_LENGTH) fail('EINVAL', `length ${hex(length)} is 0 or too large`);
}
