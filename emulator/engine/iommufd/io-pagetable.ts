// The IOVA space of an IOAS (struct io_pagetable, iommufd-reference §5): its
// areas, its reserved and allowed ranges, the paging domains that mirror it
// and the accesses that read through it.
//
// The API the HWPT/device code uses:
//   addDomain(domain, owner)      a paging domain starts mirroring the IOAS
//                                 (HWPT_PAGING creation); all-or-nothing
//   removeDomain(domain)          the reverse (HWPT destroy)
//   reserveRegions(owner, ranges) a device's reserved regions (attach)
//   releaseRegions(owner)         the reverse (detach)
//   isMapped(iova), iovaAlignment
import type { PagingDomain } from '../core/domain.js';
import { domainGranule, IOMMU_WRITE } from '../core/domain.js';
import { fail } from '../errno.js';
import { FaultInjector } from '../fault-injection.js';
import { Area } from './iopt-area.js';
import { holes, type Interval, IntervalList } from './interval-list.js';
import { checkAreasAligned, requiredAlignment } from './iova-alignment.js';
import { allocIova } from './iova-alloc.js';
import { PAGE, type IoPages } from './pages.js';

/** Bytes to page indexes of a page set (PAGE_SHIFT). */
const PAGE_SHIFT_N = 12n;
import { hex, isAligned, lastOf, U64_MAX } from './u64.js';

/** A range that may not be mapped; `owner` is a domain's HWPT, a device, or null (ADD_RESERVED). */
export interface Reserved extends Interval {
  owner: object | null;
}

/** What the io_pagetable needs of an access (struct iommufd_access). */
export interface IoptAccess {
  /** PAGE_SIZE for accesses that pin pages, 1 otherwise. */
  readonly iovaAlignment: bigint;
  /** The driver's unmap callback: it must drop its pins in the range. */
  notifyUnmap(iova: bigint, length: bigint): void;
}

/** A slice of an IO page set to map (one element of iopt_pages_list). */
export interface PagesSlice {
  pages: IoPages;
  startByte: bigint;
  length: bigint;
}

/** One area's part of a contiguous IOVA range [cur, last]. */
export interface ContigPiece {
  area: Area;
  cur: bigint;
  last: bigint;
}

export class IoPagetable {
  readonly areas = new IntervalList<Area>();
  readonly reserved = new IntervalList<Reserved>();
  readonly allowed = new IntervalList<Interval>();
  iovaAlignment = 1n;
  disableLargePages = false;
  private readonly domains: { domain: PagingDomain; owner: object }[] = [];
  private readonly accesses: IoptAccess[] = [];

  /** `faults`: the machine's fail_nth hook (areas and range nodes are allocations). */
  constructor(private readonly faults = new FaultInjector()) {}

  get domainCount(): number {
    return this.domains.length;
  }

  /** Who uses the IOAS: the owners of its domains (HWPTs), then its accesses. */
  users(): object[] {
    return [...this.domains.map((d) => d.owner), ...this.accesses];
  }

  isMapped(iova: bigint): boolean {
    return this.areas.first(iova, iova) !== undefined;
  }

  /** The holes of the reserved ranges (IOAS_IOVA_RANGES; allowed ranges do not matter). */
  iovaRanges(): Interval[] {
    return holes(0n, U64_MAX, this.reserved);
  }

  // ---- map / unmap ----

  /**
   * iopt_map_pages: maps `slices` back to back at `iova`, or at an
   * automatically chosen IOVA when `iova` is undefined, and fills every
   * domain. On failure nothing is left behind. Returns the IOVA.
   */
  mapPages(slices: PagesSlice[], length: bigint, iova: bigint | undefined, prot: number): bigint {
    const first = slices[0]!;
    const at = this.placeRange(first.pages, first.startByte, length, iova);
    const added: Area[] = [];
    try {
      let cur = at;
      for (const s of slices) {
        added.push(this.insertArea(s.pages, s.startByte, s.length, cur, prot));
        cur += s.length;
      }
      for (const area of added) this.fillDomains(area);
    } catch (e) {
      for (const area of added) this.dropArea(area);
      throw e;
    }
    return at;
  }

