// The kernel selftest's mock IOMMU driver (iommufd-reference §8): its domain
// allocators, attach rules, PASID width and hw_info; its vIOMMU is in
// mock-viommu.ts and its per-device state in mock-dev.ts.
import { BlockedDomain, type IommuDomain, type IommuPagingDomain } from '../../core/iommu-domain.js';
import type { HwInfo, IommuDriver, UserData } from '../../core/iommu-driver.js';
import type { Device } from '../../core/device.js';
import { copyStructFromUser } from '../../core/user-data.js';
import type { ViommuCore, ViommuOps } from '../../core/viommu-ops.js';
import { fail } from '../../errno.js';
import { Iotlb } from '../../iotlb.js';
import type { PhysMem } from '../../memory/physmem.js';
import type { Process } from '../../memory/process.js';
import { HWPT_ALLOC_FLAGS, HWPT_DATA_TYPES, HW_CAPABILITIES, HW_INFO_TYPES, VIOMMU_TYPES } from '../../uapi/iommufd.js';
import { struct, StructView } from '../../uapi/layout.js';
import { StatementLine } from '../../statement-line.js';
import { hwSvaDomain } from '../hw-sva-domain.js';
import { VtdFirstStageRules } from '../vtd/vtd-rules.js';
import { MockDev } from './mock-dev.js';
import { HWPT_SELFTEST, MockNestedDomain, mockNestedFromUser } from './mock-nested-domain.js';
import { MockPagingDomain } from './mock-paging-domain.js';
import { MockViommu, VIOMMU_SELFTEST } from './mock-viommu.js';

/** MOCK_PASID_WIDTH */
const MOCK_PASID_WIDTH = 20;
/** IOMMU_TEST_PASID_RESERVED: the PASID whose set_dev_pasid fails every second time. */
export const MOCK_FAKE_ERROR_PASID = 1024;
/** The mock vIOMMU's mmap region: two pages. */
const MOCK_VIOMMU_MMAP_LENGTH = 0x2000n;
/** IOMMU_HW_INFO_SELFTEST_REGVAL */
const SELFTEST_REGVAL = 0xdeadbeefn;

/** struct iommu_test_hw_info { __u32 flags; __u32 test_reg; } */
const TEST_HW_INFO = struct('iommu_test_hw_info', [['flags', 4], ['test_reg', 4]]);

const PAGING_FLAGS = HWPT_ALLOC_FLAGS.dirty_tracking | HWPT_ALLOC_FLAGS.nest_parent | HWPT_ALLOC_FLAGS.pasid;

export class MockDriver implements IommuDriver {
  readonly model = 'mock';
  readonly userPasidTable = true;
  readonly blockedDomain: IommuDomain = new BlockedDomain(this);
  /** The mock has no DMA-API domain: unowned devices sit on the blocked domain. */
  readonly defaultDomain: IommuDomain = this.blockedDomain;
  /** mdev->pasid_1024_fake_error, per device. */
  private readonly fakeErrorArmed = new Set<Device>();
  /** struct mock_dev of each device, made on first use. */
  private readonly mdevs = new Map<Device, MockDev>();
  /** The SVA domains' cache (the mock's paging domains have none). */
  private readonly svaIotlb = new Iotlb();

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
    return mockNestedFromUser(this, parent, data);
  }

  /** mock_domain_nop_attach: a vIOMMU-nested domain needs the device's vDEVICE and becomes its event route. */
  attachDev(domain: IommuDomain, dev: Device): void {
    this.checkDirty(domain, dev);
    const viommu = domain instanceof MockNestedDomain ? domain.viommu : undefined;
    let vdevId = 0n;
    if (viommu) {
      const id = viommu.core.vdevIdOf(dev);
      if (id === undefined) fail('ENOENT', `device ${dev.name} has no vDEVICE on vIOMMU ${viommu.core.id}`);
      vdevId = id;
    }
    const mdev = this.mdev(dev);
    if (mdev.viommu !== viommu) {
      mdev.viommu = viommu;
      mdev.vdevId = vdevId;
    }
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
    this.checkDirty(domain, dev);
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

  viommuSupported(_dev: Device, type: bigint): boolean {
    return type === VIOMMU_TYPES.selftest;
  }

  /** mock_viommu_init: with data, echo in_data and export a two-page mmap region. */
  viommuInit(core: ViommuCore, _type: bigint, parent: IommuPagingDomain, data: UserData | undefined): ViommuOps {
    const viommu = new MockViommu(this, core, parent);
    if (data) {
      const cfg = copyStructFromUser(data, VIOMMU_TYPES.selftest, VIOMMU_SELFTEST, 'out_data');
      cfg.set('out_data', cfg.get('in_data'));
      cfg.set('out_mmap_offset', core.allocMmap(MOCK_VIOMMU_MMAP_LENGTH));
      cfg.set('out_mmap_length', MOCK_VIOMMU_MMAP_LENGTH);
      // iommu_copy_struct_to_user: only what the caller's length covers.
      data.process.write(data.uptr, cfg.bytes.subarray(0, Math.min(data.len, cfg.bytes.length)));
    }
    return viommu;
  }

  /**
   * The emulator's SVA for the mock (the kernel's mock has none): the mm's
   * x86-64 table, walked as a VT-d first stage (VT-d fault reasons included)
   * through an IOTLB tagged by the mm's PASID.
   */
  allocSva(_dev: Device, mm: Process, pasid: number): IommuDomain {
    return hwSvaDomain({ driver: this, mm, arch: 'x86_64', rules: new VtdFirstStageRules(48), iotlb: this.svaIotlb, tag: `PASID ${pasid}`, label: 'mock SVA domain', line: new StatementLine() });
  }

  /** struct mock_dev of `dev`. */
  mdev(dev: Device): MockDev {
    let m = this.mdevs.get(dev);
    if (!m) this.mdevs.set(dev, (m = new MockDev()));
    return m;
  }

  private checkDirty(domain: IommuDomain, dev: Device): void {
    if (domain.dirtyOps && dev.noDirty) fail('EINVAL', `device ${dev.name} has no dirty tracking but ${domain.describe()} tracks dirty pages`);
  }
}
