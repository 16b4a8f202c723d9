// The HWPT objects (struct iommufd_hw_pagetable): a HWPT_PAGING wraps a
// paging domain that mirrors an IOAS (created by IOMMU_HWPT_ALLOC or as an
// automatic domain by attach); a HWPT_NESTED wraps a driver's nested domain
// on a NEST_PARENT HWPT_PAGING (iommufd-reference §3.11).
import type { IommuDomain, IommuPagingDomain } from '../core/iommu-domain.js';
import type { UserData } from '../core/iommu-driver.js';
import { fail } from '../errno.js';
import { HWPT_ALLOC_FLAGS } from '../uapi/iommufd.js';
import { hwptAttach, hwptDetach } from './attach.js';
import { IommufdDevice } from './device.js';
import { describePasid, type Pasid } from './igroup.js';
import type { Ioas } from './ioas.js';
import type { IommufdFile } from './iommufd-file.js';
import { IommufdObject } from './object.js';

const VALID_PAGING_FLAGS =
  HWPT_ALLOC_FLAGS.nest_parent | HWPT_ALLOC_FLAGS.dirty_tracking | HWPT_ALLOC_FLAGS.fault_id_valid | HWPT_ALLOC_FLAGS.pasid;
const VALID_NESTED_FLAGS = HWPT_ALLOC_FLAGS.fault_id_valid | HWPT_ALLOC_FLAGS.pasid;

export abstract class Hwpt extends IommufdObject {
  abstract override readonly type: 'HWPT_PAGING' | 'HWPT_NESTED';
  abstract readonly domain: IommuDomain;
  /** IOMMU_HWPT_ALLOC_PASID: may be attached at a PASID, and keeps PASIDs usable at the RID. */
  abstract readonly pasidCompat: boolean;
  /** The FAULT object of FAULT_ID_VALID (+1 users on it). */
  fault?: IommufdObject;

  constructor(protected readonly file: IommufdFile) {
    super();
  }

  /** For DESTROY's EBUSY reason: the attachments and objects that hold it. */
  describeHolders(): string {
    const holders: string[] = [];
    for (const obj of this.file.objects.live()) {
      if (obj instanceof IommufdDevice) {
        for (const [pasid, att] of obj.igroup.attachments) {
          if (att.hwpt === this && att.devices.includes(obj)) holders.push(`DEVICE ${obj.id} at ${describePasid(pasid)}`);
        }
      } else if (obj instanceof HwptNested && !obj.viommu && (obj.parent as Hwpt) === this) holders.push(`HWPT_NESTED ${obj.id} (its parent)`);
      else if (obj.type === 'VIOMMU' && (obj as { hwpt?: unknown }).hwpt === this) holders.push(`VIOMMU ${obj.id} (its nesting parent)`);
    }
    return holders.length > 0 ? `used by ${holders.join(', ')}` : 'other objects refer to it';
  }

  protected dropFault(): void {
    if (this.fault) this.fault.users--;
    this.fault = undefined;
  }
}

export class HwptPaging extends Hwpt {
  readonly type = 'HWPT_PAGING';
  /** Created by attach to an IOAS: only these are reused by later automatic attaches. */
  autoDomain = false;
  /** Set once the domain mirrors the IOAS (on its hwpt_list); the creation order for the auto search. */
  seq = 0;

  constructor(
    file: IommufdFile,
    readonly ioas: Ioas,
    readonly domain: IommuPagingDomain,
    readonly nestParent: boolean,
    readonly pasidCompat: boolean,
  ) {
    super(file);
  }

  override destroy(): void {
    if (this.seq !== 0) this.ioas.iopt.removeDomain(this.domain);
    this.ioas.users--;
    this.dropFault();
  }
}

export class HwptNested extends Hwpt {
  readonly type = 'HWPT_NESTED';

  constructor(
    file: IommufdFile,
    readonly parent: HwptPaging,
    readonly domain: IommuDomain,
    readonly pasidCompat: boolean,
    /** Set when allocated through a vIOMMU: it holds the vIOMMU instead of the parent. */
    readonly viommu?: IommufdObject,
  ) {
    super(file);
  }

  override destroy(): void {
    if (this.viommu) this.viommu.users--;
    else this.parent.users--;
    this.dropFault();
  }
}

/** find_hwpt_paging: the paging HWPT whose IOAS an attachment of `hwpt` uses. */
export function findHwptPaging(hwpt: Hwpt): HwptPaging | undefined {
  if (hwpt instanceof HwptPaging) return hwpt;
  if (hwpt instanceof HwptNested) return hwpt.parent;
  return undefined;
}