  /**
   * `mapPages` of one whole page set (MAP and MAP_FILE, one area): the same
   * steps without a slice list or a list of areas added, which every MAP
   * would make and drop.
   */
  mapSet(pages: IoPages, length: bigint, iova: bigint | undefined, prot: number): bigint {
    const at = this.placeRange(pages, pages.firstByte, length, iova);
    const area = this.insertArea(pages, pages.firstByte, length, at, prot);
    try {
      this.fillDomains(area);
    } catch (e) {
      this.dropArea(area);
      throw e;
    }
    return at;
  }

  /** iopt_get_pages: the slices behind [iova, iova + length), which must be fully mapped (COPY). */
  getPages(iova: bigint, length: bigint): PagesSlice[] {
    if (length === 0n) fail('EINVAL', 'length is 0');
    const last = lastOf(iova, length);
    if (last === undefined) fail('EOVERFLOW', `iova ${hex(iova)} + length ${hex(length)} overflows`);
    const { pieces, done } = this.contig(iova, last);
    if (!done) fail('ENOENT', `${hex(iova)}..${hex(last)} is not completely covered by mapped areas`);
    this.faults.check('iopt pages list allocation');
    return pieces.map((p) => ({ pages: p.area.pages, startByte: p.area.byteOf(p.cur), length: p.last - p.cur + 1n }));
  }

  /**
   * iopt_for_each_contig_area: the areas covering [start, last] without a
   * hole, from `start` on; `done` says whether they reach `last`.
   */
  contig(start: bigint, last: bigint): { pieces: ContigPiece[]; done: boolean } {
    const pieces: ContigPiece[] = [];
    let area = this.areas.first(start, start);
    let cur = start;
    while (area) {
      pieces.push({ area, cur, last: area.last < last ? area.last : last });
      if (area.last >= last) return { pieces, done: true };
      cur = area.last + 1n;
      const next = this.areas.first(cur, last);
      area = next && next.start === cur ? next : undefined;
    }
    return { pieces, done: false };
  }

  /**
   * iopt_unmap_iova_range: removes every area inside [start, last] in
   * ascending order; returns the bytes removed. Not atomic: areas removed
   * before a failure stay removed. Areas pinned by external accesses are
   * first offered to their unmap callbacks.
   */
  unmapRange(start: bigint, last: bigint): bigint {
    let unmapped = 0n;
    for (let area = this.areas.first(start, last); area; area = this.areas.first(start, last)) {
      if (area.numLocks > 0) fail('EBUSY', `area ${hex(area.start)}..${hex(area.last)} is pinned by an internal access`);
      if (area.start < start || area.last > last) {
        fail('ENOENT', `area ${hex(area.start)}..${hex(area.last)} is not fully inside ${hex(start)}..${hex(last)}`);
      }
      if (area.numAccesses > 0) {
        for (const a of [...this.accesses]) a.notifyUnmap(area.start, area.length);
        // The kernel retries a few times, then gives up on an access that keeps its pins.
        if (area.numAccesses > 0) fail('EDEADLK', `an access did not unpin area ${hex(area.start)}..${hex(area.last)}`);
      }
      this.unfillDomains(area);
      this.areas.remove(area);
      // The first area's length as it is (the usual UNMAP removes one): no sum to make.
      unmapped = unmapped === 0n ? area.length : unmapped + area.length;
      // It was the lowest area in the range and reaches its end: nothing is
      // left to find (the usual UNMAP of one buffer skips a lookup).
      if (area.last >= last) break;
    }
    return unmapped;
  }

  /** iopt_unmap_all: every area; succeeds on an empty IOAS. */
  unmapAll(): bigint {
    return this.unmapRange(0n, U64_MAX);
  }

  // ---- reserved and allowed ranges ----

