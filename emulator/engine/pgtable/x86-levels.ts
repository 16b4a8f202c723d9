// The radix geometry and descriptor layout shared by the x86-style formats
// (x86-64 first stage, VT-d second stage): 4 KiB tables of 512 entries, 9
// index bits per level, levels numbered from the leaf (PTE = 1 ... PML5E = 5),
// leaves at levels 1-3 (4K, 2M, 1G), OA in [51:12].
import { TABLE_FRAME_SHIFT } from './pt-format.js';
import type { DescriptorKind, PtLevel } from './pt-format.js';

export const X86_PAGE_SIZES = (1n << 12n) | (1n << 21n) | (1n << 30n);
export const X86_ADDR_MASK = ((1n << 52n) - 1n) & ~0xfffn;
/** PS: the entry at level 2 or 3 is a leaf. */
export const X86_PS = 1n << 7n;

export function x86Levels(top: number): PtLevel[] {
  const levels: PtLevel[] = [];
  for (let level = top; level >= 1; level--) {
    const shift = 12 + 9 * (level - 1);
    levels.push({ level, shift, indexBits: 9, leafOk: level <= 3 });
  }
  return levels;
}

/** PS as a bit of the descriptor's low 32-bit half. */
const X86_PS_LOW = Number(X86_PS);
/** The OA field [51:12] split into the descriptor's 32-bit halves. */
const X86_ADDR_LOW = 0xfffff000;
const X86_ADDR_HIGH = 0xfffff;
/** 4 KiB frames per 4 GiB: a descriptor's high word counts in these. */
const FRAMES_PER_4G = 0x10_0000;

/**
 * Whether a present entry at `level` is a leaf (PS at 2-3, always at 1), a
 * table, or reserved (PS above 3); `lo` is the descriptor's low 32 bits.
 */
export function x86Kind(lo: number, level: number): 'page' | 'block' | 'table' | 'reserved' {
  if (level === 1) return 'page';
  if ((lo & X86_PS_LOW) === 0) return 'table';
  return level <= 3 ? 'block' : 'reserved';
}

/** The low 32 bits of a descriptor, as a number. */
export function lowWord(e: bigint): number {
  return Number(e & 0xffff_ffffn);
}

export function leafAlignedAddress(e: bigint, shift: number): bigint {
  return (e & X86_ADDR_MASK) & ~((1n << BigInt(shift)) - 1n);
}

/**
 * What the x86-style formats share beyond the geometry: generic_pt builds
 * both with the same OA field and PS leaves, and refuses to map over an
 * occupied slot. Each subclass adds its own permission bits and decoding.
 */
export abstract class X86StyleFormat {
  readonly levels: readonly PtLevel[];
  readonly pgsizeBitmap = X86_PAGE_SIZES;
  /** OA bits [51:12]. */
  readonly outputBits = 52;
  readonly tableBytes = 4096n;
  readonly occupiedErrno = 'EADDRINUSE' as const;
  readonly blockReplacesTable = false;

  constructor(top: number) {
    this.levels = x86Levels(top);
  }

  tableAddress(e: bigint): bigint {
    return e & X86_ADDR_MASK;
  }

  tableFrameOf(lo: number, hi: number): number {
    return ((lo & X86_ADDR_LOW) >>> TABLE_FRAME_SHIFT) + (hi & X86_ADDR_HIGH) * FRAMES_PER_4G;
  }

  kindOf(e: bigint, depth: number): DescriptorKind {
    return this.kindOfLow(lowWord(e), depth);
  }

  abstract kindOfLow(lo: number, depth: number): DescriptorKind;

  leafAddress(e: bigint, depth: number): bigint {
    return leafAlignedAddress(e, this.levels[depth]!.shift);
  }

  /** The OA of a leaf at `depth`, with PS when that leaf is above level 1. */
  protected leafBase(pa: bigint, depth: number): bigint {
    return (pa & X86_ADDR_MASK) | (this.levels[depth]!.level > 1 ? X86_PS : 0n);
  }
}
