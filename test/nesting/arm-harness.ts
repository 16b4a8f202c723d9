// A guest with a vSMMUv3 (the arm_smmuv3 vIOMMU) on an smmuv3 machine: its
// RAM, page-table and CD-table regions mapped into the stage-2 nest parent
// with IPA == VMM address, a vDEVICE with vSID 8, and hand-built
// descriptors: the vSTE and CD words are derived bit by bit below.
import assert from 'node:assert/strict';
import type { DmaResult, FaultRecord } from '../../emulator/engine/machine-api.js';
import { attachOk, bind, createMachine, hwptAlloc, hwptAllocOk, ioasAlloc, ioctl, mapFixed, type Fields, type Machine } from '../engine/machine-harness.js';
import { out, vdeviceAllocOk } from './nesting-harness.js';

export const ARM_VIOMMU = 1;
export const ARM_VEVENTQ = 1;
export const HWPT_DATA_ARM = 2;
export const INVALIDATE_DATA_ARM = 1;
export const VSID = 8n;

/** vSTE dword0: V (bit 0) | Config 0b101 stage-1 translate (bits 3:1 = 0xa) | S1ContextPtr; S1CDMax in [63:59]. */
export function ste0(cdTable: bigint, s1cdmax = 0n): bigint {
  return cdTable | 0xan | 1n | (s1cdmax << 59n);
}

/**
 * CD dword0: T0SZ 16 (48-bit input, 0x10) | TG0 4K (0) | V (bit 31) | IPS 48 bits
 * (5 << 32) | AA64 (bit 41) | R (bit 45) | A (bit 46) | ASID << 48:
 * with ASID 1 that is 0x0001_6205_8000_0010.
 */
export function cd0(asid: bigint, opts: { record?: boolean; valid?: boolean } = {}): bigint {
  let w = 0x10n | (5n << 32n) | (1n << 41n) | (1n << 46n) | (asid << 48n);
  if (opts.valid ?? true) w |= 1n << 31n;
  if (opts.record ?? true) w |= 1n << 45n;
  return w;
}

export interface ArmGuest {
  m: Machine;
  dev: number;
  ioas: number;
  parent: number;
  viommu: number;
  ram: bigint;
  gpt: bigint;
  cdt: bigint;
}

/** The guest before its nested HWPT exists: the CD at `cdt` (ASID 1) points at its stage-1 table `g` at `gpt`. */
export function armGuest(): ArmGuest {
  const m = createMachine();
  m.declareIommu('smmu0', { model: 'smmuv3' });
  m.declareDevice('nic0', { iommu: 'smmu0', rid: 0x20600, pasidBits: 8 });
  const ram = m.declareMemory('ram', 0x100000n, {});
  const gpt = m.declareMemory('gpt', 0x10000n, {});
  const cdt = m.declareMemory('cdt', 0x1000n, {});
  m.cpuStore(ram, 4, 0xfeedfacen);
  const dev = bind(m, 'nic0');
  const ioas = ioasAlloc(m);
  const parent = hwptAllocOk(m, dev, ioas, { flags: 1 });
  for (const [va, len] of [[ram, 0x100000n], [gpt, 0x10000n], [cdt, 0x1000n]] as const) mapFixed(m, ioas, va, len, va);
  const viommu = out(ioctl(m, 'IOMMU_VIOMMU_ALLOC', { dev_id: dev, hwpt_id: parent, type: ARM_VIOMMU }), 'IOMMU_VIOMMU_ALLOC').num('out_viommu_id');
  m.guestPt!('g', 'arm64_s1', gpt, undefined);
  m.cpuStore(cdt, 8, cd0(1n));
  m.cpuStore(cdt + 8n, 8, gpt);
  return { m, dev, ioas, parent, viommu, ram, gpt, cdt };
}

export function vsteData(m: Machine, s0: bigint, s1 = 0n, len = 16, tail = 0): Fields {
  const b = new Uint8Array(len);
  const v = new DataView(b.buffer);
  v.setBigUint64(0, s0, true);
  if (len >= 16) v.setBigUint64(8, s1, true);
  if (len > 16) b[len - 1] = tail;
  return { data_type: HWPT_DATA_ARM, data_len: len, data_uptr: m.userScratch(b) };
}

export function nestedAlloc(g: ArmGuest, s0: bigint, s1 = 0n, fields: Fields = {}) {
  return hwptAlloc(g.m, g.dev, g.viommu, { ...vsteData(g.m, s0, s1), ...fields });
}

/** vDEVICE (vSID 8), nested HWPT on the guest's CD table, attached. */
export function attachedGuest(): ArmGuest & { s1: number } {
  const g = armGuest();
  vdeviceAllocOk(g.m, g.viommu, g.dev, VSID);
  const s1 = out(nestedAlloc(g, ste0(g.cdt)), 'IOMMU_HWPT_ALLOC').num('out_hwpt_id');
  attachOk(g.m, 'nic0', s1);
  return { ...g, s1 };
}

/** HWPT_INVALIDATE on the vIOMMU with 16-byte commands. */
export function invalidate(g: ArmGuest, cmds: [bigint, bigint][], fields: Fields = {}) {
  const b = new Uint8Array(16 * cmds.length);
  const v = new DataView(b.buffer);
  cmds.forEach(([c0, c1], i) => {
    v.setBigUint64(16 * i, c0, true);
    v.setBigUint64(16 * i + 8, c1, true);
  });
  return ioctl(g.m, 'IOMMU_HWPT_INVALIDATE', { hwpt_id: g.viommu, data_uptr: g.m.userScratch(b), data_type: INVALIDATE_DATA_ARM, entry_len: 16, entry_num: cmds.length, ...fields });
}

export function read32(m: Machine, iova: bigint, pasid?: number): DmaResult {
  return m.dma('nic0', { write: false, iova, width: 4, pasid });
}

export function faultOf(r: DmaResult): FaultRecord {
  assert.equal(r.ok, false, 'the DMA should fault');
  return (r as { fault: FaultRecord }).fault;
}
