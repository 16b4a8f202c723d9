// An iommu_group: the devices that must share one translation, the domain
// the group is on (per PASID too), and its DMA ownership (iommufd-reference
// §4.3): `ownerCnt` claimants and an `owner` (null: kernel DMA-API users,
// else the user owner's cookie, an iommufd file).
import { fail } from '../errno.js';
import type { Owner } from '../machine-api.js';
import type { Device } from './device.js';
import type { IommuDomain } from './iommu-domain.js';
import type { Iommu } from './iommu.js';

export class IommuGroup {
  readonly devices: Device[] = [];
  ownerCnt = 0;
  owner: object | null = null;
  /** The domain of the RID. */
  domain: IommuDomain;
  /** pasid_array: the domain attached at each PASID. */
  readonly pasids = new Map<number, IommuDomain>();

  constructor(
    /** Global iommu_group id (for messages). */
    readonly id: number,
    readonly iommu: Iommu,
  ) {
    this.domain = this.defaultDomain;
  }

  get defaultDomain(): IommuDomain {
    return this.iommu.driver.defaultDomainOf?.(this) ?? this.iommu.driver.defaultDomain;
  }

  get blockingDomain(): IommuDomain {
    return this.iommu.driver.blockedDomain;
  }

  ownerKind(): Owner {
    if (this.ownerCnt === 0) return 'none';
    return this.owner === null ? 'kernel' : 'user';
  }

  // ---- DMA ownership ----

  /** iommu_device_use_default_domain: a kernel driver probes a device of the group. */
  useDefaultDomain(): void {
    if (this.ownerCnt > 0) {
      if (this.owner !== null) fail('EBUSY', `group ${this.id} is owned by user space (iommufd)`);
      if (this.domain !== this.defaultDomain) fail('EBUSY', `group ${this.id} is not on its default domain`);
      if (this.pasids.size > 0) fail('EBUSY', `group ${this.id} has PASID attachments`);
    }
    this.ownerCnt++;
  }

  /** iommu_device_unuse_default_domain: a kernel driver leaves. */
  unuseDefaultDomain(): void {
    if (this.ownerCnt > 0) this.ownerCnt--;
  }

  /** iommu_device_claim_dma_owner: iommufd bind. */
  claimDmaOwner(owner: object): void {
    if (this.ownerCnt > 0) {
      if (this.owner !== owner) {
        fail('EPERM', `group ${this.id} is already owned by ${this.owner === null ? 'a kernel driver' : 'another iommufd'}`);
      }
      this.ownerCnt++;
      return;
    }
    if (this.domain !== this.defaultDomain) fail('EBUSY', `group ${this.id} is not on its default domain`);
    if (this.pasids.size > 0) fail('EBUSY', `group ${this.id} has PASID attachments`);
    this.setDomain(this.blockingDomain);
    this.owner = owner;
    this.ownerCnt = 1;
  }

  /** iommu_device_release_dma_owner: the last release returns the group to its default domain. */
  releaseDmaOwner(): void {
    if (this.ownerCnt > 1) {
      this.ownerCnt--;
      return;
    }
    this.ownerCnt = 0;
    this.owner = null;
    this.setDomain(this.defaultDomain);
  }

  // ---- RID attachment ----

  /** iommu_attach_group. */
  attach(domain: IommuDomain): void {
    if (this.domain !== this.defaultDomain && this.domain !== this.blockingDomain) {
      fail('EBUSY', `group ${this.id} is already on ${this.domain.describe()}`);
    }
    this.checkDriver(domain);
    this.setDomain(domain);
  }

  /** iommu_replace_group_handle: switch without passing through blocking; nothing changes on failure. */
  replace(domain: IommuDomain): void {
    this.checkDriver(domain);
    this.setDomain(domain);
  }

  /** iommu_detach_group: back to the core domain (blocking while owned). */
  detach(): void {
    this.setDomain(this.owner !== null ? this.blockingDomain : this.defaultDomain);
  }

  // ---- PASID attachment ----

  /** iommu_attach_device_pasid. */
  attachPasid(domain: IommuDomain, pasid: number): void {
    this.checkPasid(domain, pasid);
    if (this.pasids.has(pasid)) fail('EBUSY', `PASID ${pasid} of group ${this.id} is already attached`);
    this.setPasid(domain, pasid, undefined);
  }

  /** iommu_replace_device_pasid: the old domain stays if the driver refuses. */
  replacePasid(domain: IommuDomain, pasid: number): void {
    this.checkPasid(domain, pasid);
    const old = this.pasids.get(pasid);
    if (old === domain) return;
    this.setPasid(domain, pasid, old);
  }

  /** iommu_detach_device_pasid. */
  detachPasid(pasid: number): void {
    for (const dev of this.pasidDevices()) this.iommu.driver.setDevPasid(this.blockingDomain, dev, pasid);
    this.pasids.delete(pasid);
  }

  private checkDriver(domain: IommuDomain): void {
    if (domain.driver !== this.iommu.driver) fail('EINVAL', `${domain.describe()} belongs to another IOMMU driver`);
  }

  private checkPasid(domain: IommuDomain, pasid: number): void {
    this.checkDriver(domain);
    if (pasid === 0) fail('EINVAL', 'PASID 0 is IOMMU_NO_PASID (the RID)');
    for (const dev of this.devices) {
      const max = dev.maxPasids;
      if (max > 0 && pasid >= max) fail('EINVAL', `PASID ${pasid} is beyond device ${dev.name}'s ${max} PASIDs`);
    }
  }

  /** Devices without PASID support are skipped: they never issue PASID-tagged DMA. */
  private pasidDevices(): Device[] {
    return this.devices.filter((d) => d.maxPasids > 0);
  }

  private setPasid(domain: IommuDomain, pasid: number, old: IommuDomain | undefined): void {
    const done: Device[] = [];
    try {
      for (const dev of this.pasidDevices()) {
        this.iommu.driver.setDevPasid(domain, dev, pasid);
        done.push(dev);
      }
    } catch (e) {
      for (const dev of done) this.iommu.driver.setDevPasid(old ?? this.blockingDomain, dev, pasid);
      throw e;
    }
    this.pasids.set(pasid, domain);
  }

  /** __iommu_group_set_domain: every device takes the domain, or none does. */
  private setDomain(domain: IommuDomain): void {
    if (domain === this.domain) return;
    for (const dev of this.devices) this.iommu.driver.attachDev(domain, dev);
    this.domain = domain;
  }
}
