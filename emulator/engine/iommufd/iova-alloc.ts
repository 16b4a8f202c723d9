// Automatic IOVA allocation for MAP, MAP_FILE and COPY without FIXED_IOVA
// (iopt_alloc_iova, iommufd-reference §5.3): first fit, lowest address, in the
// allowed ranges (or everywhere but the first and last page), keeping the
// source's alignment and its offset inside the CPU page.
import { fail } from '../errno.js';
import { gaps, holes, type Interval, type IntervalList } from './interval-list.js';
import { PAGE } from './pages.js';
import { hex, lowestSetBit, roundupPowOfTwo, U64_MAX } from './u64.js';

/** The THP size: with transparent huge pages on, alignment is capped here. */
const HPAGE_SIZE = 2n << 20n;

export interface IovaSpace {
  readonly areas: IntervalList<Interval>;
  readonly reserved: IntervalList<Interval>;
  readonly allowed: IntervalList<Interval>;
  readonly iovaAlignment: bigint;
}

/**
 * Picks an IOVA for `length` bytes whose source starts at `addr` (user VA or
 * file offset). EOVERFLOW for absurd lengths, EINVAL when the natural
 * alignment is below the IOAS's, ENOSPC when nothing fits.
 */
export function allocIova(space: IovaSpace, addr: bigint, length: bigint): bigint {
  // Keeps roundup_pow_of_two from overflowing.
  if (length === 0n || length >= U64_MAX / 2n) fail('EOVERFLOW', `length ${hex(length)} is 0 or too large to allocate IOVA for`);
  const natural = roundupPowOfTwo(length);
  // The source's own alignment is kept so that huge pages can back the IOVA.
  let align = addr === 0n || natural < lowestSetBit(addr) ? natural : lowestSetBit(addr);
  if (align >= HPAGE_SIZE) align = HPAGE_SIZE;
  if (align < space.iovaAlignment) {
    fail('EINVAL', `the source alignment ${hex(align)} is below the IOAS iova_alignment ${hex(space.iovaAlignment)}`);
  }
  const pageOffset = addr % PAGE;
  const lo = PAGE;
  const hi = U64_MAX - PAGE;
  // Without an allowed list the whole window is one usable span.
  const windows = space.allowed.size === 0 ? [{ start: lo, last: hi }] : gaps(lo, hi, gaps(lo, hi, space.allowed.all()));
  for (const w of windows) {
    const from = alignedStart(w, length, align, pageOffset);
    if (from === undefined) continue;
    for (const hole of holes(from, w.last, space.reserved, space.areas)) {
      const iova = alignedStart(hole, length, align, pageOffset);
      if (iova !== undefined) return iova;
    }
  }
  fail('ENOSPC', `no free IOVA range of ${hex(length)} bytes aligned to ${hex(align)}`);
}

/**
 * __alloc_iova_check_range: the span's start rounded up to `align` with the
 * page offset OR-ed in, if `length` bytes still fit before the span's end.
 */
function alignedStart(span: Interval, length: bigint, align: bigint, pageOffset: bigint): bigint | undefined {
  if (span.start + align - 1n > U64_MAX) return undefined;
  const start = ((span.start + align - 1n) & ~(align - 1n)) | pageOffset;
  if (start >= span.last || span.last - start < length - 1n) return undefined;
  return start;
}
