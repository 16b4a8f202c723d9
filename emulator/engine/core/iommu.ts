// One IOMMU instance of the machine (`iommu NAME model=...`): its options,
// its driver, and the iommu_groups of the devices behind it.
import type { IommuOptions } from '../machine-api.js';
import type { IommuDriver } from './iommu-driver.js';
import type { IommuGroup } from './group.js';

export class Iommu {
  /** iommu_groups by their `group=` number (or a private key for lone devices). */
  readonly groups = new Map<string, IommuGroup>();

  constructor(
    readonly name: string,
    readonly opts: IommuOptions,
    readonly driver: IommuDriver,
  ) {}
}
