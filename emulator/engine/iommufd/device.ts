// The DEVICE object (struct iommufd_device): a device bound to an iommufd.
// Binding claims the group's DMA ownership for this fd; the binding driver
// holds a `users` reference until it unbinds (iommufd-reference §4.1, §2.5).
import type { Device } from '../core/device.js';
import { fail } from '../errno.js';
import type { IommufdFile } from './iommufd-file.js';
import type { IommufdGroup } from './igroup.js';
import { IommufdObject } from './object.js';
import { tombstoneVdevice, type Vdevice } from './vdevice.js';

export class IommufdDevice extends IommufdObject {
  readonly type = 'DEVICE';
  /** idev->vdev: its vDEVICE (one per device, on any vIOMMU). */
  vdev?: Vdevice;
  /** Set by unbind's pre-destroy: no new vDEVICE may name it (ENOENT). */
  destroying = false;

  constructor(
    readonly file: IommufdFile,
    readonly dev: Device,
    readonly igroup: IommufdGroup,
  ) {
    super();
  }

  /** iommufd_device_pre_destroy: a vDEVICE still on the device becomes a tombstone. */
  override preDestroy(): void {
    this.destroying = true;
    if (this.vdev) tombstoneVdevice(this.file, this.vdev);
  }

  override destroy(): void {
    this.dev.group.releaseDmaOwner();
    this.file.putGroup(this.igroup);
  }
}

/** iommufd_device_bind: the device's group becomes owned by `file`. */
export function bindDevice(file: IommufdFile, dev: Device): IommufdDevice {
  if (!dev.iommu.driver.capable(dev, 'cache_coherency')) fail('EINVAL', `device ${dev.name} cannot enforce cache-coherent DMA`);
  const igroup = file.getGroup(dev.group);
  try {
    dev.group.claimDmaOwner(file);
  } catch (e) {
    file.putGroup(igroup);
    throw e;
  }
  const idev = new IommufdDevice(file, dev, igroup);
  try {
    file.objects.add(idev);
  } catch (e) {
    // iommufd_device_bind's err_release_owner / err_group_put.
    idev.destroy();
    throw e;
  }
  // The binding driver is a user until it unbinds.
  idev.users++;
  // A real (VFIO) device holds the file: close's release waits for unbind.
  file.get();
  return idev;
}

/**
 * iommufd_device_unbind: the driver's reference goes and the object is
 * removed. EBUSY if something still holds it (a driver that did not detach).
 */
export function unbindDevice(idev: IommufdDevice): void {
  idev.file.objects.removeByKernel(idev, true);
  idev.file.put();
}
