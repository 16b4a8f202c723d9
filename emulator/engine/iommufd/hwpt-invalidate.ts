// IOMMU_HWPT_INVALIDATE (iommufd-reference §3.15): the driver processes an
// array of invalidation entries; `entry_num` is always written back with
// the number handled, whatever the outcome.
import { KernelError, fail } from '../errno.js';
import type { HwptNested } from './hwpt.js';
import type { IommufdFile } from './iommufd-file.js';
import type { Ucmd } from './ucmd.js';
import { Viommu } from './viommu.js';

export function hwptInvalidateIoctl(file: IommufdFile, ucmd: Ucmd): void {
  let result: { done: number; error?: KernelError };
  try {
    result = invalidate(file, ucmd);
  } catch (e) {
    if (!(e instanceof KernelError)) throw e;
    result = { done: 0, error: e };
  }
  ucmd.cmd.set('entry_num', result.done);
  ucmd.respond();
  if (result.error) throw result.error;
}

/** The checks before the driver throw; the driver's own failure comes back with its count. */
function invalidate(file: IommufdFile, ucmd: Ucmd): { done: number; error?: KernelError } {
  const cmd = ucmd.cmd;
  if (cmd.get('__reserved') !== 0n) fail('EOPNOTSUPP', '__reserved is not zero');
  const entryNum = cmd.num('entry_num');
  if (entryNum !== 0 && (cmd.get('data_uptr') === 0n || cmd.num('entry_len') === 0)) {
    fail('EINVAL', 'entries need a data_uptr and an entry_len');
  }
  const pt = file.objects.get(cmd.get('hwpt_id'));
  const array = { type: cmd.get('data_type'), uptr: cmd.get('data_uptr'), entryLen: cmd.num('entry_len'), entryNum, process: file.process };
  if (pt instanceof Viommu) {
    const ops = pt.driverOps;
    if (!ops.cacheInvalidate) fail('EOPNOTSUPP', `vIOMMU ${pt.id} has no cache invalidation`);
    return ops.cacheInvalidate(array);
  }
  if (pt.type !== 'HWPT_NESTED') fail('EINVAL', `object ${pt.id} is a ${pt.type}: invalidation takes a nested HWPT or a vIOMMU`);
  const domain = (pt as HwptNested).domain;
  if (!domain.cacheInvalidateUser) fail('EOPNOTSUPP', `${domain.describe()} has no user invalidation`);
  return domain.cacheInvalidateUser(array);
}
