// One mapped IOVA range of an io_pagetable (struct iopt_area): a slice of an
// IO page set at a byte offset, with its protection. Boundaries are fixed at
// map time; IOAS_UNMAP never splits an area.
import type { Interval } from './interval-list.js';
import { PAGE, type IoPages, type PinDemand } from './pages.js';

export class Area implements Interval {
  /** Pins taken by access records on this area (iopt_area num_accesses). */
  numAccesses = 0;
  /** Of those, pins by internal accesses (HW queues), which block UNMAP. */
  numLocks = 0;
  /** The pages pinned for the domains, while the IOAS has any. */
  domainPin?: PinDemand;
  constructor(
    /** First IOVA. */
    readonly start: bigint,
    /** Last IOVA (inclusive). */
    readonly last: bigint,
    readonly pages: IoPages,
    /** Byte offset of `start` inside the page set. */
    readonly startByte: bigint,
    /** IOMMU_READ | IOMMU_WRITE | IOMMU_CACHE bits. */
    readonly prot: number,
    /**
     * Bytes covered (last - start + 1): kept rather than recomputed, since
     * UNMAP asks once per domain, and passed in because the slice mapped
     * already holds it (one BigInt fewer kept alive per area).
     */
    readonly length: bigint,
  ) {}

  /** The sub-page offset of the area's first byte (area->page_offset). */
  get pageOffset(): bigint {
    return this.startByte % PAGE;
  }

  /** Byte offset in the page set of `iova` (iopt_area_start_byte). */
  byteOf(iova: bigint): bigint {
    return this.startByte + (iova - this.start);
  }

  /** Page index in the page set of `iova` (iopt_area_iova_to_index). */
  indexOf(iova: bigint): bigint {
    return this.byteOf(iova) / PAGE;
  }
}
