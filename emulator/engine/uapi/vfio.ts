// The VFIO device cdev ioctls that connect a device to iommufd
// (include/uapi/linux/vfio.h). VFIO_TYPE is ';' too, with VFIO_BASE 100.
import { struct } from './layout.js';
import type { IoctlDef } from './iommufd.js';

const VFIO_BASE = 100;

export const VFIO_DEVICE_BIND_IOMMUFD: IoctlDef = {
  name: 'VFIO_DEVICE_BIND_IOMMUFD',
  nr: VFIO_BASE + 18,
  struct: struct('vfio_device_bind_iommufd', [['argsz', 4], ['flags', 4], ['iommufd', 4], ['out_devid', 4]]),
};

export const VFIO_DEVICE_ATTACH_IOMMUFD_PT: IoctlDef = {
  name: 'VFIO_DEVICE_ATTACH_IOMMUFD_PT',
  nr: VFIO_BASE + 19,
  struct: struct('vfio_device_attach_iommufd_pt', [['argsz', 4], ['flags', 4], ['pt_id', 4], ['pasid', 4]], 'pt_id'),
};

export const VFIO_DEVICE_DETACH_IOMMUFD_PT: IoctlDef = {
  name: 'VFIO_DEVICE_DETACH_IOMMUFD_PT',
  nr: VFIO_BASE + 20,
  struct: struct('vfio_device_detach_iommufd_pt', [['argsz', 4], ['flags', 4], ['pasid', 4]], 'flags'),
};

/** VFIO_DEVICE_ATTACH_PASID / VFIO_DEVICE_DETACH_PASID */
export const VFIO_DEVICE_PASID_FLAG = 1n;
