// The kernel selftest's mock IOMMU driver (iommufd-reference §8): its domain
// allocators, attach rules, PASID width and hw_info.
import { BlockedDomain, type IommuDomain, type IommuPagingDomain } from '../../core/iommu-domain.js';
import type { HwInfo, IommuDriver, UserData } from '../../core/iommu-driver.js';
import type { Device } from '../../core/device.js';
import { copyStructFromUser } from '../../core/user-data.js';
import { fail } from '../../errno.js';
import type { PhysMem } from '../../memory/physmem.js';
import { HWPT_ALLOC_FLAGS, HWPT_DATA_TYPES, HW_CAPABILITIES, HW_INFO_TYPES } from '../../uapi/iommufd.js';
import { struct, StructView } from '../../uapi/layout.js';
import { MockNestedDomain } from './mock-nested-domain.js';
import { MockPagingDomain } from './mock-paging-domain.js';

/** MOCK_PASID_WIDTH */
const MOCK_PASID_WIDTH = 20;
/** IOMMU_TEST_PASID_RESERVED: the PASID whose set_dev_pasid fails every second time. */
export const MOCK_FAKE_ERROR_PASID = 1024;
/** IOMMU_HW_INFO_SELFTEST_REGVAL */
const SELFTEST_REGVAL = 0xdeadbeefn;

/** struct iommu_hwpt_selftest { __u32 iotlb; __u32 pagetable_type; } */
const HWPT_SELFTEST = struct('iommu_hwpt_selftest', [['iotlb', 4], ['pagetable_type', 4]]);
/** struct iommu_test_hw_info { __u32 flags; __u32 test_reg; } */
const TEST_HW_INFO = struct('iommu_test_hw_info', [['flags', 4], ['test_reg', 4]]);

const PAGING_FLAGS = HWPT_ALLOC_FLAGS.dirty_tracking | HWPT_ALLOC_FLAGS.nest_parent | HWPT_ALLOC_FLAGS.pasid;

export class MockDriver implements IommuDriver {
  readonly model = 'mock';
  readonly blockedDomain: IommuDomain = new BlockedDomain(this);
  /** The mock has no DMA-API domain: unowned devices sit on the blocked domain. */
  readonly defaultDomain: IommuDomain = this.blockedDomain;
  /** mdev->pasid_1024_fake_error, per device. */
  private readonly fakeErrorArmed = new Set<Device>();

  constructor(private readonly phys: PhysMem) {}

  capable(dev: Device, cap: 'cache_coherency' | 'dirty_tracking'): boolean {
    return cap === 'cache_coherency' || !dev.noDirty;
  }

  maxPasids(dev: Device): number {
    return dev.pasidBits > 0 ? 1 << MOCK_PASID_WIDTH : 0;
  }

  allocPaging(dev: Device, flags: bigint, data: UserData | undefined): IommuPagingDomain {
    const dirty = (flags & HWPT_ALLOC_FLAGS.dirty_tracking) !== 0n;
    if (flags & ~PAGING_FLAGS) fail('EOPNOTSUPP', `the mock driver does not support HWPT flags 0x${(flags & ~PAGING_FLAGS).toString(16)}`);
    if (dirty && dev.noDirty) fail('EOPNOTSUPP', `device ${dev.name} has no dirty tracking`);
    if (data && data.type !== HWPT_DATA_TYPES.selftest && data.type !== HWPT_DATA_TYPES.none) {
      fail('EOPNOTSUPP', `the mock driver does not know data_type 0x${data.type.toString(16)}`);
    }
    if (data) {
      const cfg = copyStructFromUser(data, HWPT_DATA_TYPES.selftest, HWPT_SELFTEST, 'pagetable_type');
      // MOCK_IOMMUPT_HUGE / _AMDV1 select other page-table formats the emulator does not model.
      if (cfg.get('pagetable_type') !== 0n) fail('EOPNOTSUPP', `mock pagetable_type ${cfg.get('pagetable_type')} is not emulated`);
    }
    return new MockPagingDomain(this, this.phys, { dirtyOps: dirty, nestParent: (flags & HWPT_ALLOC_FLAGS.nest_parent) !== 0n });
  }

  allocNested(parent: IommuPagingDomain, _dev: Device, _flags: bigint, data: UserData): IommuDomain {
    if (data.type !== HWPT_DATA_TYPES.selftest) fail('EOPNOTSUPP', `the mock nested domain needs data_type selftest (0xdead), not 0x${data.type.toString(16)}`);
    const cfg = copyStructFromUser(data, HWPT_DATA_TYPES.selftest, HWPT_SELFTEST, 'iotlb');
    return new MockNestedDomain(this, parent, cfg.get('iotlb'));
  }

  attachDev(domain: IommuDomain, dev: Device): void {
    if (domain.dirtyOps && dev.noDirty) fail('EINVAL', `device ${dev.name} has no dirty tracking but ${domain.describe()} tracks dirty pages`);
  }

  setDevPasid(domain: IommuDomain, dev: Device, pasid: number): void {
    // Fault injection for the core's rollback paths: after one successful set
    // at PASID 1024 the next one fails; detaching (blocked) disarms it.
    if (pasid === MOCK_FAKE_ERROR_PASID) {
      if (domain.type === 'blocked') this.fakeErrorArmed.delete(dev);
      else if (this.fakeErrorArmed.has(dev)) {
        this.fakeErrorArmed.delete(dev);
        fail('ENOMEM', `the mock driver fakes a failure at PASID ${pasid} (every second set after a success)`);
      } else this.fakeErrorArmed.add(dev);
    }
    this.attachDev(domain, dev);
  }

  hwInfo(_dev: Device, type: bigint): HwInfo {
    if (type !== HW_INFO_TYPES.default && type !== HW_INFO_TYPES.selftest) {
      fail('EOPNOTSUPP', `the mock driver has no hw_info of type 0x${type.toString(16)}`);
    }
    const info = StructView.zeroed(TEST_HW_INFO);
    info.set('test_reg', SELFTEST_REGVAL);
    return { type: HW_INFO_TYPES.selftest, data: info.bytes };
  }

  hwCapabilities(): bigint {
    return HW_CAPABILITIES.pci_ats_not_supported;
  }
}
