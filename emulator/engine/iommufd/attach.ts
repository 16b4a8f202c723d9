// Attaching a bound device to a HWPT, at its RID or at a PASID; replacing
// and detaching (iommufd-reference §4.2). All devices of a group share one
// HWPT per attachment point; only the first one programs the IOMMU.
import { KernelError, fail } from '../errno.js';
import type { IommufdDevice } from './device.js';
import { autoRespondFaults } from './fault.js';
import { describePasid, type Pasid } from './igroup.js';
import type { Hwpt } from './hwpt.js';
import { findHwptPaging } from './hwpt.js';

/** iommufd_hwpt_pasid_compat: PASID attachments need PASID-capable HWPTs, at the PASID and at the RID. */
function checkPasidCompat(hwpt: Hwpt, idev: IommufdDevice, pasid: Pasid): void {
  const ig = idev.igroup;
  if (pasid === undefined) {
    if (!hwpt.pasidCompat && ig.hasPasidAttachments()) {
      fail('EINVAL', `HWPT ${hwpt.id} is not PASID-capable but a PASID of the group is attached`);
    }
    return;
  }
  if (!hwpt.pasidCompat) fail('EINVAL', `HWPT ${hwpt.id} was not allocated with the pasid flag`);
  const rid = ig.attachments.get(undefined);
  if (rid && !rid.hwpt.pasidCompat) fail('EINVAL', `the RID is on HWPT ${rid.hwpt.id}, which is not PASID-capable`);
}

/** The device's reserved regions become reserved in the IOAS behind `hwpt` (RID attachments only). */
function reserveDeviceRegions(hwpt: Hwpt, idev: IommufdDevice): void {
  findHwptPaging(hwpt)?.ioas.iopt.reserveRegions(idev, idev.dev.reserved);
}

function releaseDeviceRegions(hwpt: Hwpt, idev: IommufdDevice): void {
  findHwptPaging(hwpt)?.ioas.iopt.releaseRegions(idev);
}

/** iommufd_hw_pagetable_attach: +1 users on the HWPT when it succeeds. */
export function hwptAttach(hwpt: Hwpt, idev: IommufdDevice, pasid: Pasid): void {
  const ig = idev.igroup;
  const existing = ig.attachments.get(pasid);
  if (existing?.devices.includes(idev)) fail('EBUSY', `device ${idev.id} is already attached at ${describePasid(pasid)}`);
  if (existing && existing.hwpt !== hwpt) {
    fail('EINVAL', `the group of device ${idev.id} is attached to HWPT ${existing.hwpt.id} at ${describePasid(pasid)}; its devices must share it`);
  }
  const rid = pasid === undefined;
  if (rid) reserveDeviceRegions(hwpt, idev);
  if (!existing) {
    try {
      checkPasidCompat(hwpt, idev, pasid);
      idev.file.phys.faults.check('attach handle allocation');
      const group = idev.dev.group;
      if (rid) group.attach(hwpt.domain);
      else group.attachPasid(hwpt.domain, pasid);
    } catch (e) {
      if (rid) releaseDeviceRegions(hwpt, idev);
      throw e;
    }
    ig.attachments.set(pasid, { hwpt, devices: [] });
  }
  hwpt.users++;
  ig.attachments.get(pasid)!.devices.push(idev);
}

/**
 * iommufd_hw_pagetable_detach: the device leaves its attachment at `pasid`;
 * the last one tears the IOMMU attachment down (the RID goes back to
 * blocking). Returns the HWPT whose reference the caller must put.
 */
export function hwptDetach(idev: IommufdDevice, pasid: Pasid): Hwpt {
  const ig = idev.igroup;
  const att = ig.attachments.get(pasid);
  if (!att || !att.devices.includes(idev)) throw new Error(`device ${idev.id} is not attached at ${describePasid(pasid)}`);
  att.devices.splice(att.devices.indexOf(idev), 1);
  if (att.devices.length === 0) {
    const group = idev.dev.group;
    if (pasid === undefined) group.detach();
    else group.detachPasid(pasid);
    ig.attachments.delete(pasid);
    autoRespondFaults(att.hwpt, { igroup: ig, pasid, hwpt: att.hwpt });
  }
  if (pasid === undefined) releaseDeviceRegions(att.hwpt, idev);
  return att.hwpt;
}

/**
 * iommufd_device_do_replace: moves the whole group's attachment at `pasid`
 * to `hwpt`. Returns the old HWPT (the caller puts it), or undefined when
 * nothing changed. On failure the old attachment stays.
 */
export function hwptReplace(idev: IommufdDevice, pasid: Pasid, hwpt: Hwpt): Hwpt | undefined {
  const ig = idev.igroup;
  const att = ig.attachments.get(pasid);
  if (!att) fail('EINVAL', `nothing is attached at ${describePasid(pasid)} of device ${idev.id}: replace needs an attachment`);
  if (!att.devices.includes(idev)) fail('EINVAL', `device ${idev.id} is not part of the attachment at ${describePasid(pasid)}`);
  const old = att.hwpt;
  if (hwpt === old) return undefined;
  const rid = pasid === undefined;
  const newPaging = findHwptPaging(hwpt);
  const oldPaging = findHwptPaging(old);
  const ioasChanges = newPaging !== undefined && newPaging.ioas !== oldPaging?.ioas;
  try {
    if (rid && ioasChanges) for (const d of att.devices) newPaging.ioas.iopt.reserveRegions(d, d.dev.reserved);
    checkPasidCompat(hwpt, idev, pasid);
    idev.file.phys.faults.check('attach handle allocation');
    const group = idev.dev.group;
    if (rid) group.replace(hwpt.domain);
    else group.replacePasid(hwpt.domain, pasid);
  } catch (e) {
    // As the kernel does (err_unresv), every group device's reservations
    // leave the new HWPT's IOAS, even when it is the IOAS of the old one.
    if (rid && newPaging) for (const d of att.devices) newPaging.ioas.iopt.releaseRegions(d);
    throw e;
  }
  if (rid && oldPaging && (!newPaging || newPaging.ioas !== oldPaging.ioas)) {
    for (const d of att.devices) oldPaging.ioas.iopt.releaseRegions(d);
  }
  att.hwpt = hwpt;
  autoRespondFaults(hwpt, { igroup: ig, pasid, hwpt: old });
  // The devices' references move; the caller's put drops the last old one.
  const n = att.devices.length;
  hwpt.users += n;
  old.users -= n - 1;
  return old;
}

/** True when the failure means "this automatic domain does not fit, try the next". */
export function isIncompatible(e: unknown): boolean {
  return e instanceof KernelError && e.errno === 'EINVAL';
}
