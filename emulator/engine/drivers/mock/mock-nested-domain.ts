// The mock driver's nested domain (§6.3): no stage-1 table of its own, only
// four IOTLB slots for invalidation tests; DMA through it translates as its
// parent (trace-language §5). One allocated through a vIOMMU remembers it.
import type { IommuDomain, IommuPagingDomain, WalkOutcome } from '../../core/iommu-domain.js';
import type { UserData, UserDataArray } from '../../core/iommu-driver.js';
import { copyStructFromUser, copyStructFromUserArray } from '../../core/user-data.js';
import { KernelError, fail } from '../../errno.js';
import { HWPT_DATA_TYPES, HWPT_INVALIDATE_DATA_TYPES } from '../../uapi/iommufd.js';
import { struct } from '../../uapi/layout.js';
import type { MockViommu } from './mock-viommu.js';

/** MOCK_NESTED_DOMAIN_IOTLB_ID_MAX + 1 */
export const MOCK_NESTED_IOTLB_SLOTS = 4;
/** IOMMU_TEST_INVALIDATE_FLAG_ALL */
const INVALIDATE_ALL = 1n;
/** struct iommu_hwpt_invalidate_selftest { __u32 flags; __u32 iotlb_id; } */
const INVALIDATE_SELFTEST = struct('iommu_hwpt_invalidate_selftest', [['flags', 4], ['iotlb_id', 4]]);
/** struct iommu_hwpt_selftest { __u32 iotlb; __u32 pagetable_type; } */
export const HWPT_SELFTEST = struct('iommu_hwpt_selftest', [['iotlb', 4], ['pagetable_type', 4]]);

/** __mock_domain_alloc_nested: the selftest data gives the IOTLB slots their initial value. */
export function mockNestedFromUser(driver: object, parent: IommuPagingDomain, data: UserData, viommu?: MockViommu): MockNestedDomain {
  if (data.type !== HWPT_DATA_TYPES.selftest) fail('EOPNOTSUPP', `the mock nested domain needs data_type selftest (0xdead), not 0x${data.type.toString(16)}`);
  const cfg = copyStructFromUser(data, HWPT_DATA_TYPES.selftest, HWPT_SELFTEST, 'iotlb');
  return new MockNestedDomain(driver, parent, cfg.get('iotlb'), viommu);
}

export class MockNestedDomain implements IommuDomain {
  readonly type = 'nested';
  readonly dirtyOps = false;
  readonly iotlb: bigint[];

  constructor(
    readonly driver: object,
    readonly parent: IommuPagingDomain,
    iotlb: bigint,
    /** Set when allocated through a vIOMMU: attaching needs the device's vDEVICE there. */
    readonly viommu?: MockViommu,
  ) {
    this.iotlb = new Array<bigint>(MOCK_NESTED_IOTLB_SLOTS).fill(iotlb);
  }

  translate(iova: bigint, write: boolean, update: boolean): WalkOutcome {
    return this.parent.translate(iova, write, update);
  }

  describe(): string {
    return `mock nested domain on ${this.parent.describe()}`;
  }

  cacheInvalidateUser(array: UserDataArray): { done: number; error?: KernelError } {
    let done = 0;
    try {
      if (array.type !== HWPT_INVALIDATE_DATA_TYPES.selftest) {
        fail('EINVAL', `invalidation data_type 0x${array.type.toString(16)} is not the selftest's 0x${HWPT_INVALIDATE_DATA_TYPES.selftest.toString(16)}`);
      }
      for (; done < array.entryNum; done++) {
        const inv = copyStructFromUserArray(array, HWPT_INVALIDATE_DATA_TYPES.selftest, done, INVALIDATE_SELFTEST, 'iotlb_id');
        const flags = inv.get('flags');
        const id = inv.num('iotlb_id');
        if (flags & ~INVALIDATE_ALL) fail('EOPNOTSUPP', `entry ${done}: unknown flags 0x${(flags & ~INVALIDATE_ALL).toString(16)}`);
        if (id >= MOCK_NESTED_IOTLB_SLOTS) fail('EINVAL', `entry ${done}: iotlb_id ${id} is past ${MOCK_NESTED_IOTLB_SLOTS - 1}`);
        if (flags & INVALIDATE_ALL) this.iotlb.fill(0n);
        else this.iotlb[id] = 0n;
      }
    } catch (e) {
      if (e instanceof KernelError) return { done, error: e };
      throw e;
    }
    return { done };
  }
}
