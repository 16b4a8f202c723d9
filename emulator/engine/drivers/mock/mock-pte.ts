// The descriptor format of the mock IOMMU's page table. The kernel's mock
// uses the generic page table's "AMD-v1 variant with 2 KiB pages"; this is a
// format in that spirit, documented here because the debugger shows raw
// descriptors (pte(), walk()):
//
//   - 4 KiB tables of 512 little-endian 64-bit entries, three levels.
//   - Level 1 (leaf) indexes IOVA bits 11..19 and maps 2 KiB pages; level 2
//     indexes bits 20..28, level 3 (the root) bits 29..37: 38 bits of IOVA.
//   - bit 0 PR (present); bit 5 A (accessed); bit 6 D (dirty, leaves only);
//     bits 9..11 NextLevel (0: a leaf, else the level of the table pointed
//     to), as AMD-v1 encodes it; bits 12..51 the next table's address, or
//     for a leaf bits 11..51 the 2 KiB page's address; bit 61 IR (read
//     allowed), bit 62 IW (write allowed).
import { IOMMU_READ, IOMMU_WRITE } from '../../core/domain.js';

export const MOCK_LEVELS = 3;
export const MOCK_GRANULE_SHIFT = 11n;
export const MOCK_GRANULE = 1n << MOCK_GRANULE_SHIFT;
export const MOCK_INDEX_BITS = 9n;
/** The IOVA bits the table translates (38). */
export const MOCK_INPUT_BITS = MOCK_GRANULE_SHIFT + MOCK_INDEX_BITS * BigInt(MOCK_LEVELS);

export const PTE_PR = 1n << 0n;
export const PTE_A = 1n << 5n;
export const PTE_D = 1n << 6n;
const NEXT_LEVEL_SHIFT = 9n;
const NEXT_LEVEL_MASK = 7n << NEXT_LEVEL_SHIFT;
const TABLE_ADDR_MASK = ((1n << 52n) - 1n) & ~((1n << 12n) - 1n);
const LEAF_ADDR_MASK = ((1n << 52n) - 1n) & ~(MOCK_GRANULE - 1n);
export const PTE_IR = 1n << 61n;
export const PTE_IW = 1n << 62n;

/** The entry index of `iova` in a table of `level`. */
export function pteIndex(iova: bigint, level: number): number {
  const shift = MOCK_GRANULE_SHIFT + MOCK_INDEX_BITS * BigInt(level - 1);
  return Number((iova >> shift) & ((1n << MOCK_INDEX_BITS) - 1n));
}

export function tableEntry(table: bigint, nextLevel: number): bigint {
  return PTE_PR | (BigInt(nextLevel) << NEXT_LEVEL_SHIFT) | (table & TABLE_ADDR_MASK);
}

export function leafEntry(pa: bigint, prot: number): bigint {
  let e = PTE_PR | (pa & LEAF_ADDR_MASK);
  if (prot & IOMMU_READ) e |= PTE_IR;
  if (prot & IOMMU_WRITE) e |= PTE_IW;
  return e;
}

export function isPresent(e: bigint): boolean {
  return (e & PTE_PR) !== 0n;
}

/** 0 for a leaf, else the level of the table the entry points to. */
export function nextLevel(e: bigint): number {
  return Number((e & NEXT_LEVEL_MASK) >> NEXT_LEVEL_SHIFT);
}

export function tableAddress(e: bigint): bigint {
  return e & TABLE_ADDR_MASK;
}

export function leafAddress(e: bigint): bigint {
  return e & LEAF_ADDR_MASK;
}
