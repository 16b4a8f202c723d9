// Host physical memory: sparse 4 KiB frames, allocated deterministically and
// materialised only when written, so a mapping of 1 TiB costs only the pages
// touched. Page tables, CPU memory and DMA all live here. A frame that holds
// data materialises only the 512-byte chunk written first: a DMA touches a
// few bytes of its page, and each fresh 4 KiB of the emulator's own memory
// costs the host a page fault and its zeroing (about as much as the rest of
// the DMA), so such a frame costs the host what was written rather than a
// page. A frame written in a second chunk (a page table filling up, a DMA
// burst) becomes one whole 4 KiB array: a walk reading a table among
// thousands then chases one object to its bytes, not array, chunk list and
// chunk, and with 1e6 mappings each of those is a cache miss.
import { fail } from '../errno.js';
import { FaultInjector } from '../fault-injection.js';
import { copyBytes } from './copy-bytes.js';
import { loadLE, storeLE } from './little-endian.js';
import { PinLedger } from './pin-ledger.js';
import { Slabs } from './slabs.js';

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 1 << PAGE_SHIFT;
const PAGE_MASK = BigInt(PAGE_SIZE - 1);
const PAGE_SHIFT_N = BigInt(PAGE_SHIFT);
const PAGE_OFFSET_MASK = PAGE_SIZE - 1;

/** Host physical addresses stay below 2^40 (trace-language §5). */
export const PHYS_LIMIT = 1n << 40n;
/** The first frame handed out; low memory is left to firmware, as on a PC. */
const PHYS_BASE = 0x1_0000_0000n;

/**
 * The default cap on frames holding data (1 GiB): the emulator's own memory
 * use is the frames a trace touches, so an untrusted trace that writes
 * without end gets ENOMEM instead of exhausting the host.
 */
export const DEFAULT_FRAME_LIMIT = 1 << 18;

/** Bytes of a chunk, the unit in which a frame's bytes are materialised. */
const CHUNK_SHIFT = 9;
const CHUNK_SIZE = 1 << CHUNK_SHIFT;
const CHUNK_MASK = CHUNK_SIZE - 1;
const CHUNKS_PER_FRAME = PAGE_SIZE / CHUNK_SIZE;

/** The most bytes one slab of host memory holds (128 chunks, 16 frames). */
const SLAB_BYTES = 64 * 1024;

/** A frame written in one chunk so far: its chunks by index, those never written absent (they read as zero). */
type Chunks = (Uint8Array | undefined)[];

/** A frame that holds data: a chunk list, or (written in more than one chunk) its whole 4 KiB. */
type Frame = Chunks | Uint8Array;

/** A frame that is held whole (a chunk list has CHUNKS_PER_FRAME entries, a whole frame PAGE_SIZE bytes). */
function isWhole(f: Frame): f is Uint8Array {
  return f.length === PAGE_SIZE;
}

/**
 * Where in the array the last `locate`/`writable` returned the byte asked
 * for lies: a module's scratch rather than a returned pair (no allocation
 * per load) or a field (it is not state of the memory).
 */
const spot = { at: 0 };

export class PhysMem {
  /** Pins held on host pages (IO page sets register here); see `pinned()`. */
  readonly pins = new PinLedger();
  /**
   * The machine's fail_nth hook (fault-injection.ts). It lives here because
   * host memory is the one per-machine object every allocator already
   * reaches: object tables, IO page sets, page tables and drivers.
   */
  readonly faults = new FaultInjector();
  /** Frames by page frame number (a JS number: exact below 2^53, and far cheaper to hash than a bigint). */
  private frames = new Map<number, Frame>();
  /**
   * Chunks, whole frames and chunk lists a structural copy of this memory
   * holds too (a debugger checkpoint, see `shareWithCopy`): copied before
   * they are written, so neither side sees the other's writes. `table`:
   * the frame table itself is shared too, until either side adds, replaces
   * or drops a frame (`framesToChange`). The copies are carved
   * from slabs of their own (`copies`): that is bookkeeping of the
   * checkpoints, so it stays out of `slabs`, which a run
   * without copies has in the same state.
   */
  private readonly copyOnWrite = { held: new Set<Uint8Array | Chunks>(), table: false, copies: new Slabs(SLAB_BYTES) };
  private nextFree = PHYS_BASE;
  /**
   * Where new chunks and whole frames are carved from: slabs start at a page
   * (a machine that touches a few pages stays small) and double up to
   * SLAB_BYTES.
   */
  private readonly slabs = new Slabs(SLAB_BYTES, PAGE_SIZE);
  /** How many frames may hold data at once (tests lower it). */
  frameLimit = DEFAULT_FRAME_LIMIT;

