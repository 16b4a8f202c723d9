// Copying bytes between arrays. `dst.set(src.subarray(...))` makes a new
// view object per call, which costs more than copying the few dozen bytes of
// a uAPI struct or a DMA word; such short copies are a plain loop.

/** Copies below this many bytes are a loop; longer ones use the native copy. */
const SHORT_COPY = 64;

/** Copies `n` bytes from `src[srcOff..]` to `dst[dstOff..]` (both ranges must be in bounds). */
export function copyBytes(dst: Uint8Array, dstOff: number, src: Uint8Array, srcOff: number, n: number): void {
  if (n < SHORT_COPY) {
    for (let i = 0; i < n; i++) dst[dstOff + i] = src[srcOff + i]!;
    return;
  }
  dst.set(src.subarray(srcOff, srcOff + n), dstOff);
}
