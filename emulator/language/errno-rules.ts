// The errno rules of each ioctl a command issues, in the kernel's check order
// (the first failing check decides the errno), transcribed from
// ../shared/docs/iommufd-reference.md sections 1-6. Hover shows them one line
// each, completion after `=>` offers these errnos first, and the "Errno rules"
// section of docs/language.md is generated from this table
// (test/language/errno-rules.test.ts fails when they drift apart).
import type { ErrnoName as Errno } from '../engine/errno.js';
import { COMMANDS } from './commands.js';

export interface ErrnoRule {
  errno: Errno;
  /** The failing check, as the reference states it. */
  when: string;
}

const r = (errno: Errno, when: string): ErrnoRule => ({ errno, when });

/**
 * Section 1.1: the dispatch checks every /dev/iommu ioctl passes before its
 * handler runs (the bad-pointer read of `size` comes before the command check).
 */
export const DISPATCH_RULES: readonly ErrnoRule[] = [
  r('EFAULT', 'the argument pointer is bad (reading `size`)'),
  r('ENOTTY', 'the command number is not in the op table'),
  r('EINVAL', '`size` is below the struct\'s minimum size'),
  r('E2BIG', 'bytes beyond the kernel\'s struct size are not zero'),
];

/** The handler's own checks per ioctl, in order (sections 2.4, 3, 4, 6). */
export const IOCTL_ERRNO_RULES: Readonly<Record<string, readonly ErrnoRule[]>> = {
  IOMMU_DESTROY: [
    r('ENOENT', 'no object (or a tombstone) has the id'),
    r('EBUSY', 'the object has users besides the table'),
  ],
  IOMMU_IOAS_ALLOC: [r('EOPNOTSUPP', '`flags != 0`')],
  IOMMU_IOAS_IOVA_RANGES: [
    r('EOPNOTSUPP', '`__reserved != 0`'),
    r('ENOENT', 'no IOAS has the id'),
    r('EMSGSIZE', 'more ranges than `num_iovas` (outputs still written)'),
  ],
  IOMMU_IOAS_ALLOW_IOVAS: [
    r('EOPNOTSUPP', '`__reserved != 0`'),
    r('ENOENT', 'no IOAS has the id'),
    r('EINVAL', 'a range has `start >= last` or overlaps another of the list'),
    r('EFAULT', 'the range array pointer is bad'),
    r('EADDRINUSE', 'a range intersects a reserved range (the old list is kept)'),
  ],
  IOMMU_IOAS_MAP: [
    r('EOPNOTSUPP', 'unknown flag bits or `__reserved != 0`'),
    r('EOVERFLOW', '`iova` or `length` is `>= ULONG_MAX`'),
    r('EINVAL', 'neither readable nor writeable'),
    r('ENOENT', 'no IOAS has the id'),
    r('EOVERFLOW', '`user_va + length` overflows'),
    r('EINVAL', '`length` is 0, too large, or not a multiple of the IOAS alignment'),
    r('EINVAL', 'fixed: `iova` unaligned or the range hits a reserved range'),
    r('EOVERFLOW', 'fixed: `iova + length - 1` overflows'),
    r('EEXIST', 'fixed: the range intersects an existing mapping'),
    r('ENOSPC', 'automatic: no free IOVA range fits'),
    r('EINVAL', 'the sub-page offset of `user_va` is not a multiple of the alignment'),
    r('EFAULT', 'pinning for a domain: the user memory is not mapped'),
    r('ENOMEM', 'pinning for a domain: RLIMIT_MEMLOCK exceeded'),
  ],
  IOMMU_IOAS_MAP_FILE: [
    r('EOPNOTSUPP', 'unknown flag bits'),
    r('EOVERFLOW', '`iova` or `length` is `>= ULONG_MAX`'),
    r('EINVAL', 'neither readable nor writeable'),
    r('ENOENT', 'no IOAS has the id'),
    r('EINVAL', '`length == 0`'),
    r('EOVERFLOW', '`start + length - 1` overflows'),
    r('EBADF', '`fd` is not an open file'),
    r('EINVAL', 'the range goes beyond the file or dma-buf'),
    r('ENODEV', 'the dma-buf was revoked'),
    r('EEXIST', 'then as `IOMMU_IOAS_MAP`: fixed range already mapped'),
    r('ENOSPC', 'then as `IOMMU_IOAS_MAP`: no free IOVA range fits'),
  ],
  IOMMU_IOAS_COPY: [
    r('EOPNOTSUPP', 'unknown flag bits'),
    r('EOVERFLOW', '`length`, `src_iova` or `dst_iova` is `>= ULONG_MAX`'),
    r('EINVAL', 'neither readable nor writeable'),
    r('ENOENT', 'no IOAS has the source id'),
    r('EINVAL', '`length == 0`'),
    r('EOVERFLOW', '`src_iova + length - 1` overflows'),
    r('ENOENT', 'the source range is not fully covered by mappings'),
    r('ENOENT', 'no IOAS has the destination id'),
    r('EINVAL', 'destination alignment or reserved-range checks as `IOMMU_IOAS_MAP`'),
    r('EEXIST', 'fixed: the destination range is already mapped'),
    r('ENOSPC', 'automatic: no free destination IOVA range fits'),
    r('EPERM', 'writeable requested but the source pages are read-only'),
  ],
  IOMMU_IOAS_UNMAP: [
    r('ENOENT', 'no IOAS has the id'),
    r('EOVERFLOW', '`iova` or `length` is `>= ULONG_MAX` (unless unmap-all)'),
    r('EINVAL', '`length == 0`'),
    r('EOVERFLOW', '`iova + length - 1` overflows'),
    r('EBUSY', 'a mapping in the range is pinned by an internal access'),
    r('ENOENT', 'a mapping is only partly inside the range (no splitting)'),
    r('EDEADLK', 'external accesses keep the mapping after 100 retries'),
    r('ENOENT', 'nothing was unmapped'),
  ],
  IOMMU_OPTION: [
    r('EOPNOTSUPP', '`__reserved != 0`'),
    r('EOPNOTSUPP', 'RLIMIT_MODE with `object_id != 0`, or an unknown op'),
    r('EPERM', 'RLIMIT_MODE set without CAP_SYS_RESOURCE'),
    r('EBUSY', 'RLIMIT_MODE set while the fd holds objects'),
    r('ENOENT', 'HUGE_PAGES: no IOAS has `object_id`'),
    r('EINVAL', 'a value other than 0 or 1, or disabling huge pages with domains and mappings'),
    r('EADDRINUSE', 'disabling huge pages leaves a mapping unaligned (reverted)'),
    r('EOPNOTSUPP', 'unknown `option_id`'),
  ],
  IOMMU_VFIO_IOAS: [
    r('EOPNOTSUPP', '`__reserved != 0` or an unknown op'),
    r('ENODEV', 'GET without a compat IOAS'),
    r('ENOENT', 'SET: no IOAS has the id'),
  ],
  IOMMU_IOAS_CHANGE_PROCESS: [
    r('EOPNOTSUPP', '`__reserved != 0`'),
    r('EINVAL', 'a mapping of some IOAS is not file-backed'),
    r('ENOMEM', 'the new process\'s locked-memory limit is exceeded'),
  ],
  IOMMU_HWPT_ALLOC: [
    r('EOPNOTSUPP', '`__reserved != 0`'),
    r('EINVAL', '`data_type` and `data_len` disagree (one is none, the other not)'),
    r('ENOENT', 'no DEVICE has `dev_id`'),
    r('EINVAL', 'no object has `pt_id` (not ENOENT), or it is not an IOAS, HWPT_PAGING or VIOMMU'),
    r('EOPNOTSUPP', 'unsupported flags or data for the parent kind (e.g. dirty tracking on a device without it)'),
    r('EINVAL', 'nested: the parent is automatic or lacks NEST_PARENT; vIOMMU of another IOMMU'),
    r('EINVAL', 'paging: the domain\'s page size is too large'),
    r('EADDRINUSE', 'paging: the aperture or alignment conflicts with mappings or allowed ranges'),
    r('ENOENT', 'FAULT_ID_VALID: no FAULT has `fault_id`'),
  ],
  IOMMU_GET_HW_INFO: [
    r('EOPNOTSUPP', 'flags other than INPUT_TYPE, or a non-zero `__reserved`'),
    r('ENOENT', 'no DEVICE has `dev_id`'),
    r('EOPNOTSUPP', 'the driver does not know the requested data type'),
  ],
  IOMMU_HWPT_SET_DIRTY_TRACKING: [
    r('EOPNOTSUPP', 'flags other than ENABLE'),
    r('ENOENT', 'no HWPT_PAGING has the id (a nested id too)'),
    r('EOPNOTSUPP', 'the domain has no dirty tracking'),
  ],
  IOMMU_HWPT_GET_DIRTY_BITMAP: [
    r('EOPNOTSUPP', 'flags other than NO_CLEAR, or `__reserved != 0`'),
    r('ENOENT', 'no HWPT_PAGING has the id'),
    r('EOVERFLOW', '`iova + length - 1` overflows'),
    r('EINVAL', 'the range is unaligned to the IOAS or `page_size`, or `page_size == 0`'),
    r('EOPNOTSUPP', 'the domain has no dirty tracking'),
  ],
  IOMMU_HWPT_INVALIDATE: [
    r('EOPNOTSUPP', '`__reserved != 0`'),
    r('EINVAL', 'entries given without a pointer or an entry length'),
    r('ENOENT', 'no object has the id'),
    r('EOPNOTSUPP', 'the nested domain or vIOMMU cannot invalidate'),
    r('EINVAL', 'the object is not a HWPT_NESTED or VIOMMU, or an entry is wrong'),
  ],
  IOMMU_FAULT_QUEUE_ALLOC: [r('EOPNOTSUPP', '`flags != 0`')],
  IOMMU_VIOMMU_ALLOC: [
    r('EOPNOTSUPP', '`flags != 0` or `type` is DEFAULT'),
    r('ENOENT', 'no DEVICE has `dev_id`'),
    r('EOPNOTSUPP', 'the driver does not support the vIOMMU type'),
    r('ENOENT', 'no HWPT_PAGING has `hwpt_id`'),
    r('EINVAL', 'the HWPT was not allocated with NEST_PARENT'),
  ],
  IOMMU_VDEVICE_ALLOC: [
    r('ENOENT', 'no VIOMMU or DEVICE has the id'),
    r('EINVAL', 'the device sits behind another physical IOMMU'),
    r('ENOENT', 'the device is being unbound'),
    r('EEXIST', 'the device already has a VDEVICE, or `virt_id` is taken on this vIOMMU'),
  ],
  IOMMU_VEVENTQ_ALLOC: [
    r('EOPNOTSUPP', '`flags` or `__reserved` non-zero, or `type` is DEFAULT'),
    r('EINVAL', '`veventq_depth == 0`'),
    r('ENOENT', 'no VIOMMU has the id'),
    r('EEXIST', 'the vIOMMU already has a queue of this type'),
  ],
  IOMMU_HW_QUEUE_ALLOC: [
    r('EOPNOTSUPP', '`flags != 0` or `type` is DEFAULT'),
    r('EINVAL', '`length == 0`'),
    r('EOVERFLOW', '`nesting_parent_iova + length - 1` overflows'),
    r('ENOENT', 'no VIOMMU has the id'),
    r('EOPNOTSUPP', 'the driver has no queues of this type'),
    r('ENOENT', 'the queue memory is not mapped in the parent IOAS'),
    r('EFAULT', 'the queue memory is not physically contiguous'),
    r('EINVAL', 'mock: `index >= 2`'),
    r('EEXIST', 'mock: the index is in use'),
    r('EIO', 'mock: queue `index - 1` does not exist'),
  ],
  VFIO_DEVICE_BIND_IOMMUFD: [
    r('EINVAL', 'the device cannot do coherent DMA, or its file is bound already'),
    r('ENODEV', 'the device has no iommu_group'),
    r('EPERM', 'the group cannot isolate MSIs, or another owner holds its DMA'),
    r('EBUSY', 'the group is not on its default domain'),
  ],
  VFIO_DEVICE_ATTACH_IOMMUFD_PT: [
    r('ENOENT', 'no object has `pt_id`'),
    r('EINVAL', '`pt_id` is not an IOAS or HWPT'),
    r('EBUSY', 'the device is already in the group\'s attachment at this PASID'),
    r('EINVAL', 'the group is attached to a different HWPT at this PASID'),
    r('EADDRINUSE', 'the device\'s reserved regions conflict with the IOAS'),
    r('EINVAL', 'PASID compatibility, another driver\'s domain, or a bad PASID'),
    r('EOPNOTSUPP', 'a PASID attach on a driver without PASID support'),
    r('EBUSY', 'the group is on a non-core domain, or the PASID slot is used'),
    r('ENOENT', 'mock: a vIOMMU nested HWPT without a VDEVICE for the device'),
  ],
  VFIO_DEVICE_DETACH_IOMMUFD_PT: [],
};

