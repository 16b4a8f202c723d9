// VT-d fault recording (iommu-hardware §4.5): the fault reasons a DMA
// translation can raise in scalable mode, the 128-bit primary fault record,
// and the line Linux's dmar.c prints for it.
import type { Device } from '../../core/device.js';
import type { FaultRecord } from '../../machine-api.js';

export const FR_BEYOND_MGAW = 0x04;
export const FR_WRITE = 0x05;
export const FR_READ = 0x06;
export const FR_FS_NOT_PRESENT = 0x71;
export const FR_FS_RESERVED = 0x72;
export const FR_SS_RESERVED = 0x7a;
export const FR_NON_CANONICAL = 0x80;
export const FR_FS_WRITE = 0x85;

/** dmar.c's strings, kept verbatim because tools match on them. */
const REASONS: Record<number, string> = {
  [FR_BEYOND_MGAW]: 'Access beyond MGAW',
  [FR_WRITE]: 'PTE Write access is not set',
  [FR_READ]: 'PTE Read access is not set',
  [FR_FS_NOT_PRESENT]: 'SM: Present bit in first-level paging entry is clear',
  [FR_FS_RESERVED]: 'SM: Reserved bit set in first-level paging entry',
  [FR_SS_RESERVED]: 'SM: Non-zero reserved field set in second-level paging entry',
  [FR_NON_CANONICAL]: 'SM: Address in first-level translation is not canonical',
  [FR_FS_WRITE]: 'SM: No write permission for Write/AtomicOp request',
};

/** The primary fault record: qword 0 the page address, qword 1 SID, PP, FR, PASID, T and F. */
export function vtdFaultWords(f: FaultRecord, sid: number): bigint[] {
  const pp = f.pasid !== undefined ? 1n : 0n;
  const hi = BigInt(sid & 0xffff) | (pp << 31n) | (BigInt(f.reason ?? 0) << 32n) | (BigInt(f.pasid ?? 0) << 40n) | ((f.write ? 0n : 1n) << 62n) | (1n << 63n);
  return [f.addr & ~0xfffn, hi];
}

/** "bb:dd.f" of a requester id. */
export function bdf(rid: number): string {
  const x = (n: number) => n.toString(16).padStart(2, '0');
  return `${x(rid >> 8)}:${x((rid >> 3) & 0x1f)}.${rid & 7}`;
}

export function vtdFaultLog(f: FaultRecord, dev: Device): string[] {
  const reason = f.reason ?? 0;
  const dir = f.write ? 'DMA Write' : 'DMA Read';
  const pasid = f.pasid !== undefined ? `PASID 0x${f.pasid.toString(16)}` : 'NO_PASID';
  return [
    'DMAR: DRHD: handling fault status reg 3',
    `DMAR: [${dir} ${pasid}] Request device [${bdf(dev.rid)}] fault addr 0x${(f.addr & ~0xfffn).toString(16)} [fault reason 0x${reason.toString(16).padStart(2, '0')}] ${REASONS[reason] ?? 'Unknown'}`,
  ];
}
