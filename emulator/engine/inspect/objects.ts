// Every live iommufd object as plain data: its type, the two refcounts and
// the objects it holds / that hold it, in the kernel's words.
import { Access } from '../iommufd/access.js';
import { IommufdDevice } from '../iommufd/device.js';
import { HwQueue } from '../iommufd/hw-queue.js';
import { HwptNested, HwptPaging } from '../iommufd/hwpt.js';
import type { IommufdObject, ObjectType } from '../iommufd/object.js';
import { Vdevice } from '../iommufd/vdevice.js';
import { Veventq } from '../iommufd/veventq.js';
import { Viommu } from '../iommufd/viommu.js';
import type { Machine } from '../machine.js';
import { openIommufds } from './files.js';

export interface ObjectInfo {
  /** The iommufd (trace name) whose table holds it. */
  fd: string;
  id: number;
  type: ObjectType;
  users: number;
  waitCnt: number;
  /** What holds a `users` reference on it ("used by HWPT_PAGING 3"), when the object can say. */
  heldBy?: string;
  /** The objects this one refers to ("IOAS 1"), and what it is (device name, auto domain). */
  holds: string[];
  detail?: string;
}

export function inspectObjects(machine: Machine): ObjectInfo[] {
  const out: ObjectInfo[] = [];
  for (const { name, file } of openIommufds(machine)) {
    for (const obj of file.objects.live()) out.push(describeObject(name, obj));
  }
  return out;
}

export function describeObject(fd: string, obj: IommufdObject): ObjectInfo {
  const heldBy = (obj as { describeHolders?: () => string }).describeHolders?.();
  const info: ObjectInfo = { fd, id: obj.id, type: obj.type, users: obj.users, waitCnt: obj.waitCnt, holds: [] };
  if (heldBy !== undefined) info.heldBy = heldBy;
  if (obj instanceof HwptPaging) {
    info.holds.push(`IOAS ${obj.ioas.id}`);
    info.detail = `${obj.autoDomain ? 'auto domain' : 'user-allocated'}${obj.nestParent ? ', nest parent' : ''}: ${obj.domain.describe()}`;
  } else if (obj instanceof HwptNested) {
    // Through a vIOMMU the nested HWPT holds the vIOMMU, not its parent.
    info.holds.push(obj.viommu ? `VIOMMU ${obj.viommu.id}` : `HWPT_PAGING ${obj.parent.id} (parent)`);
    info.detail = obj.domain.describe();
  } else if (obj instanceof Viommu) {
    info.holds.push(`HWPT_PAGING ${obj.hwpt.id} (nesting parent)`);
    info.detail = `type 0x${obj.vtype.toString(16)} on ${obj.iommu.name}`;
  } else if (obj instanceof Vdevice) {
    info.holds.push(`VIOMMU ${obj.viommu.id}`, `DEVICE ${obj.idev.id}`);
    info.detail = `virt_id 0x${obj.virtId.toString(16)}`;
  } else if (obj instanceof Veventq || obj instanceof HwQueue) {
    info.holds.push(`VIOMMU ${obj.viommu.id}`);
  } else if (obj instanceof IommufdDevice) {
    info.detail = `device ${obj.dev.name}`;
    for (const [pasid, att] of obj.igroup.attachments) {
      if (att.devices.includes(obj)) info.holds.push(`${att.hwpt.type} ${att.hwpt.id} at ${pasid === undefined ? 'the RID' : `PASID ${pasid}`}`);
    }
  } else if (obj instanceof Access && obj.ioas) {
    info.holds.push(`IOAS ${obj.ioas.id}`);
  }
  const fault = (obj as { fault?: IommufdObject }).fault;
  if (fault) info.holds.push(`FAULT ${fault.id}`);
  return info;
}
