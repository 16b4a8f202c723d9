// The ioctl table of /dev/iommu: every handler by its uAPI name. Slots with
// no handler here give ENOTTY, as an op the kernel was built without would.
import { destroyIoctl } from './destroy.js';
import { getHwInfoIoctl } from './hw-info.js';
import { hwptAllocIoctl } from './hwpt-alloc.js';
import { getDirtyBitmapIoctl, IOMMU_TEST_OP_DIRTY, setDirtyTrackingIoctl, testDirtyOp } from './hwpt-dirty.js';
import { hwptInvalidateIoctl } from './hwpt-invalidate.js';
import { faultQueueAllocIoctl } from './fault.js';
import { hwQueueAllocIoctl } from './hw-queue.js';
import { IOMMU_TEST_OP_TRIGGER_IOPF, triggerIopfOp } from './iopf.js';
import { vdeviceAllocIoctl } from './vdevice.js';
import { veventqAllocIoctl } from './veventq.js';
import { IOMMU_TEST_OP_TRIGGER_VEVENT, triggerVeventOp } from '../drivers/mock/mock-vevent.js';
import { viommuAllocIoctl } from './viommu.js';
import { IOAS_HANDLERS } from './ioas-ioctls.js';
import type { IommufdFile } from './iommufd-file.js';
import { TEST_OPS } from './test-ops.js';
import type { Ucmd } from './ucmd.js';

// The mock driver's own selftest ops join IOMMU_TEST_CMD's table.
TEST_OPS[IOMMU_TEST_OP_DIRTY] = testDirtyOp;
TEST_OPS[IOMMU_TEST_OP_TRIGGER_IOPF] = triggerIopfOp;
TEST_OPS[IOMMU_TEST_OP_TRIGGER_VEVENT] = triggerVeventOp;

export type FileIoctlHandler = (file: IommufdFile, ucmd: Ucmd) => void;

export const HANDLERS: Readonly<Record<string, FileIoctlHandler>> = {
  ...IOAS_HANDLERS,
  IOMMU_DESTROY: destroyIoctl,
  IOMMU_HWPT_ALLOC: hwptAllocIoctl,
  IOMMU_GET_HW_INFO: getHwInfoIoctl,
  IOMMU_HWPT_SET_DIRTY_TRACKING: setDirtyTrackingIoctl,
  IOMMU_HWPT_GET_DIRTY_BITMAP: getDirtyBitmapIoctl,
  IOMMU_HWPT_INVALIDATE: hwptInvalidateIoctl,
  IOMMU_FAULT_QUEUE_ALLOC: faultQueueAllocIoctl,
  IOMMU_VIOMMU_ALLOC: viommuAllocIoctl,
  IOMMU_VDEVICE_ALLOC: vdeviceAllocIoctl,
  IOMMU_VEVENTQ_ALLOC: veventqAllocIoctl,
  IOMMU_HW_QUEUE_ALLOC: hwQueueAllocIoctl,
};
