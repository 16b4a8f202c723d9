// The uAPI struct behind each ioctl name the command table uses, so that the
// checker can accept any of its fields as an override key (`data_len=3`).
import { IOCTLS } from '../engine/uapi/iommufd.js';
import type { StructDef } from '../engine/uapi/layout.js';
import { VFIO_DEVICE_ATTACH_IOMMUFD_PT, VFIO_DEVICE_BIND_IOMMUFD, VFIO_DEVICE_DETACH_IOMMUFD_PT } from '../engine/uapi/vfio.js';

const VFIO_IOCTLS = new Map([VFIO_DEVICE_BIND_IOMMUFD, VFIO_DEVICE_ATTACH_IOMMUFD_PT, VFIO_DEVICE_DETACH_IOMMUFD_PT].map((d) => [d.name, d]));

export function ioctlStruct(name: string): StructDef | undefined {
  return (IOCTLS.get(name) ?? VFIO_IOCTLS.get(name))?.struct;
}
