// Kernel unsigned-long arithmetic on bigints: the IOVA code depends on where
// the C code overflows (check_add_overflow) and on the bit tricks it uses.

/** ULONG_MAX (and U64_MAX) on a 64-bit kernel. */
export const U64_MAX = (1n << 64n) - 1n;

/** Below this, a sum of two values is exact as a JS number. */
const EXACT_ADDEND = 2 ** 52;
const EXACT = 2 ** 53;

/** `start + length - 1`, or undefined where check_add_overflow would fire. */
export function lastOf(start: bigint, length: bigint): bigint | undefined {
  // Every map and unmap asks this: below 2^52 both (every address and
  // length of a usual trace) the sum is exact as a number, and one BigInt
  // is made rather than two.
  const s = Number(start);
  const l = Number(length);
  if (s < EXACT_ADDEND && l < EXACT_ADDEND) return BigInt(s + l - 1);
  const last = start + length - 1n;
  return last > U64_MAX ? undefined : last;
}

/** roundup_pow_of_two (n >= 1 and small enough not to overflow). */
export function roundupPowOfTwo(n: bigint): bigint {
  let p = 1n;
  while (p < n) p <<= 1n;
  return p;
}

/** `1 << __ffs64(n)`: the lowest set bit of a non-zero n. */
export function lowestSetBit(n: bigint): bigint {
  return n & -n;
}

/** Whether `v` is a multiple of the power of two `align`. */
export function isAligned(v: bigint, align: bigint): boolean {
  // Below 2^53 as numbers (exact; `align` is a power of two): every map
  // checks its IOVA, length and page offset, and this makes no BigInt.
  const n = Number(v);
  if (n < EXACT) return n % Number(align) === 0;
  return (v & (align - 1n)) === 0n;
}

export function hex(v: bigint | number): string {
  return `0x${v.toString(16)}`;
}
