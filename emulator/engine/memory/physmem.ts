// Host physical memory: sparse 4 KiB frames, allocated deterministically and
// materialised only when written, so a mapping of 1 TiB costs only the pages
// touched. Page tables, CPU memory and DMA all live here.
import { fail } from '../errno.js';
import { PinLedger } from './pin-ledger.js';

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 1 << PAGE_SHIFT;
const PAGE_MASK = BigInt(PAGE_SIZE - 1);

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

export class PhysMem {
  /** Pins held on host pages (IO page sets register here); see `pinned()`. */
  readonly pins = new PinLedger();
  private readonly frames = new Map<bigint, Uint8Array>();
  private nextFree = PHYS_BASE;
  /** How many frames may hold data at once (tests lower it). */
  frameLimit = DEFAULT_FRAME_LIMIT;

  /** Allocates `size` bytes of contiguous frames aligned to `align` (both powers of two ≥ 4K). */
  alloc(size: bigint, align: bigint = BigInt(PAGE_SIZE)): bigint {
    const pa = (this.nextFree + align - 1n) & ~(align - 1n);
    if (pa + size > PHYS_LIMIT) throw new Error('host physical memory exhausted');
    this.nextFree = pa + size;
    return pa;
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
      const frame = this.frames.get(addr >> BigInt(PAGE_SHIFT));
      if (frame) out.set(frame.subarray(off, off + n), done);
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
      this.frame(addr >> BigInt(PAGE_SHIFT)).set(bytes.subarray(done, done + n), off);
      done += n;
    }
  }

  /** Little-endian load of 1, 2, 4 or 8 bytes. */
  load(pa: bigint, width: 1 | 2 | 4 | 8): bigint {
    const b = this.read(pa, width);
    let v = 0n;
    for (let i = width - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
    return v;
  }

  store(pa: bigint, width: 1 | 2 | 4 | 8, value: bigint): void {
    const b = new Uint8Array(width);
    let v = BigInt.asUintN(width * 8, value);
    for (let i = 0; i < width; i++) {
      b[i] = Number(v & 0xffn);
      v >>= 8n;
    }
    this.write(pa, b);
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

  private frame(pfn: bigint): Uint8Array {
    let f = this.frames.get(pfn);
    if (!f) {
      if (this.frames.size >= this.frameLimit) {
        fail('ENOMEM', `the emulated host memory limit is reached: ${this.frameLimit} frames of 4 KiB hold data`);
      }
      f = new Uint8Array(PAGE_SIZE);
      this.frames.set(pfn, f);
    }
    return f;
  }
}
