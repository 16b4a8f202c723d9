// What the two real-hardware drivers (smmuv3, vtd) share: one IOTLB per
// IOMMU instance, a hardware tag per domain, the blocked domain, a DMA-API
// default domain per iommu_group (made when the group first needs it), the
// PASID width, and the fault record completion hook.
import type { Device } from '../core/device.js';
import type { IommuGroup } from '../core/group.js';
import { BlockedDomain, type IommuDomain } from '../core/iommu-domain.js';
import { Iotlb } from '../iotlb.js';
import type { IommuOptions } from '../machine-api.js';
import type { PhysMem } from '../memory/physmem.js';
import { TablePages } from '../pgtable/table-pages.js';
import type { HwPagingDomain } from './hw-paging-domain.js';
import type { StatementLine } from '../statement-line.js';

/** The PASID (SubstreamID) width both models implement. */
export const HW_PASID_BITS = 20;

export abstract class HwDriverBase {
  readonly blockedDomain: IommuDomain = new BlockedDomain(this);
  /** Groups get their own DMA domain (defaultDomainOf); this is only the interface's fallback. */
  readonly defaultDomain: IommuDomain = this.blockedDomain;
  readonly iotlb = new Iotlb();
  protected readonly pages: TablePages;
  private readonly dmaDomains = new Map<IommuGroup, HwPagingDomain>();
  private nextTag = 1;

  constructor(
    phys: PhysMem,
    protected readonly opts: IommuOptions,
    /** The statement line now running (stale-hit messages). */
    protected readonly line: StatementLine,
  ) {
    this.pages = new TablePages(phys);
  }

  protected has(sw: string): boolean {
    return this.opts.switches?.includes(sw) ?? false;
  }

  /** A fresh hardware id (ASID/VMID, DID) for a new domain. */
  protected allocTag(): number {
    return this.nextTag++;
  }

  defaultDomainOf(group: IommuGroup): IommuDomain {
    let d = this.dmaDomains.get(group);
    if (!d) {
      d = this.allocDmaDomain();
      this.dmaDomains.set(group, d);
    }
    return d;
  }

  /** iommu_setup_default_domain: the driver's DMA-API domain (strict or DMA-FQ). */
  protected abstract allocDmaDomain(): HwPagingDomain;

  maxPasids(dev: Device): number {
    return dev.pasidBits > 0 ? 2 ** Math.min(dev.pasidBits, HW_PASID_BITS) : 0;
  }

  hwCapabilities(): bigint {
    return 0n;
  }
}
