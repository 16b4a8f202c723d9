// Every vIOMMU of every open iommufd as plain data: its virt_id <-> device
// links (read from both ends, Viommu.vdevs and IommufdDevice.vdev, so a
// debugger shows a disagreement instead of hiding it), the nested HWPTs
// allocated through it, its vEVENTQs and its HW queues.
import { IommufdDevice } from '../iommufd/device.js';
import { HwQueue } from '../iommufd/hw-queue.js';
import { HwptNested } from '../iommufd/hwpt.js';
import { Viommu } from '../iommufd/viommu.js';
import type { Machine } from '../machine.js';
import { openIommufds } from './files.js';

export interface VdeviceLink {
  virtId: bigint;
  vdevice: number;
  /** The DEVICE object and the machine device behind it. */
  device: number;
  deviceName: string;
}

export interface ViommuInfo {
  fd: string;
  id: number;
  /** IOMMU_VIOMMU_TYPE_* */
  vtype: bigint;
  iommu: string;
  /** The nesting parent HWPT_PAGING. */
  parent: number;
  /** viommu->vdevs in virt_id order. */
  byVirtId: VdeviceLink[];
  /** The bound devices whose idev->vdev is on this vIOMMU, in object id order. */
  byDevice: VdeviceLink[];
  nested: { id: number; domain: string }[];
  veventqs: { id: number; eventType: bigint; depth: number; pending: number }[];
  hwQueues: { id: number; iova: bigint; length: bigint }[];
}

export function inspectViommus(machine: Machine): ViommuInfo[] {
  const out: ViommuInfo[] = [];
  for (const { name, file } of openIommufds(machine)) {
    const live = file.objects.live();
    for (const v of live) {
      if (!(v instanceof Viommu)) continue;
      const link = (idev: IommufdDevice, virtId: bigint, vdevice: number): VdeviceLink => ({ virtId, vdevice, device: idev.id, deviceName: idev.dev.name });
      out.push({
        fd: name, id: v.id, vtype: v.vtype, iommu: v.iommu.name, parent: v.hwpt.id,
        byVirtId: [...v.vdevs].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([virtId, vd]) => link(vd.idev, virtId, vd.id)),
        byDevice: live.flatMap((o) => (o instanceof IommufdDevice && o.vdev?.viommu === v ? [link(o, o.vdev.virtId, o.vdev.id)] : [])),
        nested: live.flatMap((o) => (o instanceof HwptNested && o.viommu === v ? [{ id: o.id, domain: o.domain.describe() }] : [])),
        veventqs: v.veventqs.map((q) => ({ id: q.id, eventType: q.eventType, depth: q.depth, pending: q.pending })),
        hwQueues: live.flatMap((o) => (o instanceof HwQueue && o.viommu === v ? [{ id: o.id, iova: o.baseAddr, length: o.length }] : [])),
      });
    }
  }
  return out;
}
