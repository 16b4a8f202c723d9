// A process's address space (an mm): the regions the trace declares, backed by
// host frames on first touch, placed deterministically. User pointers of
// ioctls, CPU loads and stores, and page pinning all go through here. Once an
// IOMMU shares the mm (SVA), it also has a CPU page table per format asked
// for (cpu-page-table.ts), which every fault, munmap and the exit keep in step.
import { fail } from '../errno.js';
import { CpuPageTable, type CpuArch } from './cpu-page-table.js';
import { PAGE_SIZE, type PhysMem } from './physmem.js';

const PAGE = BigInt(PAGE_SIZE);
/** The offset inside a 4 KiB page, and what clears it. */
const PAGE_OFFSET_MASK = PAGE - 1n;
const PAGE_BASE_MASK = ~PAGE_OFFSET_MASK;
const PAGE_SHIFT_N = 12n;
/** Where default placement starts; regions are 2 MiB aligned, as mmap of THP-sized areas is. */
const PLACEMENT_BASE = 0x7f00_0000_0000n;
/** The page number of PLACEMENT_BASE: anonymous pages are keyed from it (see `Process.anon`). */
const PLACEMENT_VPN = Number(PLACEMENT_BASE >> PAGE_SHIFT_N);
const PLACEMENT_ALIGN = 2n << 20n;
/** The top of user space (x86-64, 47 bits). */
export const USER_LIMIT = 1n << 47n;

/** The file behind a `memfd` region: its own page cache, shared by every mapping. */
export class MemFile {
  /** file page index -> host physical address */
  readonly pages = new Map<bigint, bigint>();
  constructor(
    readonly name: string,
    readonly size: bigint,
  ) {}

  /**
   * The host page behind file page `idx`, allocated on first use when
   * `populate` is set (a memfd's page cache fills on demand).
   */
  frame(idx: bigint, phys: PhysMem, populate = true): bigint | undefined {
    let pa = this.pages.get(idx);
    if (pa === undefined && populate) {
      pa = phys.allocPage();
      this.pages.set(idx, pa);
    }
    return pa;
  }
}

export interface Region {
  name: string;
  start: bigint;
  size: bigint;
  /** Huge page size when backed by hugetlbfs-like contiguous memory. */
  hugepage?: bigint;
  /** The memfd when the region maps one (from file offset 0). */
  file?: MemFile;
}

/** A page (or huge page) the process has a frame for: where it starts, the frame, the size the CPU maps. */
interface Backing {
  va: bigint;
  pa: bigint;
  size: bigint;
}

export class Process {
  readonly regions: Region[] = [];
  /** Open memfds by fd number (the machine registers them), for IOMMU_IOAS_MAP_FILE. */
  readonly files = new Map<number, MemFile>();
  /** CAP_SYS_RESOURCE: trace processes run as root (trace-language §5). */
  capSysResource = true;
  /** Ranges removed by munmap, [start, end). */
  private readonly holes: { start: bigint; end: bigint }[] = [];
  /**
   * Anonymous memory: page key (`anonKeyOf`) -> host page frame number,
   * both JS numbers: user VAs are below 2^47 and host addresses below 2^40,
   * so both are exact, and the frame number is a small integer stored in the
   * table itself. Every pin and user copy looks a page up here, and a bigint
   * value was one more object per page to reach (a cache miss on a ring of
   * buffers) and for the collector to keep. The key counts pages from
   * PLACEMENT_BASE rather than from 0 so that pages of placed regions have
   * small keys, which V8 keeps in the table itself: a virtual page number
   * up there is past 2^31, a boxed number whose lookups cost twice as much.
   */
  private readonly anon = new Map<number, number>();
  private nextPlacement = PLACEMENT_BASE;
  /**
   * The CPU page tables built so far, by format: made when an IOMMU first
   * shares the mm, since a machine may put SVA devices behind IOMMUs of both
   * architectures (docs/nesting.md).
   */
  private readonly tables = new Map<CpuArch, CpuPageTable>();
  private exited = false;

  constructor(
    readonly name: string,
    private readonly phys: PhysMem,
  ) {}

