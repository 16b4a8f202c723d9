// The VIOMMU object (struct iommufd_viommu, iommufd-reference §6.1): a VM's
// slice of a physical IOMMU on a nesting-parent HWPT_PAGING. It knows its
// vDEVICEs by virt_id (how the driver translates a guest's device ids), its
// vEVENTQs by type, and the driver's ops; nested HWPTs can be allocated
// through it (§3.11's VIOMMU branch).
import type { Device } from '../core/device.js';
import type { Iommu } from '../core/iommu.js';
import type { UserData } from '../core/iommu-driver.js';
import type { ViommuCore, ViommuOps } from '../core/viommu-ops.js';
import { fail } from '../errno.js';
import { HWPT_ALLOC_FLAGS, VIOMMU_TYPES } from '../uapi/iommufd.js';
import type { IommufdDevice } from './device.js';
import { HwptNested, type HwptPaging } from './hwpt.js';
import type { IommufdFile } from './iommufd-file.js';
import { lowestFreeOffset, type MmapRange } from './mmap-offsets.js';
import { IommufdObject } from './object.js';
import type { Ucmd } from './ucmd.js';
import type { Vdevice } from './vdevice.js';
import type { Veventq } from './veventq.js';

const VALID_NESTED_FLAGS = HWPT_ALLOC_FLAGS.fault_id_valid | HWPT_ALLOC_FLAGS.pasid;

export class Viommu extends IommufdObject implements ViommuCore {
  readonly type = 'VIOMMU';
  /** viommu->vdevs: virt_id -> vDEVICE. */
  readonly vdevs = new Map<bigint, Vdevice>();
  /** viommu->veventqs, in allocation order; one per type. */
  readonly veventqs: Veventq[] = [];
  /** Set by the driver's init. */
  ops?: ViommuOps;
  /** Driver regions exported for mmap (they go with the vIOMMU). */
  readonly mmaps: MmapRange[] = [];

  constructor(
    readonly file: IommufdFile,
    readonly vtype: bigint,
    /** The nesting parent (+1 users on it). */
    readonly hwpt: HwptPaging,
    /** viommu->iommu_dev: the physical IOMMU of the device it was made with. */
    readonly iommu: Iommu,
  ) {
    super();
  }

  vdevIdOf(dev: Device): bigint | undefined {
    for (const [virtId, vdev] of this.vdevs) if (vdev.idev.dev === dev) return virtId;
    return undefined;
  }

  deviceOf(virtId: bigint): Device | undefined {
    return this.vdevs.get(virtId)?.idev.dev;
  }

  reportEvent(type: bigint, data: Uint8Array): void {
    const q = this.veventqs.find((v) => v.eventType === type);
    if (!q) fail('EOPNOTSUPP', `vIOMMU ${this.id} has no vEVENTQ of type 0x${type.toString(16)}`);
    q.report(data);
  }

  allocMmap(length: bigint): bigint {
    const others = this.file.objects.live().flatMap((o) => (o instanceof Viommu && o !== this ? o.mmaps : []));
    const start = lowestFreeOffset([...others, ...this.mmaps], length);
    this.mmaps.push({ start, length });
    return start;
  }

  /** For DESTROY's EBUSY reason: the nested HWPTs, vDEVICEs, vEVENTQs and HW queues on it. */
  describeHolders(): string {
    const holders = this.file.objects.live().filter((o) => (o as { viommu?: unknown }).viommu === this);
    return holders.length > 0 ? `used by ${holders.map((o) => `${o.type} ${o.id}`).join(', ')}` : 'other objects refer to it';
  }

  /** The driver's ops (a vIOMMU whose init failed never becomes visible). */
  get driverOps(): ViommuOps {
    if (!this.ops) throw new Error(`vIOMMU ${this.id} has no driver ops`);
    return this.ops;
  }

  override destroy(): void {
    this.ops?.destroy?.();
    this.hwpt.users--;
  }
}

/** IOMMU_VIOMMU_ALLOC. */
export function viommuAllocIoctl(file: IommufdFile, ucmd: Ucmd): void {
  const cmd = ucmd.cmd;
  const type = cmd.get('type');
  if (cmd.get('flags') !== 0n) fail('EOPNOTSUPP', `flags 0x${cmd.get('flags').toString(16)} are not zero`);
  if (type === VIOMMU_TYPES.default) fail('EOPNOTSUPP', 'type 0 is IOMMU_VIOMMU_TYPE_DEFAULT, which cannot be allocated');
  const idev = file.objects.get<IommufdDevice>(cmd.get('dev_id'), 'DEVICE');
  const driver = idev.dev.iommu.driver;
  if (!driver.viommuSupported || !driver.viommuInit) fail('EOPNOTSUPP', `the ${driver.model} driver has no vIOMMU`);
  if (!driver.viommuSupported(idev.dev, type)) fail('EOPNOTSUPP', `the ${driver.model} driver has no vIOMMU of type 0x${type.toString(16)}`);
  const hwpt = file.objects.get<HwptPaging>(cmd.get('hwpt_id'), 'HWPT_PAGING');
  if (!hwpt.nestParent) fail('EINVAL', `HWPT ${hwpt.id} was not allocated with nest_parent`);
  const viommu = new Viommu(file, type, hwpt, idev.dev.iommu);
  file.objects.reserve(viommu);
  hwpt.users++;
  const dataLen = cmd.num('data_len');
  const data: UserData | undefined = dataLen !== 0 ? { type, uptr: cmd.get('data_uptr'), len: dataLen, process: file.process } : undefined;
  try {
    viommu.ops = driver.viommuInit(viommu, type, hwpt.domain, data);
  } catch (e) {
    file.objects.abortAndDestroy(viommu);
    throw e;
  }
  cmd.set('out_viommu_id', viommu.id);
  ucmd.respond();
  file.objects.finalize(viommu);
}

/** iommufd_viommu_alloc_hwpt_nested: a reserved HWPT_NESTED holding the vIOMMU (not its parent). */
export function allocHwptNestedOnViommu(file: IommufdFile, viommu: Viommu, idev: IommufdDevice, flags: bigint, data: UserData | undefined): HwptNested {
  if (viommu.iommu !== idev.dev.iommu) fail('EINVAL', `device ${idev.id} is behind ${idev.dev.iommu.name}, vIOMMU ${viommu.id} on ${viommu.iommu.name}`);
  if (flags & ~VALID_NESTED_FLAGS) fail('EOPNOTSUPP', `flags 0x${(flags & ~VALID_NESTED_FLAGS).toString(16)} are not allowed on a nested HWPT`);
  if (!data) fail('EOPNOTSUPP', 'a nested HWPT needs driver data (data_type and data_len)');
  file.phys.faults.check('domain allocation');
  const domain = viommu.driverOps.allocDomainNested(idev.dev, flags & ~HWPT_ALLOC_FLAGS.fault_id_valid, data);
  const hwpt = new HwptNested(file, viommu.hwpt, domain, (flags & HWPT_ALLOC_FLAGS.pasid) !== 0n, viommu);
  file.objects.reserve(hwpt);
  viommu.users++;
  return hwpt;
}
