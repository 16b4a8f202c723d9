// The VDEVICE object (struct iommufd_vdevice, iommufd-reference §6.2, §2.5):
// a device's identity (virt_id) inside one vIOMMU. One per device, virt_id
// unique per vIOMMU. It holds its vIOMMU and its DEVICE; when the device is
// unbound first, the vDEVICE is destroyed but its id stays a tombstone
// (DESTROY says ENOENT, the id is not reused) until the iommufd is closed.
import { fail } from '../errno.js';
import type { IommufdDevice } from './device.js';
import type { IommufdFile } from './iommufd-file.js';
import { IommufdObject } from './object.js';
import type { Ucmd } from './ucmd.js';
import type { Viommu } from './viommu.js';

/** ULONG_MAX: virt_id indexes an xarray. */
const ULONG_MAX = (1n << 64n) - 1n;

export class Vdevice extends IommufdObject {
  readonly type = 'VDEVICE';

  constructor(
    readonly viommu: Viommu,
    readonly idev: IommufdDevice,
    readonly virtId: bigint,
  ) {
    super();
  }

  /** iommufd_vdevice_abort: leaves the vIOMMU's map (if it got in) and releases both references. */
  override destroy(): void {
    if (this.viommu.vdevs.get(this.virtId) === this) this.viommu.vdevs.delete(this.virtId);
    this.viommu.users--;
    this.idev.vdev = undefined;
    this.idev.users--;
    this.idev.waitCnt--;
  }
}

/**
 * iommufd_device_remove_vdev, from the device's pre-destroy hook at unbind:
 * the vDEVICE is destroyed and its id becomes a tombstone.
 */
export function tombstoneVdevice(file: IommufdFile, vdev: Vdevice): void {
  file.objects.tombstone(vdev);
  vdev.users = 0;
  vdev.waitCnt = 0;
  vdev.destroy();
}

/** IOMMU_VDEVICE_ALLOC. */
export function vdeviceAllocIoctl(file: IommufdFile, ucmd: Ucmd): void {
  const cmd = ucmd.cmd;
  const virtId = cmd.get('virt_id');
  if (virtId > ULONG_MAX) fail('EINVAL', `virt_id 0x${virtId.toString(16)} is past ULONG_MAX`);
  const viommu = file.objects.get<Viommu>(cmd.get('viommu_id'), 'VIOMMU');
  const idev = file.objects.get<IommufdDevice>(cmd.get('dev_id'), 'DEVICE');
  if (viommu.iommu !== idev.dev.iommu) fail('EINVAL', `device ${idev.id} is behind ${idev.dev.iommu.name}, vIOMMU ${viommu.id} on ${viommu.iommu.name}`);
  if (idev.destroying) fail('ENOENT', `device ${idev.id} is being unbound`);
  if (idev.vdev) fail('EEXIST', `device ${idev.id} already has VDEVICE ${idev.vdev.id}`);
  const vdev = new Vdevice(viommu, idev, virtId);
  file.objects.reserve(vdev);
  viommu.users++;
  // The lookup of the device is kept: +1 users and +1 wait_cnt until destroy.
  idev.users++;
  idev.waitCnt++;
  idev.vdev = vdev;
  const taken = viommu.vdevs.get(virtId);
  if (taken) {
    file.objects.abortAndDestroy(vdev);
    fail('EEXIST', `virt_id 0x${virtId.toString(16)} of vIOMMU ${viommu.id} is VDEVICE ${taken.id}'s`);
  }
  try {
    file.phys.faults.check('vdevice id allocation');
  } catch (e) {
    file.objects.abortAndDestroy(vdev);
    throw e;
  }
  viommu.vdevs.set(virtId, vdev);
  cmd.set('out_vdevice_id', vdev.id);
  ucmd.respond();
  file.objects.finalize(vdev);
}