  /** Adds a region; returns its start. Overlap with an existing region is an error. */
  map(name: string, size: bigint, opts: { at?: bigint; hugepage?: bigint; memfd?: boolean } = {}): Region {
    if (size <= 0n) throw new Error(`memory ${name}: size must be positive`);
    const align = opts.hugepage && opts.hugepage > PLACEMENT_ALIGN ? opts.hugepage : PLACEMENT_ALIGN;
    let start: bigint;
    if (opts.at !== undefined) {
      start = opts.at;
      if (start % PAGE !== 0n) throw new Error(`memory ${name}: at=0x${start.toString(16)} is not page aligned`);
      if (opts.hugepage && start % opts.hugepage !== 0n) {
        throw new Error(`memory ${name}: at= must be a multiple of the huge page size 0x${opts.hugepage.toString(16)}`);
      }
    } else {
      start = (this.nextPlacement + align - 1n) & ~(align - 1n);
      while (this.regions.some((r) => overlaps(r.start, r.size, start, size))) {
        const blocker = this.regions.find((r) => overlaps(r.start, r.size, start, size))!;
        start = (blocker.start + blocker.size + align - 1n) & ~(align - 1n);
      }
    }
    const rounded = ((size + PAGE - 1n) / PAGE) * PAGE;
    if (start + rounded > USER_LIMIT) throw new Error(`memory ${name}: 0x${start.toString(16)}+0x${size.toString(16)} is past the top of user space`);
    const clash = this.regions.find((r) => overlaps(r.start, r.size, start, rounded));
    if (clash) throw new Error(`memory ${name}: overlaps region ${clash.name}`);
    const region: Region = { name, start, size: rounded, hugepage: opts.hugepage };
    if (opts.memfd) region.file = new MemFile(name, rounded);
    this.regions.push(region);
    this.regions.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
    if (opts.at === undefined) this.nextPlacement = start + rounded;
    return region;
  }

  /** munmap: the range stops being accessible; frames already pinned stay with their pins. */
  munmap(addr: bigint, length: bigint): void {
    const end = addr + length;
    this.holes.push({ start: addr, end });
    const gone = [{ start: addr, size: length }];
    for (let va = addr & ~(PAGE - 1n); va < end; va += PAGE) {
      if (!this.anon.delete(anonKeyOf(va))) continue;
      // Dropping a huge page's frame drops all of it: its 4K pieces mapped outside the range too.
      const r = this.regions.find((x) => va >= x.start && va < x.start + x.size);
      if (r?.hugepage && !r.file) gone.push({ start: va, size: r.hugepage });
    }
    for (const t of this.tables.values()) for (const g of gone) t.remove(g.start, g.size);
  }

  /** Set when the process has exited: its memory is gone. */
  get dead(): boolean {
    return this.exited;
  }

  /** exit_mmap: the memory is gone and the page tables are emptied; their top tables wait for `drop`. */
  exit(): void {
    if (this.exited) throw new Error(`process ${this.name} has already exited`);
    this.exited = true;
    for (const t of this.tables.values()) t.clear();
  }

  /** mmdrop: nothing holds the mm any more, so its page tables are freed whole. */
  drop(): void {
    for (const t of this.tables.values()) t.free();
    this.tables.clear();
  }

  /**
   * The CPU page table in `arch`'s format, built on first use with the
   * pages the process already has (pages it faults in later are added as
   * they come).
   */
  pageTable(arch: CpuArch): CpuPageTable {
    if (this.exited) throw new Error(`process ${this.name} has exited: it has no page table to share`);
    let t = this.tables.get(arch);
    if (!t) {
      t = new CpuPageTable(arch, this.phys);
      this.tables.set(arch, t);
      const touched = [...this.anon.keys()].map((key) => PLACEMENT_BASE + BigInt(key) * PAGE);
      for (const r of this.regions) if (r.file) for (const idx of r.file.pages.keys()) if (idx * PAGE < r.size) touched.push(r.start + idx * PAGE);
      for (const va of touched) {
        const b = this.backing(va, false);
        if (b) t.install(b.va, b.pa, b.size);
      }
    }
    return t;
  }

  regionAt(va: bigint): Region | undefined {
    if (this.exited) return undefined;
    // Plain loops: every pinned page and user copy asks (twice per pinned page), and the lists are short.
    const holes = this.holes;
    for (let i = 0; i < holes.length; i++) if (va >= holes[i]!.start && va < holes[i]!.end) return undefined;
    const regions = this.regions;
    // Regions lie below 2^47 (the user address space), so their bounds are
    // exact as numbers, and a `va` that rounds as a number is past them all:
    // the test makes no BigInt.
    const n = Number(va);
    for (let i = 0; i < regions.length; i++) {
      const r = regions[i]!;
      const start = Number(r.start);
      if (n >= start && n - start < Number(r.size)) return r;
    }
    return undefined;
  }

  /**
   * How many bytes from `va` on are physically contiguous for certain: to the
   * end of its huge page on `hugepage` memory, else to the end of its 4 KiB
   * page. Pinning a huge-page region steps by this, so pinning 1 TiB of
   * 1 GiB pages takes a thousand steps, not a quarter of a billion.
   */
  contiguousBytes(va: bigint): bigint {
    const r = this.regionAt(va);
    // 4 KiB pages (the usual case, asked once per pinned page) need no region offset.
    if (!r?.hugepage || r.file) return PAGE - (va & PAGE_OFFSET_MASK);
    return r.hugepage - ((va - r.start) % r.hugepage);
  }

