// iova_alignment (iommufd-reference §5.2): the granularity every area of an
// IOAS must keep, driven by its domains, its accesses and the huge-pages option.
import { fail } from '../errno.js';
import type { Area } from './iopt-area.js';
import { PAGE } from './pages.js';
import { hex, isAligned } from './u64.js';

/** The alignment the current users of an IOAS require. */
export function requiredAlignment(disableLargePages: boolean, users: Iterable<bigint>): bigint {
  // Without large pages the IOAS is mapped PAGE_SIZE at a time (batch_iommu_map_small).
  let align = disableLargePages ? PAGE : 1n;
  for (const a of users) if (a > align) align = a;
  return align;
}

/**
 * iopt_check_iova_alignment: raising the alignment is refused with
 * EADDRINUSE if an existing area's IOVA, length or page offset breaks it.
 */
export function checkAreasAligned(areas: readonly Area[], align: bigint): void {
  for (const a of areas) {
    if (!isAligned(a.start, align) || !isAligned(a.length, align) || !isAligned(a.pageOffset, align)) {
      fail('EADDRINUSE', `area ${hex(a.start)}..${hex(a.last)} (page offset ${hex(a.pageOffset)}) is not aligned to ${hex(align)}`);
    }
  }
}
