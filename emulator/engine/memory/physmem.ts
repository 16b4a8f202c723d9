// Host physical memory: sparse 4 KiB frames, allocated deterministically and
// materialised only when written, so a mapping of 1 TiB costs only the pages
// touched. Page tables, CPU memory and DMA all live here. A frame that holds
// data materialises only the 512-byte chunks written: a DMA or a descriptor
// write touches a few bytes of its page, and each fresh 4 KiB of the
// emulator's own memory costs the host a page fault and its zeroing (about
// as much as the rest of the DMA), so a frame costs the host what was
// written rather than a page.
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

/** Bytes of a chunk, the unit in which a frame's bytes are materialised. */
const CHUNK_SHIFT = 9;
const CHUNK_SIZE = 1 << CHUNK_SHIFT;
const CHUNK_MASK = CHUNK_SIZE - 1;
const CHUNKS_PER_FRAME = PAGE_SIZE / CHUNK_SIZE;

/** The most chunks one slab of host memory holds (64 KiB). */
const SLAB_CHUNKS = 128;

/** A frame that holds data: its chunks by index, those never written absent (they read as zero). */
type Frame = (Uint8Array | undefined)[];

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
  private readonly frames = new Map<number, Frame>();
  /**
   * Chunks a structural copy of this memory holds too (a debugger
   * checkpoint, see `shareWithCopy`): copied before they are written, so
   * neither side sees the other's writes. The copies are carved from a slab
   * of their own (see `newChunk` for why slabs): that is bookkeeping of the
   * checkpoints, so it stays out of `slab`, which a run without copies has
   * in the same state.
   */
  private readonly copyOnWrite = { chunks: new Set<Uint8Array>(), slab: undefined as ArrayBuffer | undefined, used: 0 };
  private nextFree = PHYS_BASE;
  /**
   * Where new chunks are carved from (see `newChunk`): the slab's bytes past
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
      const n = Math.min(length - done, CHUNK_SIZE - (off & CHUNK_MASK));
      const chunk = this.frames.get(pfnOf(addr))?.[off >> CHUNK_SHIFT];
      if (chunk) copyBytes(out, done, chunk, off & CHUNK_MASK, n);
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
      const f = this.frame(pfnOf(addr));
      const i = off >> CHUNK_SHIFT;
      // Zeros written where nothing was (a freed table being cleared) leave the chunk absent: it reads as zero.
      if (f[i] !== undefined || !allZero(bytes, done, n)) copyBytes(this.chunkOf(f, i), off & CHUNK_MASK, bytes, done, n);
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
    const chunk = this.frames.get(pfn)?.[off >> CHUNK_SHIFT];
    return chunk ? loadLE(chunk, off & CHUNK_MASK, width) : 0n;
  }

  /**
   * The little-endian u32 at `pa`, a 4-aligned address given as a number
   * (exact: host addresses are below 2^40). Page-table code reads each
   * descriptor as two of these, so a map, unmap or walk step makes no BigInt
   * until it has found the leaf (pgtable/radix-table.ts).
   */
  load32(pa: number): number {
    // Host addresses are past 2^32, so not small integers: `%` on them would be a slow floating-point remainder.
    const pfn = Math.floor(pa / PAGE_SIZE);
    const off = pa - pfn * PAGE_SIZE;
    const c = this.frames.get(pfn)?.[off >> CHUNK_SHIFT];
    const o = off & CHUNK_MASK;
    return c ? (c[o]! | (c[o + 1]! << 8) | (c[o + 2]! << 16) | (c[o + 3]! << 24)) >>> 0 : 0;
  }

  /**
   * Stores the u32 `value` little-endian at `pa`, a 4-aligned address given
   * as a number (see `load32`): page-table code writes each descriptor as
   * two of these, so map and unmap make no BigInt to store one.
   */
  store32(pa: number, value: number): void {
    const pfn = Math.floor(pa / PAGE_SIZE);
    const off = pa - pfn * PAGE_SIZE;
    const i = off >> CHUNK_SHIFT;
    let f = this.frames.get(pfn);
    // Zero where nothing was written (a cleared descriptor) leaves the chunk absent: it reads as zero.
    if (value === 0 && (f === undefined || f[i] === undefined)) return;
    f ??= this.frame(pfn);
    const c = this.chunkOf(f, i);
    const o = off & CHUNK_MASK;
    c[o] = value;
    c[o + 1] = value >>> 8;
    c[o + 2] = value >>> 16;
    c[o + 3] = value >>> 24;
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
    storeLE(this.chunkOf(this.frame(pfn), off >> CHUNK_SHIFT), off & CHUNK_MASK, width, value);
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
   * For deep-clone.ts: a copy of this memory keeps the chunks it holds now
   * instead of copying them (the debugger's checkpoints would otherwise each
   * cost all the memory a trace touched); from now on both sides copy such a
   * chunk before writing it.
   */
  shareWithCopy(): Iterable<Uint8Array> {
    const held: Uint8Array[] = [];
    for (const f of this.frames.values()) {
      for (const c of f) {
        if (c === undefined) continue;
        this.copyOnWrite.chunks.add(c);
        held.push(c);
      }
    }
    // `slab` is not among them: the copy gets its own copy of it (its
    // uncarved part is zero), so the two never carve the same bytes. The
    // copies' slab starts afresh on both sides instead of being copied.
    this.copyOnWrite.slab = undefined;
    return held;
  }

  /**
   * A zeroed chunk. Chunks are views into slabs of many chunks rather than
   * buffers of their own: each ArrayBuffer is external memory the GC
   * accounts for, and thousands of small ones (every page a DMA touches)
   * made allocating a frame cost ~85 µs of collection. A slab's memory stays
   * until none of its chunks is referenced.
   */
  private newChunk(): Uint8Array {
    if (!this.slab || this.slabUsed === this.slab.byteLength) {
      // Slabs start small (a machine that touches a few pages stays small) and double up to SLAB_CHUNKS.
      const chunks = this.slab ? Math.min(2 * (this.slab.byteLength / CHUNK_SIZE), SLAB_CHUNKS) : 8;
      this.slab = new ArrayBuffer(chunks * CHUNK_SIZE);
      this.slabUsed = 0;
    }
    const c = new Uint8Array(this.slab, this.slabUsed, CHUNK_SIZE);
    this.slabUsed += CHUNK_SIZE;
    return c;
  }

  /** A chunk for a copy-on-write copy, from the copies' own slab. */
  private copiedChunk(): Uint8Array {
    const cow = this.copyOnWrite;
    if (!cow.slab || cow.used === cow.slab.byteLength) {
      cow.slab = new ArrayBuffer(SLAB_CHUNKS * CHUNK_SIZE);
      cow.used = 0;
    }
    const c = new Uint8Array(cow.slab, cow.used, CHUNK_SIZE);
    cow.used += CHUNK_SIZE;
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
      this.frames.set(pfn, f);
    }
    return f;
  }

  /** Chunk `i` of frame `f`, to write: created when first written, copied first if a copy shares it. */
  private chunkOf(f: Frame, i: number): Uint8Array {
    let c = f[i];
    if (c === undefined) f[i] = c = this.newChunk();
    else if (this.copyOnWrite.chunks.size > 0 && this.copyOnWrite.chunks.delete(c)) {
      const own = this.copiedChunk();
      own.set(c);
      f[i] = c = own;
    }
    return c;
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

