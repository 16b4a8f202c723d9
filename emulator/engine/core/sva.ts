// SVA binding lifecycle (iommufd-reference §7, drivers/iommu/iommu-sva.c):
// the mm's PASID (allocated once from a system-wide space and kept for the
// mm's whole life), refcounted handles (a rebind of the same device and mm
// returns the same handle), SVA domains shared by the devices bound to one
// mm, and the mm's teardown after its process exited and its last domain went
// (mmdrop: the mm's page tables are freed then).
import { KernelError, fail } from '../errno.js';
import { FaultInjector } from '../fault-injection.js';
import type { Process } from '../memory/process.js';
import type { Device } from './device.js';
import { SvaDomain } from './sva-domain.js';

/** IOMMU_FIRST_GLOBAL_PASID: PASID 0 is the RID's (IOMMU_NO_PASID). */
const FIRST_GLOBAL_PASID = 1;

/** struct iommu_sva: one device bound to one mm. */
export interface SvaHandle {
  readonly id: number;
  readonly dev: Device;
  readonly domain: SvaDomain;
  users: number;
}

/** struct iommu_mm_data: what the IOMMU core keeps per mm. */
interface MmData {
  pasid: number;
  /** The mm's SVA domains, most recent first (list_add). */
  domains: SvaDomain[];
}

export class SvaBindings {
  private readonly mms = new Map<Process, MmData>();
  /** iommu_global_pasid_ida: PASIDs owned by some mm. */
  private readonly usedPasids = new Set<number>();
  private readonly handles = new Map<number, SvaHandle>();
  private nextHandle = 1;

  /** `faults`: the machine's fail_nth hook (the bond and the SVA domain are allocations). */
  constructor(private readonly faults = new FaultInjector()) {}

  /** iommu_sva_bind_device. */
  bind(dev: Device, mm: Process): SvaHandle {
    if (mm.dead) throw new Error(`process ${mm.name} has exited: nothing can bind its mm`);
    const data = this.mmData(dev, mm);
    const group = dev.group;
    const current = group.pasids.get(data.pasid);
    if (current) {
      const bound = this.handleAt(dev, current);
      if (!(current instanceof SvaDomain) || current.mm !== mm || !bound) {
        fail('EBUSY', `PASID ${data.pasid} of group ${group.id} is used by ${current.describe()}`);
      }
      bound.users++;
      return bound;
    }
    // A failure from here on leaves the mm's PASID allocated, as in the kernel (it goes with the mm).
    this.faults.check('sva handle allocation');
    let domain = data.domains.find((d) => attaches(d, dev, data.pasid));
    if (!domain) {
      const driver = dev.iommu.driver;
      if (!driver.allocSva) fail('EOPNOTSUPP', `the ${driver.model} driver cannot share CPU page tables (no SVA domains)`);
      this.faults.check('domain allocation');
      const fresh = driver.allocSva(dev, mm, data.pasid) as SvaDomain;
      try {
        group.attachPasid(fresh, data.pasid);
      } catch (e) {
        fresh.free();
        throw e;
      }
      data.domains.unshift((domain = fresh));
    }
    domain.users++;
    const handle: SvaHandle = { id: this.nextHandle++, dev, domain, users: 1 };
    this.handles.set(handle.id, handle);
    return handle;
  }

  /** iommu_sva_unbind_device: the last user detaches the PASID; the PASID stays with the mm. */
  unbind(id: number): void {
    const handle = this.handle(id);
    if (--handle.users > 0) return;
    this.handles.delete(id);
    const { dev, domain } = handle;
    const data = this.mms.get(domain.mm)!;
    dev.group.detachPasid(data.pasid);
    if (--domain.users === 0) {
      data.domains.splice(data.domains.indexOf(domain), 1);
      domain.free();
      this.dropMmIfDone(domain.mm);
    }
  }

  /** The process exited: its mm goes once no SVA domain holds it (mmgrab), and the PASID with it. */
  exit(mm: Process): void {
    mm.exit();
    this.dropMmIfDone(mm);
  }

  private handle(id: number): SvaHandle {
    const h = this.handles.get(id);
    if (!h) throw new Error(`no SVA handle ${id} (never returned by sva_bind, or already unbound)`);
    return h;
  }

  /** The PASID the mm owns, if any (iommu_sva_get_pasid). */
  pasidOf(mm: Process): number | undefined {
    return this.mms.get(mm)?.pasid;
  }

  /** iommu_alloc_mm_data: reuse the mm's PASID (EOVERFLOW past the device's), or allocate one (ENOSPC). */
  private mmData(dev: Device, mm: Process): MmData {
    const max = dev.maxPasids;
    const known = this.mms.get(mm);
    if (known) {
      if (known.pasid >= max) fail('EOVERFLOW', `process ${mm.name}'s PASID ${known.pasid} is beyond device ${dev.name}'s ${max} PASIDs`);
      return known;
    }
    let pasid = FIRST_GLOBAL_PASID;
    while (pasid < max && this.usedPasids.has(pasid)) pasid++;
    if (pasid >= max) {
      fail('ENOSPC', max === 0 ? `device ${dev.name} has no PASID support` : `no free PASID below device ${dev.name}'s ${max}`);
    }
    this.usedPasids.add(pasid);
    const data: MmData = { pasid, domains: [] };
    this.mms.set(mm, data);
    return data;
  }

  /** The live handle of `dev` on `domain`, if `domain` is one of its SVA attachments. */
  private handleAt(dev: Device, domain: object): SvaHandle | undefined {
    for (const h of this.handles.values()) if (h.dev.group === dev.group && h.domain === domain) return h;
    return undefined;
  }

  /** mmdrop once the process exited and no SVA domain holds the mm. */
  private dropMmIfDone(mm: Process): void {
    const data = this.mms.get(mm);
    if (!mm.dead || (data && data.domains.length > 0)) return;
    if (data) {
      this.usedPasids.delete(data.pasid);
      this.mms.delete(mm);
    }
    mm.drop();
  }
}

/** iommu_attach_device_pasid of an existing domain: any failure means "try the next one". */
function attaches(domain: SvaDomain, dev: Device, pasid: number): boolean {
  try {
    dev.group.attachPasid(domain, pasid);
    return true;
  } catch (e) {
    if (e instanceof KernelError) return false;
    throw e;
  }
}
