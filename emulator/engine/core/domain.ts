// What the IO page table code (io_pagetable) needs of an iommu_domain that
// translates: the driver implements it over its real page-table format in
// emulated memory (iommufd-reference §5, iommu-hardware §1-2).

/** IOMMU_READ / IOMMU_WRITE / IOMMU_CACHE, as include/linux/iommu.h numbers them. */
export const IOMMU_READ = 1;
export const IOMMU_WRITE = 2;
export const IOMMU_CACHE = 4;
export const IOMMU_NOEXEC = 8;
export const IOMMU_MMIO = 0x10;
export const IOMMU_PRIV = 0x20;

export interface PagingDomain {
  /** Page sizes the domain can map (bit n set: 2^n bytes); the lowest is its granule. */
  readonly pgsizeBitmap: bigint;
  /** The IOVA window the domain translates; outside it is reserved in the IOAS. */
  readonly aperture: { start: bigint; last: bigint };
  /**
   * Maps [iova, iova+size) to [pa, pa+size) with `prot` (IOMMU_* bits). All
   * three are multiples of the granule. Throws a KernelError (ENOMEM) on failure.
   */
  map(iova: bigint, pa: bigint, size: bigint, prot: number): void;
  /** Unmaps [iova, iova+size); returns the bytes that were mapped. */
  unmap(iova: bigint, size: bigint): bigint;
  /** The physical address `iova` maps to, or undefined. */
  iovaToPhys(iova: bigint): bigint | undefined;
}

/** The smallest page size of a domain (its granule). */
export function domainGranule(d: PagingDomain): bigint {
  const b = d.pgsizeBitmap;
  return b & -b;
}
