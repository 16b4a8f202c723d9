// Arm VMSAv8-64 translation tables as io-pgtable-arm builds them and an
// SMMUv3 walks them (iommu-hardware §1): stage 1 or stage 2, 4K/16K/64K
// granules, IAS/OAS limits, stage-2 start-level concatenation.
import { IOMMU_CACHE, IOMMU_MMIO, IOMMU_NOEXEC, IOMMU_PRIV, IOMMU_READ, IOMMU_WRITE } from '../core/domain.js';
import { TABLE_FRAME_SHIFT, type Decoded, type DescriptorKind, type PtFormat, type PtLevel } from './pt-format.js';

// Descriptor bits (iommu-hardware §1.2).
export const LPAE_VALID = 1n;
export const LPAE_TYPE_TABLE = 3n;
export const LPAE_TYPE_BLOCK = 1n;
export const LPAE_TYPE_PAGE = 3n;
export const LPAE_ATTRINDX_SHIFT = 2n;
export const LPAE_NS = 1n << 5n;
export const LPAE_AP_UNPRIV = 1n << 6n;
export const LPAE_AP_RDONLY = 1n << 7n;
export const LPAE_SH_OS = 2n << 8n;
export const LPAE_SH_IS = 3n << 8n;
export const LPAE_AF = 1n << 10n;
export const LPAE_NG = 1n << 11n;
export const LPAE_DBM = 1n << 51n;
export const LPAE_XN = 3n << 53n;
export const LPAE_S2AP_READ = 1n << 6n;
export const LPAE_S2AP_WRITE = 2n << 6n;
export const LPAE_MEMATTR_OIWB = 0xfn << 2n;
export const LPAE_MEMATTR_NC = 0x5n << 2n;
export const LPAE_MEMATTR_DEV = 0x1n << 2n;
/** MAIR indexes io-pgtable programs: 1 = cacheable (WBRWA), 2 = device. */
export const MAIR_IDX_CACHE = 1n;
export const MAIR_IDX_DEV = 2n;

/** 4 KiB frames per 4 GiB and per 2^48 bytes (see `tableFrameOf`). */
const FRAMES_PER_4G = 0x10_0000;
const FRAMES_PER_2_48 = 2 ** 36;

/**
 * A leaf's bits other than its OA, by what decides them (prot, stage, the
 * HTTU quirk, whether the leaf is at the last level; see `leafEntry`): a pure
 * function, and the same few keys come up in every map, where computing them
 * takes a dozen BigInt steps per leaf. Kept outside the formats so that it is
 * no part of any machine's state.
 */
const LEAF_ATTRS = new Map<number, LeafAttrs>();

/** A leaf's bits other than its OA, whole and as the descriptor's 32-bit halves (for `leafWords`). */
interface LeafAttrs {
  bits: bigint;
  lo: number;
  hi: number;
}

const TWO_32 = 0x1_0000_0000;

/** ARM_LPAE_S2_MAX_CONCAT_PAGES */
const S2_MAX_CONCAT = 16;
const OA_MASK_48 = (1n << 48n) - 1n;

export interface LpaeConfig {
  stage: 1 | 2;
  /** 4096, 16384 or 65536. */
  granule: bigint;
  /** Input address bits (IAS: VA for stage 1, IPA for stage 2). */
  ias: number;
  /** Output address bits. */
  oas: number;
  /** IO_PGTABLE_QUIRK_ARM_HD: writable stage-1 leaves are "writable-clean" (DBM, AP[2]) for HTTU dirty tracking. */
  httuDirty?: boolean;
}

/** The geometry io-pgtable computes (levels, start level, pgd bits) for a config. */
export interface LpaeGeometry {
  pageShift: number;
  bitsPerLevel: number;
  startLevel: number;
  pgdBits: number;
  /** Stage 2 only: how many start-level tables are concatenated (1 when none). */
  concatenated: number;
}

export function lpaeGeometry(cfg: LpaeConfig): LpaeGeometry {
  const pageShift = Number(cfg.granule === 4096n ? 12 : cfg.granule === 16384n ? 14 : cfg.granule === 65536n ? 16 : -1);
  if (pageShift < 0) throw new Error(`Arm LPAE has no ${cfg.granule}-byte granule`);
  const bitsPerLevel = pageShift - 3;
  const levels = Math.ceil((cfg.ias - pageShift) / bitsPerLevel);
  let startLevel = 4 - levels;
  let pgdBits = cfg.ias - pageShift - bitsPerLevel * (levels - 1);
  let concatenated = 1;
  // Stage 2 concatenates up to 16 level-1 tables rather than add a tiny level 0.
  if (cfg.stage === 2 && startLevel === 0 && 1 << pgdBits <= S2_MAX_CONCAT) {
    concatenated = 1 << pgdBits;
    pgdBits += bitsPerLevel;
    startLevel = 1;
  }
  return { pageShift, bitsPerLevel, startLevel, pgdBits, concatenated };
}

