// The SMMUv3 commands a guest may pass through IOMMU_HWPT_INVALIDATE on an
// arm_smmuv3 vIOMMU (iommu-hardware §4.4, arm_vsmmu_convert_user_cmd): the
// stage-1 TLB invalidations, which the kernel forces onto the vIOMMU's VMID,
// and the CD/ATC invalidations, whose StreamID is the guest's vSID. Every
// other opcode is EIO.

export const CMD_CFGI_CD = 0x05;
export const CMD_CFGI_CD_ALL = 0x06;
export const CMD_TLBI_NH_ALL = 0x10;
export const CMD_TLBI_NH_ASID = 0x11;
export const CMD_TLBI_NH_VA = 0x12;
export const CMD_TLBI_NH_VAA = 0x13;
export const CMD_TLBI_NSNH_ALL = 0x30;
export const CMD_ATC_INV = 0x40;

/** TG encodings of range invalidations: 1 = 4K, 2 = 16K, 3 = 64K. */
const TG_GRANULE = [0n, 4096n, 16384n, 65536n];

const bits = (v: bigint, hi: number, lo: number): bigint => (v >> BigInt(lo)) & ((1n << BigInt(hi - lo + 1)) - 1n);

/** One guest command, decoded; `vsid` commands still name the guest's StreamID. */
export type GuestCommand =
  | { op: 'nh_all' }
  | { op: 'nh_asid'; asid: number }
  /** NH_VA (one ASID) or NH_VAA (every ASID): [va, va+size). */
  | { op: 'nh_va'; asid?: number; va: bigint; size: bigint }
  | { op: 'cfgi_cd'; vsid: bigint; ssid: number }
  | { op: 'cfgi_cd_all'; vsid: bigint }
  | { op: 'atc_inv'; vsid: bigint };

/** Decodes `cmd`, or undefined for an opcode the vIOMMU refuses. */
export function decodeGuestCommand(cmd0: bigint, cmd1: bigint): GuestCommand | undefined {
  const vsid = bits(cmd0, 63, 32);
  switch (Number(cmd0 & 0xffn)) {
    case CMD_TLBI_NSNH_ALL:
    case CMD_TLBI_NH_ALL:
      return { op: 'nh_all' };
    case CMD_TLBI_NH_ASID:
      return { op: 'nh_asid', asid: Number(bits(cmd0, 63, 48)) };
    case CMD_TLBI_NH_VA:
      return { op: 'nh_va', asid: Number(bits(cmd0, 63, 48)), ...vaRange(cmd0, cmd1) };
    case CMD_TLBI_NH_VAA:
      return { op: 'nh_va', ...vaRange(cmd0, cmd1) };
    case CMD_CFGI_CD:
      return { op: 'cfgi_cd', vsid, ssid: Number(bits(cmd0, 31, 12)) };
    case CMD_CFGI_CD_ALL:
      return { op: 'cfgi_cd_all', vsid };
    case CMD_ATC_INV:
      return { op: 'atc_inv', vsid };
    default:
      return undefined;
  }
}

/**
 * The VA range of NH_VA/NH_VAA: with TG = 0 the one address (every cached
 * entry containing it), else (NUM+1) << SCALE granules of TG (range
 * invalidation, RIL).
 */
function vaRange(cmd0: bigint, cmd1: bigint): { va: bigint; size: bigint } {
  const va = cmd1 & ~0xfffn;
  const tg = Number(bits(cmd1, 11, 10));
  if (tg === 0) return { va, size: 1n };
  const pages = (bits(cmd0, 16, 12) + 1n) << bits(cmd0, 24, 20);
  return { va, size: pages * TG_GRANULE[tg]! };
}