  /** Allocates `size` bytes of contiguous frames aligned to `align` (both powers of two ≥ 4K). */
  alloc(size: bigint, align: bigint = BigInt(PAGE_SIZE)): bigint {
    const pa = (this.nextFree + align - 1n) & ~(align - 1n);
    if (pa + size > PHYS_LIMIT) throw new Error('host physical memory exhausted');
    this.nextFree = pa + size;
    return pa;
  }

  /**
   * Returns [pa, pa+size) to the host: its frames stop holding data (they
   * read as zero and leave `touchedFrames`). The addresses are not handed out
   * again; the bump allocator keeps placement deterministic.
   */
  free(pa: bigint, size: bigint): void {
    for (let a = pa & ~PAGE_MASK; a < pa + size; a += BigInt(PAGE_SIZE)) this.framesToChange().delete(pfnOf(a));
  }

  /** One zeroed 4 KiB frame. */
  allocPage(): bigint {
    return this.alloc(BigInt(PAGE_SIZE));
  }

  read(pa: bigint, length: number): Uint8Array {
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const addr = pa + BigInt(done);
      const off = Number(addr & PAGE_MASK);
      const n = Math.min(length - done, CHUNK_SIZE - (off & CHUNK_MASK));
      const bytes = this.locate(pfnOf(addr), off);
      if (bytes) copyBytes(out, done, bytes, spot.at, n);
      done += n;
    }
    return out;
  }

  write(pa: bigint, bytes: Uint8Array): void {
    let done = 0;
    while (done < bytes.length) {
      const addr = pa + BigInt(done);
      const off = Number(addr & PAGE_MASK);
      const n = Math.min(bytes.length - done, CHUNK_SIZE - (off & CHUNK_MASK));
      const pfn = pfnOf(addr);
      // Zeros written where nothing was (a freed table being cleared) leave the chunk absent: it reads as zero.
      if (this.locate(pfn, off) !== undefined || !allZero(bytes, done, n)) copyBytes(this.writable(pfn, off), spot.at, bytes, done, n);
      else this.frame(pfn);
      done += n;
    }
  }

  /**
   * Little-endian load of 1, 2, 4 or 8 bytes. Page-table walks and DMA do
   * one per step, so an access inside one chunk (every aligned one) reads it
   * directly instead of copying through `read`.
   */
  load(pa: bigint, width: 1 | 2 | 4 | 8): bigint {
    const a = exactAddress(pa);
    // Host addresses are past 2^32: `a % PAGE_SIZE` would be a slow floating-point remainder.
    const pfn = Math.floor(a / PAGE_SIZE);
    const off = a - pfn * PAGE_SIZE;
    if (a < 0 || (off & CHUNK_MASK) + width > CHUNK_SIZE) return loadLE(this.read(pa, width), 0, width);
    const bytes = this.locate(pfn, off);
    return bytes ? loadLE(bytes, spot.at, width) : 0n;
  }

  /**
   * The 8-byte-aligned little-endian u64 at byte `offset` of frame `frame`
   * (the offset may run past it, in a table of several frames), as its two
   * u32 halves, into `out`. Page-table code reads each descriptor this way
   * (pgtable/radix-table.ts), so a map, unmap or walk step makes no BigInt
   * until it has found the leaf; and a frame number and offset are small
   * integers, where an address past 4 GiB is a heap number at every call.
   */
  loadWords(frame: number, offset: number, out: { lo: number; hi: number }): void {
    const c = this.locate(frame + (offset >>> PAGE_SHIFT), offset & PAGE_OFFSET_MASK);
    if (c === undefined) {
      out.lo = 0;
      out.hi = 0;
      return;
    }
    // Aligned, so both halves lie in the same chunk.
    const o = spot.at;
    out.lo = (c[o]! | (c[o + 1]! << 8) | (c[o + 2]! << 16) | (c[o + 3]! << 24)) >>> 0;
    out.hi = (c[o + 4]! | (c[o + 5]! << 8) | (c[o + 6]! << 16) | (c[o + 7]! << 24)) >>> 0;
  }

  /** Stores the u64 of halves `lo` and `hi` as `loadWords` reads it. */
  storeWords(frame: number, offset: number, lo: number, hi: number): void {
    const pfn = frame + (offset >>> PAGE_SHIFT);
    const off = offset & PAGE_OFFSET_MASK;
    // Zero where nothing was written (a cleared descriptor) leaves the chunk absent: it reads as zero.
    if (lo === 0 && hi === 0 && this.locate(pfn, off) === undefined) return;
    const c = this.writable(pfn, off);
    const o = spot.at;
    c[o] = lo;
    c[o + 1] = lo >>> 8;
    c[o + 2] = lo >>> 16;
    c[o + 3] = lo >>> 24;
    c[o + 4] = hi;
    c[o + 5] = hi >>> 8;
    c[o + 6] = hi >>> 16;
    c[o + 7] = hi >>> 24;
  }

  /** Little-endian store; inside one chunk it writes the chunk directly (see `load`). */
  store(pa: bigint, width: 1 | 2 | 4 | 8, value: bigint): void {
    const a = exactAddress(pa);
    const pfn = Math.floor(a / PAGE_SIZE);
    const off = a - pfn * PAGE_SIZE;
    if (a < 0 || (off & CHUNK_MASK) + width > CHUNK_SIZE) {
      const b = new Uint8Array(width);
      storeLE(b, 0, width, value);
      this.write(pa, b);
      return;
    }
    const bytes = this.writable(pfn, off);
    storeLE(bytes, spot.at, width, value);
  }

  /**
   * The `pinned()` query: how many pins hold the 4 KiB host page containing
   * `pa` (on huge-page memory, only that 4 KiB part counts).
   */
  pinned(pa: bigint): number {
    return this.pins.count(pa >> BigInt(PAGE_SHIFT));
  }

  /** How many frames hold data (for benchmarks and the debugger). */
  get touchedFrames(): number {
    return this.frames.size;
  }

  /**
   * For deep-clone.ts: a copy of this memory keeps the chunks, whole frames
   * and chunk lists it holds now instead of copying them (the debugger's
   * checkpoints would otherwise each cost all the memory a trace touched,
   * and the chunk lists alone, one per page a DMA touched, were a third of
   * a copy's heap); from now on both sides copy such an array, or the frame
   * table, before changing it.
   */
  shareWithCopy(): Iterable<object> {
    // The frame table (an entry a frame the trace touched) goes to the copy as it is.
    const held: object[] = [this.frames];
    this.copyOnWrite.table = true;
    const hold = (x: Uint8Array | Chunks): void => {
      this.copyOnWrite.held.add(x);
      held.push(x);
    };
    for (const f of this.frames.values()) {
      hold(f);
      if (!isWhole(f)) for (const c of f) if (c !== undefined) hold(c);
    }
    // `slabs` is not among them: the copy gets its own copy of the current
    // slab (its uncarved part is zero), so the two never carve the same
    // bytes. The copies' slabs start afresh on both sides instead.
    this.copyOnWrite.copies.startAfresh();
    return held;
  }

  /**
   * The array holding byte `off` of frame `pfn` (the index there in
   * `spot.at`), or undefined where nothing was written (it reads as zero).
   */
  private locate(pfn: number, off: number): Uint8Array | undefined {
    const f = this.frames.get(pfn);
    if (f === undefined) return undefined;
    if (isWhole(f)) {
      spot.at = off;
      return f;
    }
    spot.at = off & CHUNK_MASK;
    return f[off >> CHUNK_SHIFT];
  }

  /**
   * The array to write byte `off` of frame `pfn` in (the index there in
   * `spot.at`): the frame holds data from now on; a chunk is made when first
   * written, a frame's second chunk makes it whole, and what a copy shares
   * is copied first.
   */
  private writable(pfn: number, off: number): Uint8Array {
    const f = this.frame(pfn);
    if (isWhole(f)) {
      spot.at = off;
      return this.copyOnWrite.held.size > 0 ? this.own(pfn, f) : f;
    }
    const i = off >> CHUNK_SHIFT;
    let c = f[i];
    if (c === undefined && f.some((x) => x !== undefined)) return this.makeWhole(pfn, f, off);
    if (c === undefined || (this.copyOnWrite.held.size > 0 && this.copyOnWrite.held.delete(c))) {
      this.ownChunks(pfn, f)[i] = c = c === undefined ? this.slabs.take(CHUNK_SIZE) : this.copied(c);
    }
    spot.at = off & CHUNK_MASK;
    return c;
  }

  /** The frame table, to change: copied first if a copy shares it. */
  private framesToChange(): Map<number, Frame> {
    if (this.copyOnWrite.table) {
      this.frames = new Map(this.frames);
      this.copyOnWrite.table = false;
    }
    return this.frames;
  }

  /** Chunk list `f` of frame `pfn`, to change: copied first if a copy shares it (its chunks stay shared). */
  private ownChunks(pfn: number, f: Chunks): Chunks {
    if (this.copyOnWrite.held.size === 0 || !this.copyOnWrite.held.delete(f)) return f;
    const own = f.slice();
    this.framesToChange().set(pfn, own);
    return own;
  }

  /** Frame `f`'s chunks gathered into one 4 KiB array, which replaces it; returns it with `spot.at` set to `off`. */
  private makeWhole(pfn: number, f: Chunks, off: number): Uint8Array {
    const whole = this.slabs.take(PAGE_SIZE);
    this.copyOnWrite.held.delete(f);
    f.forEach((c, i) => {
      if (c === undefined) return;
      whole.set(c, i * CHUNK_SIZE);
      // A copy may still share the chunk (and the list); this side no longer holds them.
      this.copyOnWrite.held.delete(c);
    });
    this.framesToChange().set(pfn, whole);
    spot.at = off;
    return whole;
  }

  /** Whole frame `f`, copied first if a copy shares it. */
  private own(pfn: number, f: Uint8Array): Uint8Array {
    if (!this.copyOnWrite.held.delete(f)) return f;
    const own = this.copied(f);
    this.framesToChange().set(pfn, own);
    return own;
  }

  /** A copy of `shared` (a chunk or a whole frame a copy holds too), from the copies' own slabs. */
  private copied(shared: Uint8Array): Uint8Array {
    const c = this.copyOnWrite.copies.take(shared.length);
    c.set(shared);
    return c;
  }

  /** The frame to write at `pfn`: it holds data from its first write on, and the frame limit counts it then. */
  private frame(pfn: number): Frame {
    let f = this.frames.get(pfn);
    if (!f) {
      if (this.frames.size >= this.frameLimit) {
        fail('ENOMEM', `the emulated host memory limit is reached: ${this.frameLimit} frames of 4 KiB hold data`);
      }
      f = new Array<Uint8Array | undefined>(CHUNKS_PER_FRAME).fill(undefined);
      this.framesToChange().set(pfn, f);
    }
    return f;
  }
}

/** Whether `bytes[from..from+n)` are all zero. */
function allZero(bytes: Uint8Array, from: number, n: number): boolean {
  for (let i = from; i < from + n; i++) if (bytes[i] !== 0) return false;
  return true;
}

/** The most a physical address can be to be exact as a JS number. */
const EXACT_LIMIT = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * `pa` as a JS number, or -1 past 2^53 (only a raw `phys_load` can ask
 * that high). Loads and stores then split it into frame and offset without
 * allocating BigInts: they run once per page-table level of every map,
 * unmap and walk.
 */
function exactAddress(pa: bigint): number {
  return pa >= 0n && pa <= EXACT_LIMIT ? Number(pa) : -1;
}

function pfnOf(pa: bigint): number {
  return Number(pa >> PAGE_SHIFT_N);
}

