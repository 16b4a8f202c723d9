// The mmap offsets of an iommufd (ictx->mt_mmap): a driver region a vIOMMU
// exports gets a range of the file's offset space, lowest fit first and
// never below one page (the kernel skips page 0 so callers can tell an
// offset from "none"). The ranges in use are the live vIOMMUs' own, so
// there is no side table to keep in step (or to lose in a checkpoint copy).
import { PAGE } from './pages.js';

export interface MmapRange {
  start: bigint;
  length: bigint;
}

/** The lowest page-aligned start from one page on where `length` bytes miss every range of `used`. */
export function lowestFreeOffset(used: readonly MmapRange[], length: bigint): bigint {
  const sorted = [...used].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  let start = PAGE;
  for (const r of sorted) {
    if (r.start >= start + length) break;
    if (r.start + r.length > start) start = (r.start + r.length + PAGE - 1n) & ~(PAGE - 1n);
  }
  return start;
}