  /** iopt_reserve_iova: EADDRINUSE if the range meets an area or an allowed range. */
  reserve(start: bigint, last: bigint, owner: object | null): void {
    const area = this.areas.first(start, last);
    if (area) fail('EADDRINUSE', `reserving ${hex(start)}..${hex(last)} hits the mapped area ${hex(area.start)}..${hex(area.last)}`);
    const allowed = this.allowed.first(start, last);
    if (allowed) {
      fail('EADDRINUSE', `reserving ${hex(start)}..${hex(last)} hits the allowed range ${hex(allowed.start)}..${hex(allowed.last)}`);
    }
    this.faults.check('reserved range allocation');
    this.reserved.insert({ start, last, owner });
  }

  /** A device's reserved regions; on a conflict none of `owner`'s reservations stay. */
  reserveRegions(owner: object, ranges: readonly Interval[]): void {
    try {
      for (const r of ranges) this.reserve(r.start, r.last, owner);
    } catch (e) {
      this.releaseRegions(owner);
      throw e;
    }
  }

  /** Removes every reservation owned by `owner`. */
  releaseRegions(owner: object): void {
    for (const r of this.reserved.all().filter((x) => x.owner === owner)) this.reserved.remove(r);
  }

  /** iopt_set_allow_iova: replaces the allowed list atomically (EADDRINUSE on a reserved range). */
  setAllowed(ranges: Interval[]): void {
    // The kernel allocates every node before it swaps the lists.
    for (let i = 0; i < ranges.length; i++) this.faults.check('allowed range allocation');
    const old = this.allowed.replace(ranges);
    for (const a of this.allowed.all()) {
      const r = this.reserved.first(a.start, a.last);
      if (r) {
        this.allowed.replace(old);
        fail('EADDRINUSE', `allowed range ${hex(a.start)}..${hex(a.last)} intersects the reserved range ${hex(r.start)}..${hex(r.last)}`);
      }
    }
  }

  // ---- domains ----

  /**
   * iopt_table_add_domain: `domain` starts mirroring the IOAS. EINVAL if its
   * granule exceeds PAGE_SIZE; EADDRINUSE if raising the alignment breaks an
   * area or the reservations outside its aperture (owned by `owner`) hit an
   * area or an allowed range; EFAULT/ENOMEM from pinning and mapping. On
   * failure nothing changes.
   */
  addDomain(domain: PagingDomain, owner: object): void {
    if (this.domains.some((d) => d.domain === domain)) fail('EEXIST', 'the domain is already in this IOAS');
    const granule = domainGranule(domain);
    const align = granule > this.iovaAlignment ? granule : this.iovaAlignment;
    // iopt_pages works in PAGE_SIZE units: a domain must accept PAGE_SIZE mappings.
    if (align > PAGE) fail('EINVAL', `the domain's smallest page ${hex(granule)} is larger than PAGE_SIZE`);
    if (align !== this.iovaAlignment) checkAreasAligned(this.areas.all(), align);
    const { start, last } = domain.aperture;
    const first = this.domains.length === 0;
    const filled: Area[] = [];
    try {
      if (start !== 0n) this.reserve(0n, start - 1n, owner);
      if (last !== U64_MAX) this.reserve(last + 1n, U64_MAX, owner);
      for (const area of this.areas.all()) {
        // The first domain pins everything; later ones map what is already pinned.
        if (first) area.domainPin = area.pages.pin(area.indexOf(area.start), area.indexOf(area.last));
        try {
          mapArea(area, domain);
        } catch (e) {
          if (first) this.dropDomainPin(area);
          throw e;
        }
        filled.push(area);
      }
    } catch (e) {
      for (const area of filled) {
        domain.unmap(area.start, area.length);
        if (first) this.dropDomainPin(area);
      }
      this.releaseRegions(owner);
      throw e;
    }
    this.iovaAlignment = align;
    this.domains.push({ domain, owner });
  }

