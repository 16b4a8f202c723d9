// Little-endian integers in byte arrays: how host memory, page-table
// descriptors and uAPI structs hold them. Every DMA, descriptor and struct
// field goes through here, so values that fit in a double's 53 bits go
// through one Number (one BigInt allocation) rather than a BigInt step per
// byte or per 32-bit half.

const TWO_32 = 0x1_0000_0000;
/** Values up to this are exact as a JS number. */
const SAFE = BigInt(Number.MAX_SAFE_INTEGER);
/** The high 32-bit half below which a u64 is exact as a JS number (2^53 / 2^32). */
const SAFE_HI = 0x20_0000;

/** Reads `width` bytes at `off` little-endian (all of them must lie inside `b`). */
export function loadLE(b: Uint8Array, off: number, width: 1 | 2 | 4 | 8): bigint {
  if (width === 1) return BigInt(b[off]!);
  if (width === 2) return BigInt(b[off]! | (b[off + 1]! << 8));
  const lo = (b[off]! | (b[off + 1]! << 8) | (b[off + 2]! << 16) | (b[off + 3]! << 24)) >>> 0;
  if (width === 4) return BigInt(lo);
  const hi = (b[off + 4]! | (b[off + 5]! << 8) | (b[off + 6]! << 16) | (b[off + 7]! << 24)) >>> 0;
  return hi < SAFE_HI ? BigInt(hi * TWO_32 + lo) : (BigInt(hi) << 32n) | BigInt(lo);
}

/** Writes the low `width` bytes of `value` little-endian (the rest of `value` is dropped, as a store truncates). */
export function storeLE(b: Uint8Array, off: number, width: 1 | 2 | 4 | 8, value: bigint): void {
  let lo: number;
  let hi: number;
  if (value >= 0n && value <= SAFE) {
    const n = Number(value);
    lo = n >>> 0;
    hi = (n - lo) / TWO_32;
  } else {
    lo = Number(BigInt.asUintN(32, value));
    hi = Number(BigInt.asUintN(32, value >> 32n));
  }
  b[off] = lo;
  if (width === 1) return;
  b[off + 1] = lo >>> 8;
  if (width === 2) return;
  b[off + 2] = lo >>> 16;
  b[off + 3] = lo >>> 24;
  if (width === 4) return;
  b[off + 4] = hi;
  b[off + 5] = hi >>> 8;
  b[off + 6] = hi >>> 16;
  b[off + 7] = hi >>> 24;
}
