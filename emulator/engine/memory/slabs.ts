// Zeroed byte arrays carved from shared slabs rather than each a buffer of
// its own: every ArrayBuffer is external memory that V8's collector
// accounts for, and thousands of small ones (a chunk for every page a DMA
// touches, an argument struct for every ioctl) cost far more in collection
// than the bytes themselves. A slab stays alive while any array carved from
// it does; bytes are never handed out twice, so no two arrays share any.

export class Slabs {
  private slab: ArrayBuffer | undefined;
  /** Bytes of `slab` handed out; the rest has never been written, so it is still zero. */
  private used = 0;

  /**
   * Slabs of `first` bytes, each later one twice the last up to `max` (a
   * first slab that is small keeps a small user small); each array starts
   * at a multiple of `align`.
   */
  constructor(
    private readonly max: number,
    private readonly first = max,
    private readonly align = 1,
  ) {}

  /** `n` zeroed bytes (at most `first`). */
  take(n: number): Uint8Array {
    if (!this.slab || this.used + n > this.slab.byteLength) {
      this.slab = new ArrayBuffer(this.slab ? Math.min(2 * this.slab.byteLength, this.max) : this.first);
      this.used = 0;
    }
    const out = new Uint8Array(this.slab, this.used, n);
    this.used += (n + this.align - 1) & ~(this.align - 1);
    return out;
  }

  /** The next `take` starts a slab of its own (and the current one is dropped). */
  startAfresh(): void {
    this.slab = undefined;
  }
}
