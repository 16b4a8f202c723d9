// The guest's vSTE (iommu-hardware §4.1, struct iommu_hwpt_arm_smmuv3): the
// first two dwords of a Stream Table Entry, as arm_smmu_validate_vste checks
// them — only the stage-1 fields a guest may own, Config abort, bypass or
// stage-1 translate, EATS off or full ATS — and what they select.
import { fail } from '../../errno.js';
import { struct } from '../../uapi/layout.js';

/** struct iommu_hwpt_arm_smmuv3 { __aligned_le64 ste[2]; } */
export const HWPT_ARM_SMMUV3 = struct('iommu_hwpt_arm_smmuv3', [['ste0', 8], ['ste1', 8]]);

const mask = (hi: number, lo: number): bigint => ((1n << BigInt(hi - lo + 1)) - 1n) << BigInt(lo);
const get = (v: bigint, hi: number, lo: number): bigint => (v & mask(hi, lo)) >> BigInt(lo);

export const STE_0_V = 1n;
/** STRTAB_STE_0_CFG values. */
export const STE_CFG_ABORT = 0;
export const STE_CFG_BYPASS = 4;
export const STE_CFG_S1_TRANS = 5;
/** STRTAB_STE_1_EATS values. */
const EATS_ABT = 0n;
const EATS_TRANS = 1n;
const STE_1_EATS = mask(29, 28);

/** STRTAB_STE_0_NESTING_ALLOWED: V, Config, S1Fmt, S1ContextPtr, S1CDMax. */
export const STE_0_NESTING_ALLOWED = STE_0_V | mask(3, 1) | mask(5, 4) | mask(51, 6) | mask(63, 59);
/** STRTAB_STE_1_NESTING_ALLOWED: S1DSS, S1CIR, S1COR, S1CSH, S1STALLD, EATS. */
export const STE_1_NESTING_ALLOWED = mask(1, 0) | mask(3, 2) | mask(5, 4) | mask(7, 6) | (1n << 27n) | STE_1_EATS;

/** S1DSS: what a transaction without a SubstreamID does when S1CDMax != 0. */
export type S1Dss = 'terminate' | 'bypass' | 'substream0';

/** The vSTE fields the emulated SMMU acts on. */
export interface Vste {
  readonly raw: readonly [bigint, bigint];
  /** 'abort' also stands for a non-valid vSTE (the kernel installs an abort STE for it). */
  readonly config: 'abort' | 'bypass' | 'translate';
  /** S1Fmt: 0 linear CD table, 1/2 two-level with 4K/64K leaf tables. */
  readonly s1fmt: number;
  /** S1ContextPtr: the CD table's IPA. */
  readonly cdTable: bigint;
  /** S1CDMax: the table holds 2^S1CDMax CDs; 0 = a single CD, no SubstreamIDs. */
  readonly s1cdmax: number;
  readonly s1dss: S1Dss;
  /** EATS was "full ATS" (the kernel clears it in the stored vSTE and enables ATS itself). */
  readonly ats: boolean;
}

/** arm_smmu_validate_vste: EIO for STE data the guest may not set; a non-valid vSTE is zeroed. */
export function validateVste(ste0: bigint, ste1: bigint): Vste {
  if ((ste0 & STE_0_V) === 0n) return decode(0n, 0n, false);
  if (ste0 & ~STE_0_NESTING_ALLOWED) fail('EIO', `vSTE dword0 sets bits 0x${(ste0 & ~STE_0_NESTING_ALLOWED).toString(16)} a guest may not own`);
  if (ste1 & ~STE_1_NESTING_ALLOWED) fail('EIO', `vSTE dword1 sets bits 0x${(ste1 & ~STE_1_NESTING_ALLOWED).toString(16)} a guest may not own`);
  const cfg = Number(get(ste0, 3, 1));
  if (cfg !== STE_CFG_ABORT && cfg !== STE_CFG_BYPASS && cfg !== STE_CFG_S1_TRANS) fail('EIO', `vSTE Config 0b${cfg.toString(2)} is not abort (0b000), bypass (0b100) or stage-1 translate (0b101)`);
  const eats = get(ste1, 29, 28);
  if (eats !== EATS_ABT && eats !== EATS_TRANS) fail('EIO', `vSTE EATS ${eats} is neither 0 (abort) nor 1 (full ATS)`);
  return decode(ste0, ste1 & ~STE_1_EATS, cfg === STE_CFG_S1_TRANS && eats === EATS_TRANS);
}

function decode(ste0: bigint, ste1: bigint, ats: boolean): Vste {
  const cfg = Number(get(ste0, 3, 1));
  const dss = Number(get(ste1, 1, 0));
  return {
    raw: [ste0, ste1],
    config: cfg === STE_CFG_S1_TRANS ? 'translate' : cfg === STE_CFG_BYPASS ? 'bypass' : 'abort',
    s1fmt: Number(get(ste0, 5, 4)),
    cdTable: ste0 & mask(51, 6),
    s1cdmax: Number(get(ste0, 63, 59)),
    // S1DSS 0b11 is reserved; the SMMU treats it as terminate.
    s1dss: dss === 1 ? 'bypass' : dss === 2 ? 'substream0' : 'terminate',
    ats,
  };
}
