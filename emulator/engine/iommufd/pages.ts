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

/** Where the pages come from: a process's VA range or a memfd's file range. */
export type PagesSource =
  | { kind: 'user'; process: Process; base: bigint }
  | { kind: 'file'; file: MemFile; base: bigint };

/** Page index range [start, last] that must stay pinned while it lives. */
export type PinDemand = Interval;

/** An access pin record: identical index ranges share one, counted by users. */
export interface AccessRecord extends PinDemand {
  users: number;
}

export interface PinnedRun extends Interval {
  /** Host address of page `start`; the run is physically contiguous. */
  pa: bigint;
}

export class IoPages implements PinHolder {
  /**
   * Ascending and disjoint; replaced whole when a pin finds none (see
   * `pin`). This list and `demands` get their first element as a literal of
   * one: a push onto an empty array reserves room for 17, and every live
   * area's page set keeps both.
   */
  private runs: PinnedRun[] = [];
  private demands: PinDemand[] = [];
  /** Made on the first access pin: most sets (every MAP makes one) never have any. */
  private records: AccessRecord[] | undefined;
  /** Where the host memory's pin ledger keeps this set (PinHolder). */
  ledgerSlot = -1;

  private constructor(
    private readonly phys: PhysMem,
    /** The source; CHANGE_PROCESS may re-own a file set. */
    readonly source: PagesSource,
    /** The process charged for the pins (source_mm). */
    public owner: Process,
    /** Offset of the mapped range's first byte inside the set's first page. */
    readonly firstByte: bigint,
    readonly writable: boolean,
  ) {}

  /** iopt_alloc_user_pages: the set behind [uptr, uptr + length). */
  static user(phys: PhysMem, process: Process, uptr: bigint, length: bigint, writable: boolean): IoPages {
    if (uptr + length > U64_MAX) fail('EOVERFLOW', `user_va ${hex(uptr)} + length ${hex(length)} overflows`);
    checkLength(length);
    phys.faults.check('iopt pages allocation');
    const firstByte = uptr & PAGE_MASK;
    return new IoPages(phys, { kind: 'user', process, base: uptr - firstByte }, process, firstByte, writable);
  }

  /** iopt_alloc_file_pages: the set behind file bytes [start, start + length). */
  static file(phys: PhysMem, process: Process, file: MemFile, start: bigint, length: bigint, writable: boolean): IoPages {
    checkLength(length);
    phys.faults.check('iopt pages allocation');
    const firstByte = start & PAGE_MASK;
    return new IoPages(phys, { kind: 'file', file, base: start - firstByte }, process, firstByte, writable);
  }

  /** The source address of byte `startByte` (the user VA or the file offset). */
  addressOf(startByte: bigint): bigint {
    return this.source.base + startByte;
  }

  get isFile(): boolean {
    return this.source.kind === 'file';
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
    const demand = { start, last };
    if (this.runs.length === 0) {
      // A new set (every MAP makes one) has nothing pinned: the whole range
      // is the one gap, and what it finds is the whole list of runs.
      const found = this.findRuns(demand, undefined);
      if (found) {
        this.runs = found;
        this.phys.pins.add(this);
      }
    } else {
      let added: PinnedRun[] | undefined;
      for (const gap of gaps(start, last, this.runs)) added = this.findRuns(gap, added);
      for (const r of added ?? []) this.insertRun(r);
    }
    if (this.demands.length === 0) this.demands = [demand];
    else this.demands.push(demand);
    return demand;
  }

  /**
   * Adds to `added` (made here if undefined) the runs of host pages behind
   * `gap`, merging physically contiguous neighbours; returns the list.
   */
  private findRuns(gap: Interval, added: PinnedRun[] | undefined): PinnedRun[] | undefined {
    for (let i = gap.start; i <= gap.last; ) {
      const pa = this.sourceFrame(i);
      // The pages after it that are contiguous for certain (the rest of a huge page) come in one step.
      let n = this.contiguousPages(i);
      if (i + n - 1n > gap.last) n = gap.last - i + 1n;
      const prev = added?.[added.length - 1];
      if (prev && prev.last === i - 1n && prev.pa + (i - prev.start) * PAGE === pa) prev.last = i + n - 1n;
      else if (added) added.push({ start: i, last: i + n - 1n, pa });
      else added = [{ start: i, last: i + n - 1n, pa }];
      i += n;
    }
    return added;
  }

  /** Drops a demand; pages no other demand needs are unpinned. */
  unpin(demand: PinDemand): void {
    const i = this.demands.indexOf(demand);
    if (i < 0) return;
    // The newest demand (the usual one to go) is popped: splice would allocate the list it removes.
    if (i === this.demands.length - 1) this.demands.pop();
    else this.demands.splice(i, 1);
    // Pins only ever cover demanded pages, so once no demand is left nothing
    // stays pinned: the common case (an area's only demand is its domain
    // fill, dropped by UNMAP) needs no gap computation.
    if (this.demands.length === 0) {
      this.runs = [];
      this.phys.pins.remove(this);
      return;
    }
    for (const gap of gaps(demand.start, demand.last, this.demands)) this.dropRuns(gap.start, gap.last);
  }

  /** iopt_area_add_access: pins [first, last] for an access, sharing an identical record. */
  addAccess(start: bigint, last: bigint): void {
    const rec = this.records?.find((r) => r.start === start && r.last === last);
    if (rec) {
      rec.users++;
      return;
    }
    this.phys.faults.check('access pin record');
    // The record itself is the demand that keeps its pages pinned.
    const record: AccessRecord = Object.assign(this.pin(start, last), { users: 1 });
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
    this.unpin(rec);
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
    const out: PinnedRun[] = [];
    for (const r of this.runs) if (r.start <= last && r.last >= start) out.push(r);
    return out;
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
    const src = this.source;
    if (src.kind === 'user') {
      const va = src.base + i * PAGE;
      const pa = src.process.translate(va);
      if (pa === undefined) fail('EFAULT', `user address ${hex(va)} is not mapped in process ${src.process.name}`);
      return pa;
    }
    const fileIdx = src.base / PAGE + i;
    if (fileIdx * PAGE >= src.file.size) {
      fail('EINVAL', `file offset ${hex(fileIdx * PAGE)} is past the end of memfd ${src.file.name} (${hex(src.file.size)} bytes)`);
    }
    return src.file.frame(fileIdx, this.phys)!;
  }

  /** Pages from index `i` on that are physically contiguous for certain (1 unless the source is huge-page memory). */
  private contiguousPages(i: bigint): bigint {
    const src = this.source;
    if (src.kind !== 'user') return 1n;
    return src.process.contiguousBytes(src.base + i * PAGE) / PAGE || 1n;
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

/** The largest length whose page count (DIV_ROUND_UP) cannot overflow. */
const MAX_LENGTH = U64_MAX - PAGE;

function checkLength(length: bigint): void {
  // The iommu API's size_t lengths, and DIV_ROUND_UP of npages, must not overflow.
  if (length === 0n || length > MAX_LENGTH) fail('EINVAL', `length ${hex(length)} is 0 or too large`);
}