  /** iopt_table_remove_domain: unmaps everything from it, drops its reservations, lowers the alignment. */
  removeDomain(domain: PagingDomain): void {
    const i = this.domains.findIndex((d) => d.domain === domain);
    if (i < 0) return;
    const { owner } = this.domains.splice(i, 1)[0]!;
    for (const area of this.areas.all()) {
      domain.unmap(area.start, area.length);
      if (this.domains.length === 0) this.dropDomainPin(area);
    }
    this.releaseRegions(owner);
    this.recomputeAlignment();
  }

  // ---- accesses and the huge-pages option ----

  /** iopt_add_access: EADDRINUSE if the access's alignment breaks an area. */
  addAccess(access: IoptAccess): void {
    this.accesses.push(access);
    try {
      this.recomputeAlignment();
    } catch (e) {
      this.accesses.pop();
      throw e;
    }
  }

  removeAccess(access: IoptAccess): void {
    const i = this.accesses.indexOf(access);
    if (i >= 0) this.accesses.splice(i, 1);
    this.recomputeAlignment();
  }

  /** IOMMU_OPTION HUGE_PAGES set (iopt_enable/disable_large_pages). */
  setLargePages(enabled: boolean): void {
    if (enabled) {
      this.disableLargePages = false;
      this.recomputeAlignment();
      return;
    }
    if (this.disableLargePages) return;
    if (this.domains.length > 0 && this.areas.size > 0) {
      fail('EINVAL', 'large pages cannot be disabled while domains already map areas');
    }
    this.disableLargePages = true;
    try {
      this.recomputeAlignment();
    } catch (e) {
      this.disableLargePages = false;
      throw e;
    }
  }

  // ---- internals ----

  /**
   * The checks of iopt_map_pages before any area is made: the length, then
   * the IOVA (`iova` checked, or one allocated for a first slice at
   * `startByte` of `pages`).
   */
  private placeRange(pages: IoPages, startByte: bigint, length: bigint, iova: bigint | undefined): bigint {
    if (length === 0n || !isAligned(length, this.iovaAlignment)) {
      fail('EINVAL', `length ${hex(length)} is 0 or not a multiple of the iova_alignment ${hex(this.iovaAlignment)}`);
    }
    // The first slice's source address guesses the ideal alignment.
    if (iova === undefined) return allocIova(this, pages.addressOf(startByte), length);
    this.checkIova(iova, length);
    return iova;
  }

  /** Undoes an area a failed map added. */
  private dropArea(area: Area): void {
    if (area.domainPin) this.unfillDomains(area);
    this.areas.remove(area);
  }

  /** iopt_check_iova: a FIXED_IOVA range must be aligned, free and not reserved. */
  private checkIova(iova: bigint, length: bigint): void {
    if (!isAligned(iova, this.iovaAlignment)) fail('EINVAL', `iova ${hex(iova)} is not aligned to ${hex(this.iovaAlignment)}`);
    const last = lastOf(iova, length);
    if (last === undefined) fail('EOVERFLOW', `iova ${hex(iova)} + length ${hex(length)} overflows`);
    const r = this.reserved.first(iova, last);
    if (r) fail('EINVAL', `${hex(iova)}..${hex(last)} intersects the reserved range ${hex(r.start)}..${hex(r.last)}`);
    const a = this.areas.first(iova, last);
    if (a) fail('EEXIST', `${hex(iova)}..${hex(last)} intersects the mapped area ${hex(a.start)}..${hex(a.last)}`);
  }

  /** iopt_insert_area. */
  private insertArea(pages: IoPages, startByte: bigint, length: bigint, iova: bigint, prot: number): Area {
    if (prot & IOMMU_WRITE && !pages.writable) fail('EPERM', 'writeable mapping of pages that were mapped read-only');
    // A page-aligned source (nearly every MAP) has offset 0, aligned to anything.
    if (startByte !== 0n) {
      const pageOffset = startByte % PAGE;
      if (!isAligned(pageOffset, this.iovaAlignment)) {
        fail('EINVAL', `the source's page offset ${hex(pageOffset)} is not a multiple of the iova_alignment ${hex(this.iovaAlignment)}`);
      }
    }
    const last = lastOf(iova, length);
    if (last === undefined) fail('EOVERFLOW', `iova ${hex(iova)} + length ${hex(length)} overflows`);
    this.faults.check('iopt area allocation');
    const area = new Area(iova, last, pages, startByte, prot, length);
    this.areas.insert(area);
    return area;
  }

