// What a page-table format tells the radix-tree code (radix-table.ts): its
// geometry level by level and how its descriptors are encoded and decoded.
// One implementation per format: arm-lpae.ts, x86-64.ts, vtd-ss.ts.
import type { ErrnoName } from '../errno.js';
import type { WalkStep } from '../machine-api.js';

/** One level of the tree, from the top down. */
export interface PtLevel {
  /** The level as the architecture numbers it (Arm 0..3, x86 5..1). */
  readonly level: number;
  /** log2 of the bytes one entry at this level covers. */
  readonly shift: number;
  /** log2 of the entries of a table at this level (the top may be smaller, or concatenated). */
  readonly indexBits: number;
  /** A leaf of this level's size is in the page-size bitmap. */
  readonly leafOk: boolean;
}

/** log2 of the unit `tableFrameOf` counts in (4 KiB). */
export const TABLE_FRAME_SHIFT = 12;
export const TABLE_FRAME = 2 ** TABLE_FRAME_SHIFT;

export type DescriptorKind = NonNullable<WalkStep['kind']>;

export interface Decoded {
  kind: DescriptorKind;
  fields: Record<string, bigint>;
}

export interface PtFormat {
  /** "Arm LPAE stage 1, 4K granule, 48-bit input", for reasons. */
  readonly name: string;
  readonly levels: readonly PtLevel[];
  readonly pgsizeBitmap: bigint;
  /** Inputs at or above 2^inputBits are outside the table. */
  readonly inputBits: number;
  /** Output addresses at or above 2^outputBits cannot be mapped (io-pgtable-arm: ERANGE). */
  readonly outputBits: number;
  /** Bytes of a (non-top) table; the top table's size follows from its indexBits. */
  readonly tableBytes: bigint;
  /** What map() of an occupied slot fails with (io-pgtable-arm: EEXIST; generic_pt: EADDRINUSE). */
  readonly occupiedErrno: ErrnoName;
  /** io-pgtable-arm replaces a table by a block (unmapping and freeing it); generic_pt refuses. */
  readonly blockReplacesTable: boolean;
  decode(e: bigint, depth: number): Decoded;
  /** `decode(e, depth).kind` without building the fields (what map, unmap and freeing need). */
  kindOf(e: bigint, depth: number): DescriptorKind;
  /**
   * `kindOf` from the descriptor's low 32 bits as a number: every format
   * decides the kind there, and the walks of map, unmap and DMA read
   * descriptors as two 32-bit halves so that they make no BigInt per level.
   */
  kindOfLow(lo: number, depth: number): DescriptorKind;
  tableEntry(pa: bigint): bigint;
  /** A leaf for `pa` at tree position `depth` with IOMMU_* `prot`. */
  leafEntry(pa: bigint, prot: number, depth: number): bigint;
  /**
   * Optional (the Arm format has it): `leafEntry` as the descriptor's 32-bit
   * halves into `out`, for `pa` below 2^53 given as a number, so that a map
   * stores its leaf without making a BigInt.
   */
  leafWords?(pa: number, prot: number, depth: number, out: { lo: number; hi: number }): void;
  /** The next table's address in a table descriptor. */
  tableAddress(e: bigint): bigint;
  /**
   * `tableAddress` from the descriptor's 32-bit halves, in 4 KiB frames
   * (tables are at least 4 KiB-aligned): a frame number of host memory is
   * a small integer, which V8 passes and returns without boxing, where an
   * address above 4 GiB would be a heap number per walk step.
   */
  tableFrameOf(lo: number, hi: number): number;
  /** The output address of a leaf (aligned to its size). */
  leafAddress(e: bigint, depth: number): bigint;
}
