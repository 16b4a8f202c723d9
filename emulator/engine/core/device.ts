// A DMA-capable device of the machine (struct device with its dev_iommu):
// which IOMMU and group it is behind, its PCI-ish properties, and the last
// fault its DMA took.
import type { FaultRecord, StaleHit } from '../machine-api.js';
import type { IommuGroup } from './group.js';
import type { Iommu } from './iommu.js';

export interface IovaRange {
  start: bigint;
  last: bigint;
}

export class Device {
  lastFault?: FaultRecord;
  /** The last DMA that used a stale IOTLB entry. */
  lastStaleHit?: StaleHit;
  /** A kernel driver is bound (`driver DEV probe`). */
  kernelDriver = false;
  /**
   * The PRG index of the next page request its DMA raises. Kept on the device
   * (not in a side table) so a checkpoint copy of the machine carries it.
   */
  nextGrpid = 1;

  constructor(
    readonly name: string,
    readonly iommu: Iommu,
    readonly group: IommuGroup,
    readonly rid: number,
    /** PASID width; 0: no PASID capability. */
    readonly pasidBits: number,
    readonly pri: boolean,
    readonly noDirty: boolean,
    /** Firmware reserved regions (inclusive). */
    readonly reserved: readonly IovaRange[],
  ) {}

  get maxPasids(): number {
    return this.iommu.driver.maxPasids(this);
  }
}
