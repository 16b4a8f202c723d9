// Host physical memory: sparse 4 KiB frames, allocated deterministically and
// materialised only when written, so a mapping of 1 TiB costs only the pages
// touched. Page tables, CPU memory and DMA all live here.
import { fail } from '../errno.js';
import { FaultInjector } from '../fault-injection.js';
import { copyBytes } from './copy-bytes.js';
import { loadLE, storeLE } from './little-endian.js';
import { PinLedger } from './pin-ledger.js';

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 1 << PAGE_SHIFT;
const PAGE_MASK = BigInt(PAGE_SIZE - 1);
const PAGE_SHIFT_N = BigInt(PAGE_SHIFT);

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

/** The most frames one slab of host memory holds (256 KiB). */
const SLAB_FRAMES = 64;

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
  private readonly frames = new Map<number, Uint8Array>();
  /**
   * Frames a structural copy of this memory holds too (a debugger
   * checkpoint, see `shareWithCopy`): copied before they are written, so
   * neither side sees the other's writes. The copies are carved from a slab
   * of their own (see `newFrame` for why slabs): that is bookkeeping of the
   * checkpoints, so it stays out of `slab`, which a run without copies has
   * in the same state.
   */
  private readonly copyOnWrite = { frames: new Set<Uint8Array>(), slab: undefined as ArrayBuffer | undefined, used: 0 };
  private nextFree = PHYS_BASE;
  /**
   * Where new frames are carved from (see `newFrame`): the slab's bytes past
   * `slabUsed` have never been handed out, so they are still zero.
   */
  private slab: ArrayBuffer | undefined;
  private slabUsed = 0;
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
    for (let a = pa & ~PAGE_MASK; a < pa + size; a += BigInt(PAGE_SIZE)) this.frames.delete(pfnOf(a));
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
      const n = Math.min(length - done, PAGE_SIZE - off);
      const frame = this.frames.get(pfnOf(addr));
      if (frame) copyBytes(out, done, frame, off, n);
      done += n;
    }
    return out;
  }

  write(pa: bigint, bytes: Uint8Array): void {
    let done = 0;
    while (done < bytes.length) {
      const addr = pa + BigInt(done);
      const off = Number(addr & PAGE_MASK);
      const n = Math.min(bytes.length - done, PAGE_SIZE - off);
      copyBytes(this.frame(pfnOf(addr)), off, bytes, done, n);
      done += n;
    }
  }

  /**
   * Little-endian load of 1, 2, 4 or 8 bytes. Page-table walks and DMA do
   * one per step, so an access inside one frame (every aligned one) reads the
   * frame directly instead of copying through `read`.
   */
  load(pa: bigint, width: 1 | 2 | 4 | 8): bigint {
    const a = exactAddress(pa);
    const off = a % PAGE_SIZE;
    if (a < 0 || off + width > PAGE_SIZE) return loadLE(this.read(pa, width), 0, width);
    const frame = this.frames.get((a - off) / PAGE_SIZE);
    return frame ? loadLE(frame, off, width) : 0n;
  }

  /** Little-endian store; inside one frame it writes the frame directly (see `load`). */
  store(pa: bigint, width: 1 | 2 | 4 | 8, value: bigint): void {
    const a = exactAddress(pa);
    const off = a % PAGE_SIZE;
    if (a < 0 || off + width > PAGE_SIZE) {
      const b = new Uint8Array(width);
      storeLE(b, 0, width, value);
      this.write(pa, b);
      return;
    }
    storeLE(this.frame((a - off) / PAGE_SIZE), off, width, value);
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
   * For deep-clone.ts: a copy of this memory keeps the frames it holds now
   * instead of copying 4 KiB each (the debugger's checkpoints would
   * otherwise each cost all the memory a trace touched); from now on both
   * sides copy such a frame before writing it.
   */
  shareWithCopy(): Iterable<Uint8Array> {
    for (const f of this.frames.values()) this.copyOnWrite.frames.add(f);
    // `slab` is not among them: the copy gets its own copy of it (its
    // uncarved part is zero), so the two never carve the same bytes. The
    // copies' slab starts afresh on both sides instead of being copied.
    this.copyOnWrite.slab = undefined;
    return this.frames.values();
  }

  /**
   * A zeroed frame. Frames are views into slabs of a few dozen frames rather
   * than 4 KiB buffers of their own: each ArrayBuffer is external memory the
   * GC accounts for, and thousands of small ones (every page a DMA touches)
   * made allocating a frame cost ~85 µs of collection. A slab's memory stays
   * until none of its frames is referenced.
   */
  private newFrame(): Uint8Array {
    if (!this.slab || this.slabUsed === this.slab.byteLength) {
      // Slabs start small (a machine that touches a few pages stays small) and double up to SLAB_FRAMES.
      const frames = this.slab ? Math.min(2 * (this.slab.byteLength / PAGE_SIZE), SLAB_FRAMES) : 4;
      this.slab = new ArrayBuffer(frames * PAGE_SIZE);
      this.slabUsed = 0;
    }
    const f = new Uint8Array(this.slab, this.slabUsed, PAGE_SIZE);
    this.slabUsed += PAGE_SIZE;
    return f;
  }

  /** A frame for a copy-on-write copy, from the copies' own slab. */
  private copiedFrame(): Uint8Array {
    const c = this.copyOnWrite;
    if (!c.slab || c.used === c.slab.byteLength) {
      c.slab = new ArrayBuffer(SLAB_FRAMES * PAGE_SIZE);
      c.used = 0;
    }
    const f = new Uint8Array(c.slab, c.used, PAGE_SIZE);
    c.used += PAGE_SIZE;
    return f;
  }

  /** The frame to write at `pfn`: created when first written, copied first if a copy shares it. */
  private frame(pfn: number): Uint8Array {
    let f = this.frames.get(pfn);
    if (f && this.copyOnWrite.frames.delete(f)) {
      const own = this.copiedFrame();
      own.set(f);
      this.frames.set(pfn, (f = own));
    }
    if (!f) {
      if (this.frames.size >= this.frameLimit) {
        fail('ENOMEM', `the emulated host memory limit is reached: ${this.frameLimit} frames of 4 KiB hold data`);
      }
      f = this.newFrame();
      this.frames.set(pfn, f);
    }
    return f;
  }
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

