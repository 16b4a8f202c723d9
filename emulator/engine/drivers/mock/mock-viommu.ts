// The selftest driver's vIOMMU (IOMMU_VIOMMU_TYPE_SELFTEST, iommufd-reference
// §6): it echoes its init data and exports a two-page mmap region, allocates
// nested domains bound to itself, invalidates device caches by virt_id, and
// runs up to two HW queues where queue i depends on queue i-1.
import type { Device } from '../../core/device.js';
import type { IommuDomain, IommuPagingDomain } from '../../core/iommu-domain.js';
import type { UserData, UserDataArray } from '../../core/iommu-driver.js';
import { copyStructFromUserArray } from '../../core/user-data.js';
import type { HwQueueCore, ViommuCore, ViommuOps } from '../../core/viommu-ops.js';
import { KernelError, fail } from '../../errno.js';
import { HWPT_ALLOC_FLAGS, HWPT_INVALIDATE_DATA_TYPES, HW_QUEUE_TYPES } from '../../uapi/iommufd.js';
import { struct } from '../../uapi/layout.js';
import { MOCK_DEV_CACHE_SLOTS } from './mock-dev.js';
import type { MockDriver } from './mock-driver.js';
import { mockNestedFromUser } from './mock-nested-domain.js';

/** IOMMU_TEST_INVALIDATE_FLAG_ALL */
const INVALIDATE_ALL = 1n;
/** IOMMU_TEST_HW_QUEUE_MAX */
export const MOCK_HW_QUEUE_MAX = 2;
/** struct iommu_viommu_invalidate_selftest { __u32 flags; __u32 vdev_id; __u32 cache_id; } */
const VIOMMU_INVALIDATE_SELFTEST = struct('iommu_viommu_invalidate_selftest', [['flags', 4], ['vdev_id', 4], ['cache_id', 4]]);
/** struct iommu_viommu_selftest { __u32 in_data; __u32 out_data; __aligned_u64 out_mmap_offset, out_mmap_length; } */
export const VIOMMU_SELFTEST = struct('iommu_viommu_selftest', [['in_data', 4], ['out_data', 4], ['out_mmap_offset', 8], ['out_mmap_length', 8]]);

export class MockViommu implements ViommuOps {
  private readonly queues: (HwQueueCore | undefined)[] = new Array(MOCK_HW_QUEUE_MAX).fill(undefined);

  constructor(
    readonly driver: MockDriver,
    readonly core: ViommuCore,
    readonly parent: IommuPagingDomain,
  ) {}

  /** mock_viommu_alloc_domain_nested: PASID is the only flag it knows. */
  allocDomainNested(_dev: Device, flags: bigint, data: UserData): IommuDomain {
    if (flags & ~HWPT_ALLOC_FLAGS.pasid) fail('EOPNOTSUPP', `the mock vIOMMU does not take HWPT flags 0x${(flags & ~HWPT_ALLOC_FLAGS.pasid).toString(16)}`);
    return mockNestedFromUser(this.driver, this.parent, data, this);
  }

  /** mock_viommu_cache_invalidate: the whole array is copied first, then handled entry by entry. */
  cacheInvalidate(array: UserDataArray): { done: number; error?: KernelError } {
    const type = HWPT_INVALIDATE_DATA_TYPES.selftest;
    let done = 0;
    try {
      const entries = Array.from({ length: array.entryNum }, (_, i) => copyStructFromUserArray(array, type, i, VIOMMU_INVALIDATE_SELFTEST, 'flags'));
      if (array.entryNum === 0 && array.type !== type) fail('EINVAL', `data_type 0x${array.type.toString(16)} is not 0x${type.toString(16)}`);
      for (const inv of entries) {
        const flags = inv.get('flags');
        const cacheId = inv.num('cache_id');
        if (flags & ~INVALIDATE_ALL) fail('EOPNOTSUPP', `entry ${done}: unknown flags 0x${(flags & ~INVALIDATE_ALL).toString(16)}`);
        if (cacheId >= MOCK_DEV_CACHE_SLOTS) fail('EINVAL', `entry ${done}: cache_id ${cacheId} is past ${MOCK_DEV_CACHE_SLOTS - 1}`);
        const dev = this.core.deviceOf(inv.get('vdev_id'));
        if (!dev) fail('EINVAL', `entry ${done}: no vDEVICE of vIOMMU ${this.core.id} has virt_id 0x${inv.get('vdev_id').toString(16)}`);
        const cache = this.driver.mdev(dev).cache;
        if (flags & INVALIDATE_ALL) cache.fill(0n);
        else cache[cacheId] = 0n;
        done++;
      }
    } catch (e) {
      if (e instanceof KernelError) return { done, error: e };
      throw e;
    }
    return { done };
  }

  hwQueueSupported(type: bigint): boolean {
    return type === HW_QUEUE_TYPES.selftest;
  }

  /** mock_hw_queue_init_phys: queues are taken in index order; queue i keeps queue i-1 busy. */
  hwQueueInit(queue: HwQueueCore, index: number, basePa: bigint): void {
    if (index >= MOCK_HW_QUEUE_MAX) fail('EINVAL', `index ${index} is past the mock's ${MOCK_HW_QUEUE_MAX} HW queues`);
    if (this.queues[index]) fail('EEXIST', `HW queue index ${index} of vIOMMU ${this.core.id} is in use`);
    const prev = index > 0 ? this.queues[index - 1] : undefined;
    if (index > 0 && !prev) fail('EIO', `HW queue index ${index - 1} must exist before index ${index}`);
    // The selftest's check that the core converted the address correctly.
    if (basePa !== this.parent.iovaToPhys(queue.baseAddr)) fail('EFAULT', `0x${basePa.toString(16)} is not where 0x${queue.baseAddr.toString(16)} maps`);
    if (prev) queue.depend(prev);
    this.queues[index] = queue;
  }

  /** mock_hw_queue_destroy: queue i-1 cannot be gone while queue i depends on it, so it is still there to release. */
  hwQueueDestroy(queue: HwQueueCore): void {
    const index = this.queues.indexOf(queue);
    this.queues[index] = undefined;
    const prev = index > 0 ? this.queues[index - 1] : undefined;
    if (prev) queue.undepend(prev);
  }
}
