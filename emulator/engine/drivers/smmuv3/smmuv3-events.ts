// SMMUv3 event records (iommu-hardware §4.3): the event ids a translation can
// raise, the 32-byte record the hardware writes to its event queue, and the
// lines arm-smmu-v3 logs for it.
import type { Device } from '../../core/device.js';
import type { FaultRecord } from '../../machine-api.js';

export const C_BAD_STE = 0x04;
export const F_STREAM_DISABLED = 0x06;
export const C_BAD_SUBSTREAMID = 0x08;
export const C_BAD_CD = 0x0a;
export const F_TRANSLATION = 0x10;
export const F_ADDR_SIZE = 0x11;
export const F_ACCESS = 0x12;
export const F_PERMISSION = 0x13;

const EVENT_NAMES: Record<number, string> = {
  [C_BAD_STE]: 'C_BAD_STE',
  [F_STREAM_DISABLED]: 'F_STREAM_DISABLED',
  [C_BAD_SUBSTREAMID]: 'C_BAD_SUBSTREAMID',
  [C_BAD_CD]: 'C_BAD_CD',
  [F_TRANSLATION]: 'F_TRANSLATION',
  [F_ADDR_SIZE]: 'F_ADDR_SIZE',
  [F_ACCESS]: 'F_ACCESS',
  [F_PERMISSION]: 'F_PERMISSION',
};

/** CLASS values of dword1[41:40]. */
export const CLASS_CD = 0;
export const CLASS_TT = 1;
export const CLASS_IN = 2;
const CLASS_NAMES = ['CD fetch', 'Stage 1 translation table fetch', 'Input address caused fault', 'Reserved'];

const h64 = (v: bigint) => `0x${v.toString(16).padStart(16, '0')}`;

/**
 * The record's four dwords. Transactions are modelled as unprivileged data
 * accesses (PnU = 0, InD = 0), as a PCIe device's DMA without a PASID prefix is.
 */
export function smmuEventWords(f: FaultRecord, sid: number): bigint[] {
  const ssv = f.pasid !== undefined ? 1n : 0n;
  const dw0 = BigInt(f.event ?? 0) | (ssv << 11n) | (BigInt(f.pasid ?? 0) << 12n) | (BigInt(sid) << 32n);
  const dw1 = ((f.write ? 0n : 1n) << 35n) | ((f.s2 ? 1n : 0n) << 39n) | (BigInt(f.class ?? CLASS_IN) << 40n);
  const dw3 = f.ipa !== undefined ? f.ipa & ((1n << 52n) - 1n) & ~0xfffn : 0n;
  return [dw0, dw1, f.addr, dw3];
}

/** arm_smmu_decode_event / arm_smmu_dump_event output for the record. */
export function smmuEventLog(f: FaultRecord, dev: Device, words: bigint[]): string[] {
  const name = EVENT_NAMES[f.event ?? 0] ?? 'UNKNOWN';
  return [
    `event 0x${(f.event ?? 0).toString(16).padStart(2, '0')} received:`,
    ...words.map((w) => `\t${h64(w)}`),
    `event: ${name} client: ${dev.name} sid: 0x${dev.rid.toString(16)} ssid: 0x${(f.pasid ?? 0).toString(16)} iova: 0x${f.addr.toString(16)} ipa: 0x${(f.ipa ?? 0n).toString(16)}`,
    `unpriv data ${f.write ? 'write' : 'read'} ${f.s2 ? 's2' : 's1'} "${CLASS_NAMES[f.class ?? CLASS_IN]}" stag: 0x0`,
  ];
}