  /** iopt_area_fill_domains: pins the area's pages and maps them into every domain. */
  private fillDomains(area: Area): void {
    const domains = this.domains;
    if (domains.length === 0) return;
    let first: bigint;
    let last: bigint;
    if (area.startByte === 0n && area.length === PAGE) {
      // A one-page area at the start of its set (every 4 KiB MAP) pins page
      // 0 alone: no index arithmetic, and the demand keeps the literal.
      first = last = 0n;
    } else {
      first = area.startByte >> PAGE_SHIFT_N;
      last = (area.startByte + area.length - 1n) >> PAGE_SHIFT_N;
      // A one-page area pins [first, first]: one BigInt kept alive by its demand, not two equal ones.
      if (last === first) last = first;
    }
    area.domainPin = area.pages.pin(first, last);
    // Indexes rather than a list of the domains filled: this runs on every MAP.
    let mapped = 0;
    try {
      for (; mapped < domains.length; mapped++) mapArea(area, domains[mapped]!.domain);
    } catch (e) {
      for (let i = 0; i < mapped; i++) domains[i]!.domain.unmap(area.start, area.length);
      this.dropDomainPin(area);
      throw e;
    }
  }

  private unfillDomains(area: Area): void {
    const domains = this.domains;
    for (let i = 0; i < domains.length; i++) domains[i]!.domain.unmap(area.start, area.length);
    this.dropDomainPin(area);
  }

  private dropDomainPin(area: Area): void {
    if (area.domainPin) area.pages.unpin(area.domainPin);
    area.domainPin = undefined;
  }

  /** iopt_calculate_iova_alignment. */
  private recomputeAlignment(): void {
    const align = requiredAlignment(this.disableLargePages, [
      ...this.domains.map((d) => domainGranule(d.domain)),
      ...this.accesses.map((a) => a.iovaAlignment),
    ]);
    if (align > this.iovaAlignment) checkAreasAligned(this.areas.all(), align);
    this.iovaAlignment = align;
  }
}

/**
 * Maps an area into one domain, one call per physically contiguous pinned
 * run (so a domain with large pages can use them and a huge area costs one
 * call per run, not per page). Undoes its own partial work on failure.
 */
function mapArea(area: Area, domain: PagingDomain): void {
  const only = area.startByte === 0n ? area.pages.onlyRun() : undefined;
  if (only !== undefined && only.start === 0n && area.length <= (only.last === 0n ? PAGE : (only.last + 1n) << PAGE_SHIFT_N)) {
    // The area starts at its set's first page and the set's one run holds it
    // all (every MAP of contiguous memory): one call from the run's own
    // address, none of the clipping arithmetic below.
    domain.map(area.start, only.pa, area.length, area.prot);
    return;
  }
  const b0 = area.startByte;
  const b1 = area.startByte + area.length - 1n;
  let mapped = 0n;
  try {
    for (const run of area.pages.runsMeeting(b0 >> PAGE_SHIFT_N, b1 >> PAGE_SHIFT_N)) {
      // The run's bytes, clipped to the area's: [from, from + bytes).
      const runFirst = run.start << PAGE_SHIFT_N;
      const runLast = ((run.last + 1n) << PAGE_SHIFT_N) - 1n;
      const from = runFirst > b0 ? runFirst : b0;
      const bytes = (runLast < b1 ? runLast : b1) - from + 1n;
      domain.map(area.start + (from - b0), run.pa + (from - runFirst), bytes, area.prot);
      mapped += bytes;
    }
  } catch (e) {
    if (mapped > 0n) domain.unmap(area.start, mapped);
    throw e;
  }
}