/**
 * iommufd_hwpt_paging_alloc: a reserved (not yet finalized) HWPT_PAGING on
 * `ioas` whose domain already mirrors it. With `immediateAttach` the device
 * is attached before the domain is filled, as the kernel does for auto domains.
 */
export function allocHwptPaging(
  file: IommufdFile,
  ioas: Ioas,
  idev: IommufdDevice,
  pasid: Pasid,
  flags: bigint,
  immediateAttach: boolean,
  data: UserData | undefined,
): HwptPaging {
  const dev = idev.dev;
  if (flags & ~VALID_PAGING_FLAGS) fail('EOPNOTSUPP', `unknown HWPT_ALLOC flags 0x${(flags & ~VALID_PAGING_FLAGS).toString(16)}`);
  if (flags & HWPT_ALLOC_FLAGS.dirty_tracking && !dev.iommu.driver.capable(dev, 'dirty_tracking')) {
    fail('EOPNOTSUPP', `device ${dev.name} cannot track dirty pages`);
  }
  if (flags & HWPT_ALLOC_FLAGS.fault_id_valid && flags & HWPT_ALLOC_FLAGS.nest_parent) {
    fail('EOPNOTSUPP', 'a NEST_PARENT HWPT cannot have a fault queue');
  }
  // The kernel reserves the id before the driver allocates; nothing else can
  // take an id in between, so allocating the domain first gives the same ids.
  file.phys.faults.check('domain allocation');
  const domain = dev.iommu.driver.allocPaging(dev, flags & ~HWPT_ALLOC_FLAGS.fault_id_valid, data);
  const hwpt = new HwptPaging(file, ioas, domain, (flags & HWPT_ALLOC_FLAGS.nest_parent) !== 0n, (flags & HWPT_ALLOC_FLAGS.pasid) !== 0n);
  file.objects.reserve(hwpt);
  ioas.users++;
  if (immediateAttach) {
    try {
      hwptAttach(hwpt, idev, pasid);
    } catch (e) {
      file.objects.abortAndDestroy(hwpt);
      throw e;
    }
  }
  try {
    ioas.iopt.addDomain(domain, hwpt);
  } catch (e) {
    if (immediateAttach) {
      hwptDetach(idev, pasid);
      hwpt.users--;
    }
    file.objects.abortAndDestroy(hwpt);
    throw e;
  }
  hwpt.seq = file.nextSeq();
  return hwpt;
}

/** iommufd_hwpt_nested_alloc: a reserved HWPT_NESTED on the NEST_PARENT `parent`. */
export function allocHwptNested(file: IommufdFile, parent: HwptPaging, idev: IommufdDevice, flags: bigint, data: UserData | undefined): HwptNested {
  const driver = idev.dev.iommu.driver;
  if (flags & ~VALID_NESTED_FLAGS) fail('EOPNOTSUPP', `flags 0x${(flags & ~VALID_NESTED_FLAGS).toString(16)} are not allowed on a nested HWPT`);
  if (!data) fail('EOPNOTSUPP', 'a nested HWPT needs driver data (data_type and data_len)');
  if (!driver.allocNested) fail('EOPNOTSUPP', `the ${driver.model} driver has no nested domains`);
  if (parent.autoDomain) fail('EINVAL', `HWPT ${parent.id} is an automatic domain, not a nest parent`);
  if (!parent.nestParent) fail('EINVAL', `HWPT ${parent.id} was not allocated with nest_parent`);
  if (parent.domain.driver !== driver) fail('EINVAL', `HWPT ${parent.id} belongs to another IOMMU driver`);
  file.phys.faults.check('domain allocation');
  const domain = driver.allocNested(parent.domain, idev.dev, flags, data);
  const hwpt = new HwptNested(file, parent, domain, (flags & HWPT_ALLOC_FLAGS.pasid) !== 0n);
  file.objects.reserve(hwpt);
  parent.users++;
  return hwpt;
}

/**
 * iommufd_hw_pagetable_put: drops an attachment's reference. An automatic
 * domain whose last user left is destroyed at once (its id is freed).
 */
export function putHwpt(file: IommufdFile, hwpt: Hwpt): void {
  hwpt.users--;
  if (hwpt instanceof HwptPaging && hwpt.autoDomain && hwpt.users === 1) file.objects.destroyInternal(hwpt);
}
