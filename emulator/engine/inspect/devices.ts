// Devices and their iommu_groups as plain data: DMA ownership, the domain at
// the RID and at each PASID, firmware reserved regions, the last fault.
import type { FaultRecord, Owner } from '../machine-api.js';
import type { Machine } from '../machine.js';

export interface DeviceInfo {
  name: string;
  iommu: string;
  group: number;
  rid: number;
  owner: Owner;
  ownerCount: number;
  kernelDriver: boolean;
  /** The domain the group is on at the RID, then per PASID. */
  domain: string;
  pasids: { pasid: number; domain: string }[];
  reserved: { start: bigint; last: bigint }[];
  lastFault?: FaultRecord;
}

export function inspectDevices(machine: Machine): DeviceInfo[] {
  return [...machine.host.devices.values()].map((d) => {
    const g = d.group;
    const info: DeviceInfo = {
      name: d.name, iommu: d.iommu.name, group: g.id, rid: d.rid, owner: g.ownerKind(), ownerCount: g.ownerCnt,
      kernelDriver: d.kernelDriver, domain: g.domain.describe(),
      pasids: [...g.pasids].sort(([a], [b]) => a - b).map(([pasid, dom]) => ({ pasid, domain: dom.describe() })),
      reserved: d.reserved.map(({ start, last }) => ({ start, last })),
    };
    if (d.lastFault) info.lastFault = d.lastFault;
    return info;
  });
}