/** The page sizes io-pgtable-arm allows per granule (plus 4T with 64K and a 52-bit OA). */
function lpaePgsizes(pageShift: number, oas: number): bigint {
  if (pageShift === 12) return (1n << 12n) | (1n << 21n) | (1n << 30n);
  if (pageShift === 14) return (1n << 14n) | (1n << 25n);
  return (1n << 16n) | (1n << 29n) | (oas > 48 ? 1n << 42n : 0n);
}

export class ArmLpaeFormat implements PtFormat {
  readonly name: string;
  readonly levels: readonly PtLevel[];
  readonly pgsizeBitmap: bigint;
  readonly inputBits: number;
  readonly outputBits: number;
  readonly tableBytes: bigint;
  readonly occupiedErrno = 'EEXIST' as const;
  readonly blockReplacesTable = true;
  readonly geometry: LpaeGeometry;
  /** OA bits [47:granule] of a descriptor, and whether OA[51:48] sits in [15:12] (64K granule); fixed per format, so computed once. */
  private readonly oaMask: bigint;
  private readonly oaHighBits: boolean;
  /** `oaMask` split into the descriptor's 32-bit halves, for `tableFrameOf`. */
  private readonly oaMaskLow: number;
  private readonly oaMaskHigh: number;
  /** Per tree position: clears the OA bits below that level's leaf size. */
  private readonly leafAlign: readonly bigint[];

  constructor(readonly cfg: LpaeConfig) {
    // io-pgtable clamps IAS/OAS to 48 bits (52 with the 64K granule).
    const max = cfg.granule === 65536n ? 52 : 48;
    this.cfg = { ...cfg, ias: Math.min(cfg.ias, max), oas: Math.min(cfg.oas, max) };
    const g = (this.geometry = lpaeGeometry(this.cfg));
    this.inputBits = this.cfg.ias;
    this.outputBits = this.cfg.oas;
    this.tableBytes = cfg.granule;
    this.oaHighBits = cfg.granule === 65536n;
    this.oaMask = OA_MASK_48 & ~(this.oaHighBits ? 0xffffn : cfg.granule - 1n);
    this.oaMaskLow = Number(this.oaMask & 0xffff_ffffn);
    this.oaMaskHigh = Number(this.oaMask >> 32n);
    this.pgsizeBitmap = lpaePgsizes(g.pageShift, this.cfg.oas);
    const levels: PtLevel[] = [];
    for (let level = g.startLevel; level <= 3; level++) {
      const shift = g.pageShift + (3 - level) * g.bitsPerLevel;
      levels.push({ level, shift, indexBits: level === g.startLevel ? g.pgdBits : g.bitsPerLevel, leafOk: (this.pgsizeBitmap & (1n << BigInt(shift))) !== 0n });
    }
    this.levels = levels;
    this.leafAlign = levels.map((l) => ~((1n << BigInt(l.shift)) - 1n));
    this.name = `Arm LPAE stage ${cfg.stage} (${Number(cfg.granule) / 1024}K granule, ${this.cfg.ias}-bit input)`;
  }

  /** The table base's TTB/S2TTB alignment: the start table's size in bytes (log2). */
  get startTableBits(): number {
    return this.geometry.pgdBits + 3;
  }

  tableEntry(pa: bigint): bigint {
    return this.packOa(pa) | LPAE_TYPE_TABLE;
  }

  /** arm_lpae_prot_to_pte plus the type bits of __arm_lpae_init_pte. */
  leafEntry(pa: bigint, prot: number, depth: number): bigint {
    return this.leafAttrs(prot, depth).bits | this.packOa(pa);
  }

  /**
   * `leafEntry` as its 32-bit halves, for `pa` below 2^53 as a number: what
   * map stores, so a 4 KiB MAP makes no BigInt for its leaf.
   */
  leafWords(pa: number, prot: number, depth: number, out: { lo: number; hi: number }): void {
    const attrs = this.leafAttrs(prot, depth);
    const paHi = Math.floor(pa / TWO_32);
    let lo = (pa & this.oaMaskLow) | attrs.lo;
    // With the 64K granule OA[51:48] sits in bits [15:12] (see packOa).
    if (this.oaHighBits) lo |= ((paHi >>> 16) & 0xf) << 12;
    out.lo = lo >>> 0;
    out.hi = ((paHi & this.oaMaskHigh) | attrs.hi) >>> 0;
  }

  /** The attribute bits of a leaf at `depth` with `prot` (cached in LEAF_ATTRS). */
  private leafAttrs(prot: number, depth: number): LeafAttrs {
    const last = depth === this.levels.length - 1;
    const key = ((prot * 2 + (this.cfg.stage - 1)) * 2 + (this.cfg.httuDirty ? 1 : 0)) * 2 + (last ? 1 : 0);
    let attrs = LEAF_ATTRS.get(key);
    if (attrs === undefined) {
      const bits = this.leafBits(prot, last);
      attrs = { bits, lo: Number(bits & 0xffff_ffffn), hi: Number(bits >> 32n) };
      LEAF_ATTRS.set(key, attrs);
    }
    return attrs;
  }