/** The rules of a command's ioctl, dispatch checks first for /dev/iommu ioctls; undefined when it issues none. */
export function errnoRules(command: string): readonly ErrnoRule[] | undefined {
  const ioctl = COMMANDS.get(command)?.ioctl;
  const own = ioctl === undefined ? undefined : IOCTL_ERRNO_RULES[ioctl];
  if (own === undefined) return undefined;
  return ioctl!.startsWith('IOMMU_') ? [...DISPATCH_RULES, ...own] : own;
}

/** The distinct errnos a command can return, in the order its checks first name them. */
export function possibleErrnos(command: string): Errno[] {
  return [...new Set((errnoRules(command) ?? []).map((x) => x.errno))];
}

/** One line per rule: `` `EBUSY`: the object has users besides the table``. */
export function ruleLines(rules: readonly ErrnoRule[]): string[] {
  return rules.map((x) => `\`${x.errno}\`: ${x.when}`);
}

/** The "Errno rules" section of docs/language.md, generated from the table. */
export function errnoRulesMarkdown(): string {
  const out = [
    'Every `/dev/iommu` ioctl first passes the dispatch checks, in this order:',
    '',
    ...ruleLines(DISPATCH_RULES).map((l) => `- ${l}`),
    '',
    'Then each command\'s own checks, in the kernel\'s order (the first failing one decides):',
  ];
  for (const spec of COMMANDS.values()) {
    const own = spec.ioctl === undefined ? undefined : IOCTL_ERRNO_RULES[spec.ioctl];
    if (own === undefined) continue;
    out.push('', `**${spec.name}** (\`${spec.ioctl}\`)${own.length ? ':' : ': no errno of its own (detaching what is not attached does nothing).'}`);
    if (own.length) out.push('', ...ruleLines(own).map((l) => `- ${l}`));
  }
  return out.join('\n');
}
