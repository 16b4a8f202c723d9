// What the IOMMU core and iommufd ask of an IOMMU driver (struct iommu_ops
// and iommu_domain_ops, the parts the emulator models). One implementation
// per model under drivers/.
import type { FaultRecord, IommuModel } from '../machine-api.js';
import type { Process } from '../memory/process.js';
import type { Device, IovaRange } from './device.js';
import type { IommuGroup } from './group.js';
import type { IommuDomain, IommuPagingDomain } from './iommu-domain.js';
import type { ViommuCore, ViommuOps } from './viommu-ops.js';

/** struct iommu_user_data: a typed blob in user memory. */
export interface UserData {
  type: bigint;
  uptr: bigint;
  len: number;
  /** The caller's mm, to copy the blob from. */
  process: Process;
}

/** struct iommu_user_data_array: `entryNum` typed entries of `entryLen` bytes in user memory. */
export interface UserDataArray {
  type: bigint;
  uptr: bigint;
  entryLen: number;
  entryNum: number;
  process: Process;
}

export interface HwInfo {
  type: bigint;
  data: Uint8Array;
}

export interface IommuDriver {
  readonly model: IommuModel;
  /** The driver's static BLOCKED domain (also the group's blocking domain). */
  readonly blockedDomain: IommuDomain;
  /** The domain a group sits on while the kernel owns it. */
  readonly defaultDomain: IommuDomain;
  /** IOMMU_CAP_CACHE_COHERENCY / IOMMU_CAP_DIRTY_TRACKING for this device. */
  capable(dev: Device, cap: 'cache_coherency' | 'dirty_tracking'): boolean;
  /** dev->iommu->max_pasids: 0 when the device cannot issue PASID-tagged DMA. */
  maxPasids(dev: Device): number;
  /** domain_alloc_paging_flags: `flags` are IOMMU_HWPT_ALLOC_* bits without FAULT_ID_VALID. */
  allocPaging(dev: Device, flags: bigint, data: UserData | undefined): IommuPagingDomain;
  /** domain_alloc_nested on a NEST_PARENT paging domain; absent: no nesting support. */
  allocNested?(parent: IommuPagingDomain, dev: Device, flags: bigint, data: UserData): IommuDomain;
  /** attach_dev: the driver's own refusals, thrown as KernelErrors. */
  attachDev(domain: IommuDomain, dev: Device): void;
  /** set_dev_pasid (the blocked domain detaches the PASID). */
  setDevPasid(domain: IommuDomain, dev: Device, pasid: number): void;
  /** hw_info: the blob for a requested type (0 = the driver's default). */
  hwInfo(dev: Device, type: bigint): HwInfo;
  /** The IOMMU_HW_CAP_* bits reported for the device (besides dirty tracking). */
  hwCapabilities(dev: Device): bigint;
  /**
   * iommu_ops.user_pasid_table: the guest owns the PASID table, so a page
   * request at a PASID with no attachment goes to the nested domain at the RID.
   */
  readonly userPasidTable?: boolean;
  /** get_viommu_size != 0: the driver has vIOMMUs of `type`; absent: no vIOMMU support. */
  viommuSupported?(dev: Device, type: bigint): boolean;
  /** viommu_init on a NEST_PARENT domain, with the user's data when data_len != 0. */
  viommuInit?(core: ViommuCore, type: bigint, parent: IommuPagingDomain, data: UserData | undefined): ViommuOps;
  /** domain_alloc_sva: a domain sharing `mm`'s CPU page table (the mm owns `pasid`); absent: no SVA. */
  allocSva?(dev: Device, mm: Process, pasid: number): IommuDomain;
  /** Per-group DMA-API domains (real drivers); absent: every group uses `defaultDomain`. */
  defaultDomainOf?(group: IommuGroup): IommuDomain;
  /** Regions the IOMMU reserves for every device (the MSI or interrupt window). */
  reservedRegions?(): IovaRange[];
  /** Completes a fault record with the hardware's raw record and Linux's log lines. */
  describeFault?(fault: FaultRecord, dev: Device): FaultRecord;
}