  /**
   * The host physical address behind `va`, faulting the page in (first
   * touch) when `populate` is set: as handle_mm_fault, that also fills the
   * page tables. Undefined when `va` is not mapped.
   */
  translate(va: bigint, populate = true): bigint | undefined {
    // Plain anonymous memory with no CPU table to fill (no SVA: the usual
    // case, once per pinned page and user copy) needs no Backing record.
    if (this.tables.size === 0) {
      const r = this.regionAt(va);
      if (r && !r.file && !r.hugepage) {
        // `va` is inside a region, so below 2^47: exact as a number, and the result (below 2^40) is one BigInt.
        const n = Number(va);
        const vpn = Math.floor(n / PAGE_SIZE);
        const pfn = this.anonPfn(vpn - PLACEMENT_VPN, populate);
        return pfn === undefined ? undefined : BigInt(pfn * PAGE_SIZE + (n - vpn * PAGE_SIZE));
      }
    }
    const b = this.backing(va, populate);
    if (!b) return undefined;
    if (populate && this.tables.size > 0) for (const t of this.tables.values()) t.install(b.va, b.pa, b.size);
    return b.pa + (va - b.va);
  }

  /** The frame behind `va` (allocated when `populate` is set) and the leaf the CPU maps it with. */
  private backing(va: bigint, populate: boolean): Backing | undefined {
    const r = this.regionAt(va);
    if (!r) return undefined;
    const off = va - r.start;
    const page = va & PAGE_BASE_MASK;
    if (r.file) {
      const pa = r.file.frame(off / PAGE, this.phys, populate);
      return pa === undefined ? undefined : { va: page, pa, size: PAGE };
    }
    if (r.hugepage) {
      const hpStart = r.start + (off / r.hugepage) * r.hugepage;
      const key = anonKeyOf(hpStart);
      const pfn = this.anon.get(key);
      let base: bigint;
      if (pfn !== undefined) base = BigInt(pfn) << PAGE_SHIFT_N;
      else {
        if (!populate) return undefined;
        base = this.phys.alloc(r.hugepage, r.hugepage);
        this.anon.set(key, Number(base >> PAGE_SHIFT_N));
      }
      // A block would also map what is no longer (or never was) the region's: then 4K pages.
      if (this.wholly(r, hpStart, r.hugepage)) return { va: hpStart, pa: base, size: r.hugepage };
      return { va: page, pa: base + (page - hpStart), size: PAGE };
    }
    const pfn = this.anonPfn(anonKeyOf(va), populate);
    return pfn === undefined ? undefined : { va: page, pa: BigInt(pfn) << PAGE_SHIFT_N, size: PAGE };
  }

  /** The host frame number of the anonymous 4 KiB page with key `key` (allocated on first touch when `populate` is set). */
  private anonPfn(key: number, populate: boolean): number | undefined {
    let pfn = this.anon.get(key);
    if (pfn === undefined) {
      if (!populate) return undefined;
      pfn = Number(this.phys.allocPage() >> PAGE_SHIFT_N);
      this.anon.set(key, pfn);
    }
    return pfn;
  }

  /** [start, start+size) lies inside `r` and no munmap cut into it. */
  private wholly(r: Region, start: bigint, size: bigint): boolean {
    if (start < r.start || start + size > r.start + r.size) return false;
    return !this.holes.some((h) => h.start < start + size && start < h.end);
  }

  /** copy_from_user: EFAULT if any byte is unmapped. */
  read(va: bigint, length: number): Uint8Array {
    const out = new Uint8Array(length);
    this.forEachPage(va, length, (pa, done, n) => out.set(this.phys.read(pa, n), done));
    return out;
  }

  /** copy_to_user: EFAULT if any byte is unmapped. */
  write(va: bigint, bytes: Uint8Array): void {
    this.forEachPage(va, bytes.length, (pa, done, n) => this.phys.write(pa, bytes.subarray(done, done + n)));
  }

  private forEachPage(va: bigint, length: number, fn: (pa: bigint, done: number, n: number) => void): void {
    let done = 0;
    while (done < length) {
      const addr = va + BigInt(done);
      const n = Math.min(length - done, Number(PAGE - (addr % PAGE)));
      const pa = this.translate(addr);
      if (pa === undefined) fail('EFAULT', `user address 0x${addr.toString(16)} is not mapped in process ${this.name}`);
      fn(pa, done, n);
      done += n;
    }
  }
}

/** The key of the page holding user address `va` in `Process.anon` (below 2^47, so exact as a number). */
function anonKeyOf(va: bigint): number {
  return Number(va >> PAGE_SHIFT_N) - PLACEMENT_VPN;
}

function overlaps(aStart: bigint, aSize: bigint, bStart: bigint, bSize: bigint): boolean {
  return aStart < bStart + bSize && bStart < aStart + aSize;
}
