// The IOMMU core's choice of page size for each step of a map or unmap
// (iommu_pgsize): the largest size the format supports that fits in what is
// left and to which both the IOVA and the physical address are aligned.
// This is what decides between 4K pages and 2M/1G blocks.

export function pickPageSize(bitmap: bigint, iova: bigint, pa: bigint, remaining: bigint): bigint {
  let best = 0n;
  for (let bit = 0n; bit < 64n; bit++) {
    const size = 1n << bit;
    if ((bitmap & size) === 0n || size > remaining) continue;
    if (((iova | pa) & (size - 1n)) !== 0n) continue;
    best = size;
  }
  return best;
}

export function log2(size: bigint): number {
  let n = 0;
  while (1n << BigInt(n) < size) n++;
  return n;
}
