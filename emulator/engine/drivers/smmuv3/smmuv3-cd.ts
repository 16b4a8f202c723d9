// SMMUv3 Context Descriptors (iommu-hardware §4.2) as the SMMU fetches them
// for a nested stream: the CD table (linear, or two-level with 4K/64K leaf
// tables) named by the vSTE, the SubstreamID checks, and the CD fields the
// stage-1 walk uses, with the checks that make a CD illegal (C_BAD_CD).
import type { TableMemory } from '../../pgtable/table-pages.js';
import type { Vste } from './smmuv3-ste.js';

/** CDs are 64 bytes; L1 CD descriptors 8. */
const CD_BYTES = 64n;
/** Two-level CD tables (S1Fmt 1, 2): leaf tables of 4K (64 CDs) or 64K (1024 CDs). */
const LEAF_SPLIT: Record<number, number> = { 1: 6, 2: 10 };
/** IPS/OAS encodings (bits). */
const IPS_BITS = [32, 36, 40, 42, 44, 48, 52];
/** TG0 encodings: 0 = 4K, 1 = 64K, 2 = 16K. */
const TG0_GRANULE: Record<number, bigint> = { 0: 4096n, 1: 65536n, 2: 16384n };

const bits = (v: bigint, hi: number, lo: number): bigint => (v >> BigInt(lo)) & ((1n << BigInt(hi - lo + 1)) - 1n);

export interface ContextDescriptor {
  /** Where the CD was read (an IPA), for the walk view. */
  readonly at: bigint;
  readonly asid: number;
  /** Input size 64 - T0SZ. */
  readonly inputBits: number;
  readonly granule: bigint;
  /** EPD0: walks of TTB0 are disabled. */
  readonly epd0: boolean;
  readonly ttb0: bigint;
  /** IPS in bits. */
  readonly ips: number;
  readonly ha: boolean;
  readonly hd: boolean;
  /** AFFD: an access-flag fault is not raised (AF is treated as set). */
  readonly affd: boolean;
  /** R: stage-1 faults are recorded (an event is written). */
  readonly record: boolean;
}

/** Where the CD for `ssid` lives, or why the SubstreamID or table is bad (the caller's event). */
export type CdLocation = { ok: true; at: bigint } | { ok: false; event: 'C_BAD_SUBSTREAMID' | 'C_BAD_STE'; detail: string };

/** The CD's IPA; reading a two-level table's L1 descriptor goes through `mem` (stage 2). */
export function locateCd(vste: Vste, ssid: number, mem: TableMemory): CdLocation {
  const count = 1 << vste.s1cdmax;
  if (ssid >= count) return { ok: false, event: 'C_BAD_SUBSTREAMID', detail: `SubstreamID ${ssid} is beyond the vSTE's ${count} CD${count === 1 ? '' : 's'} (S1CDMax ${vste.s1cdmax})` };
  if (vste.s1cdmax === 0 || vste.s1fmt === 0) return { ok: true, at: vste.cdTable + BigInt(ssid) * CD_BYTES };
  const split = LEAF_SPLIT[vste.s1fmt];
  if (split === undefined) return { ok: false, event: 'C_BAD_STE', detail: `vSTE S1Fmt ${vste.s1fmt} is reserved` };
  const l1 = mem.load(vste.cdTable + BigInt(ssid >> split) * 8n, 8);
  if ((l1 & 1n) === 0n) return { ok: false, event: 'C_BAD_SUBSTREAMID', detail: `the L1 CD descriptor for SubstreamID ${ssid} is not valid` };
  const leaf = l1 & (((1n << 52n) - 1n) & ~0xfffn);
  return { ok: true, at: leaf + BigInt(ssid & ((1 << split) - 1)) * CD_BYTES };
}

/** Decodes the CD at `at` (dwords 0 and 1); a string says why it is illegal (C_BAD_CD). */
export function readCd(at: bigint, mem: TableMemory, smmuOas: number): ContextDescriptor | string {
  const d0 = mem.load(at, 8);
  const d1 = mem.load(at + 8n, 8);
  if (bits(d0, 31, 31) === 0n) return 'its V bit is clear';
  if (bits(d0, 41, 41) === 0n) return 'AA64 is clear (AArch32 tables are not supported)';
  if (bits(d0, 46, 46) === 0n) return 'A is clear (this SMMU has no stall model, faults must abort)';
  if (bits(d0, 15, 15) !== 0n) return 'ENDI asks for big-endian tables';
  const t0sz = Number(bits(d0, 5, 0));
  if (t0sz < 16 || t0sz > 39) return `T0SZ ${t0sz} is outside 16..39`;
  const granule = TG0_GRANULE[Number(bits(d0, 7, 6))];
  if (granule === undefined) return 'TG0 0b11 is reserved';
  const ips = IPS_BITS[Number(bits(d0, 34, 32))] ?? 52;
  const ttb0 = d1 & (((1n << 52n) - 1n) & ~0xfn);
  if (ttb0 >> BigInt(smmuOas) !== 0n) return `TTB0 0x${ttb0.toString(16)} is beyond the ${smmuOas}-bit OAS`;
  return {
    at,
    asid: Number(bits(d0, 63, 48)),
    inputBits: 64 - t0sz,
    granule,
    epd0: bits(d0, 14, 14) !== 0n,
    ttb0,
    ips: Math.min(ips, smmuOas),
    ha: bits(d0, 43, 43) !== 0n,
    hd: bits(d0, 42, 42) !== 0n,
    affd: bits(d0, 35, 35) !== 0n,
    record: bits(d0, 45, 45) !== 0n,
  };
}