  /** Everything of a leaf but its OA (what LEAF_ATTRS remembers). */
  private leafBits(prot: number, last: boolean): bigint {
    let pte: bigint;
    if (this.cfg.stage === 1) {
      pte = LPAE_NG;
      if (!(prot & IOMMU_WRITE) && prot & IOMMU_READ) pte |= LPAE_AP_RDONLY;
      else if (this.cfg.httuDirty) pte |= LPAE_DBM;
      if (!(prot & IOMMU_PRIV)) pte |= LPAE_AP_UNPRIV;
      if (prot & IOMMU_MMIO) pte |= MAIR_IDX_DEV << LPAE_ATTRINDX_SHIFT;
      else if (prot & IOMMU_CACHE) pte |= MAIR_IDX_CACHE << LPAE_ATTRINDX_SHIFT;
    } else {
      pte = 0n;
      if (prot & IOMMU_READ) pte |= LPAE_S2AP_READ;
      if (prot & IOMMU_WRITE) pte |= LPAE_S2AP_WRITE;
      pte |= prot & IOMMU_MMIO ? LPAE_MEMATTR_DEV : prot & IOMMU_CACHE ? LPAE_MEMATTR_OIWB : LPAE_MEMATTR_NC;
    }
    pte |= prot & IOMMU_CACHE ? LPAE_SH_IS : LPAE_SH_OS;
    if (prot & IOMMU_NOEXEC) pte |= LPAE_XN;
    pte |= LPAE_AF;
    return pte | (last ? LPAE_TYPE_PAGE : LPAE_TYPE_BLOCK);
  }

  tableAddress(e: bigint): bigint {
    return this.unpackOa(e);
  }

  tableFrameOf(lo: number, hi: number): number {
    // Table addresses are granule-aligned, so OA[11:0] (the mask clears them) are 0.
    const frame = ((lo & this.oaMaskLow) >>> TABLE_FRAME_SHIFT) + (hi & this.oaMaskHigh) * FRAMES_PER_4G;
    return this.oaHighBits ? frame + ((lo >>> 12) & 0xf) * FRAMES_PER_2_48 : frame;
  }

  leafAddress(e: bigint, depth: number): bigint {
    // A last-level page is one granule: the OA has no bits below it to clear.
    if (depth === this.levels.length - 1) return this.unpackOa(e);
    return this.unpackOa(e) & this.leafAlign[depth]!;
  }

  kindOf(e: bigint, depth: number): DescriptorKind {
    return this.kindOfLow(Number(e & 3n), depth);
  }

  kindOfLow(lo: number, depth: number): DescriptorKind {
    if ((lo & 1) === 0) return 'invalid';
    const last = depth === this.levels.length - 1;
    const type = lo & 3;
    if (type === 3 && !last) return 'table';
    // 01 at the last level is reserved; a block where the granule has none is illegal.
    return last ? (type === 3 ? 'page' : 'reserved') : this.levels[depth]!.leafOk ? 'block' : 'reserved';
  }

  decode(e: bigint, depth: number): Decoded {
    const kind = this.kindOf(e, depth);
    if (kind === 'invalid') return { kind, fields: {} };
    if (kind === 'table') {
      return { kind, fields: { address: this.unpackOa(e), NSTable: bit(e, 63), APTable: (e >> 61n) & 3n, XNTable: bit(e, 60), PXNTable: bit(e, 59) } };
    }
    const fields: Record<string, bigint> = { OA: kind === 'reserved' ? this.unpackOa(e) : this.leafAddress(e, depth) };
    if (this.cfg.stage === 1) {
      Object.assign(fields, { AttrIndx: (e >> 2n) & 7n, NS: bit(e, 5), AP: (e >> 6n) & 3n });
    } else {
      Object.assign(fields, { MemAttr: (e >> 2n) & 0xfn, S2AP: (e >> 6n) & 3n });
    }
    Object.assign(fields, { SH: (e >> 8n) & 3n, AF: bit(e, 10), nG: bit(e, 11), DBM: bit(e, 51), Contiguous: bit(e, 52), XN: (e >> 53n) & 3n });
    return { kind, fields };
  }

  /** OA in [47:g]; with the 64K granule OA[51:48] lives in bits [15:12]. */
  private packOa(pa: bigint): bigint {
    if (this.oaHighBits) return (pa & this.oaMask) | (((pa >> 48n) & 0xfn) << 12n);
    return pa & this.oaMask;
  }

  private unpackOa(e: bigint): bigint {
    if (this.oaHighBits) return (e & this.oaMask) | (((e >> 12n) & 0xfn) << 48n);
    return e & this.oaMask;
  }
}

function bit(e: bigint, n: number): bigint {
  return (e >> BigInt(n)) & 1n;
}
