// The IOMMU core's choice of page size for each step of a map or unmap
// (iommu_pgsize): the largest size the format supports that fits in what is
// left and to which both the IOVA and the physical address are aligned.
// This is what decides between 4K pages and 2M/1G blocks.

/** The sizes of a page-size bitmap, largest first (what `pickPageSize` tries in turn). */
export function pageSizes(bitmap: bigint): bigint[] {
  // One step per set bit (lowest first), not per bit position: every new domain's table calls this.
  const sizes: bigint[] = [];
  for (let rest = BigInt.asUintN(64, bitmap); rest !== 0n; rest &= rest - 1n) sizes.unshift(rest & -rest);
  return sizes;
}

/**
 * The largest of `sizes` (largest first, from `pageSizes`) that fits; 0 if
 * none does. A map or unmap calls this once per page, so the sizes come
 * precomputed rather than from the bitmap's 64 bits each time.
 */
export function pickPageSize(sizes: readonly bigint[], iova: bigint, pa: bigint, remaining: bigint): bigint {
  const unaligned = iova | pa;
  for (let i = 0; i < sizes.length; i++) {
    const size = sizes[i]!;
    if (size <= remaining && (unaligned & (size - 1n)) === 0n) return size;
  }
  return 0n;
}
