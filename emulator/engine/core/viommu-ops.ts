// What iommufd and an IOMMU driver ask of each other for a vIOMMU (struct
// iommufd_viommu_ops and the core helpers a driver calls back,
// include/linux/iommufd.h): the driver's per-vIOMMU operations, and the view
// of iommufd's vIOMMU and HW queue objects a driver gets.
import type { KernelError } from '../errno.js';
import type { FaultRecord } from '../machine-api.js';
import type { Device } from './device.js';
import type { IommuDomain } from './iommu-domain.js';
import type { UserData, UserDataArray } from './iommu-driver.js';

/** iommufd's vIOMMU as a driver sees it. */
export interface ViommuCore {
  readonly id: number;
  /** iommufd_viommu_get_vdev_id: the virt_id of `dev`'s vDEVICE in this vIOMMU. */
  vdevIdOf(dev: Device): bigint | undefined;
  /** iommufd_viommu_find_dev: the device whose vDEVICE has `virtId`. */
  deviceOf(virtId: bigint): Device | undefined;
  /** iommufd_viommu_report_event: queues a vEVENT; EOPNOTSUPP without a vEVENTQ of `type`. */
  reportEvent(type: bigint, data: Uint8Array): void;
  /** iommufd_viommu_alloc_mmap: an mmap offset of the iommufd for a driver region, freed with the vIOMMU. */
  allocMmap(length: bigint): bigint;
}

/** iommufd's HW queue as a driver sees it. */
export interface HwQueueCore {
  /** The guest queue's address in the nesting parent (nesting_parent_iova). */
  readonly baseAddr: bigint;
  /** iommufd_hw_queue_depend: this queue keeps `on` busy (+1 users) until undepend. */
  depend(on: HwQueueCore): void;
  undepend(on: HwQueueCore): void;
}

/** A stage-1 fault of a vIOMMU-nested domain, as the driver turns it into a vEVENT. */
export interface NestedFault {
  dev: Device;
  addr: bigint;
  write: boolean;
  pasid?: number;
  level?: number;
  /** The hardware's fault record as the driver completed it (raw event words, S2 bit). */
  record?: FaultRecord;
}

export interface ViommuOps {
  /** alloc_domain_nested: `flags` without FAULT_ID_VALID. */
  allocDomainNested(dev: Device, flags: bigint, data: UserData): IommuDomain;
  /** cache_invalidate: entries handled in order, stopping at the first bad one. */
  cacheInvalidate?(array: UserDataArray): { done: number; error?: KernelError };
  /** get_hw_queue_size != 0: the driver has HW queues of `type`. */
  hwQueueSupported?(type: bigint): boolean;
  /** hw_queue_init_phys. */
  hwQueueInit?(queue: HwQueueCore, index: number, basePa: bigint): void;
  /** hw_queue->destroy, for a queue whose init succeeded. */
  hwQueueDestroy?(queue: HwQueueCore): void;
  /** The vEVENT (type, payload) a stage-1 fault of one of its nested domains becomes; undefined: none. */
  stage1Event?(fault: NestedFault): { type: bigint; data: Uint8Array } | undefined;
  destroy?(): void;
}
