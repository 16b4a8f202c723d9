// struct iommufd_group: what one iommufd knows of an iommu_group whose
// devices it bound: per attachment point (the RID, or a PASID) the HWPT the
// group is on and which of its devices asked for it (§4.2: all devices of a
// group share one HWPT per PASID).
import type { IommuGroup } from '../core/group.js';
import type { IommufdDevice } from './device.js';
import type { Hwpt } from './hwpt.js';

/** An attachment point: undefined is the RID (IOMMU_NO_PASID), a number a PASID. */
export type Pasid = number | undefined;

export interface Attachment {
  hwpt: Hwpt;
  /** In attach order. */
  devices: IommufdDevice[];
}

export class IommufdGroup {
  /** DEVICE objects of this fd in the group (the igroup's kref). */
  refs = 0;
  readonly attachments = new Map<Pasid, Attachment>();

  constructor(readonly group: IommuGroup) {}

  /** True if `idev` is one of the devices attached at `pasid`. */
  isAttached(idev: IommufdDevice, pasid: Pasid): boolean {
    return this.attachments.get(pasid)?.devices.includes(idev) ?? false;
  }

  /** True if any PASID (not the RID) has an attachment. */
  hasPasidAttachments(): boolean {
    for (const key of this.attachments.keys()) if (key !== undefined) return true;
    return false;
  }
}

export function describePasid(pasid: Pasid): string {
  return pasid === undefined ? 'the RID' : `PASID ${pasid}`;
}
