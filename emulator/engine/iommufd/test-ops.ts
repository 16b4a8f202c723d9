// IOMMU_TEST_CMD, the selftest's multiplexed ioctl (iommufd_test.h): one
// handler per op number. Other parts of the engine add their ops to TEST_OPS.
import { fail } from '../errno.js';
import type { IommufdCtx } from './context.js';
import { getIoas } from './ioas.js';
import { hex, lastOf } from './u64.js';
import type { Ucmd } from './ucmd.js';

export type TestOp = (ctx: IommufdCtx, ucmd: Ucmd) => void;

/** enum in iommufd_test.h */
export const IOMMU_TEST_OP_ADD_RESERVED = 1;

/** ADD_RESERVED: `id` = IOAS, `a` = start, `b` = length; a reservation owned by nobody. */
function addReserved(ctx: IommufdCtx, ucmd: Ucmd): void {
  const start = ucmd.cmd.get('a');
  const length = ucmd.cmd.get('b');
  if (length === 0n) fail('EINVAL', 'length is 0');
  const last = lastOf(start, length);
  if (last === undefined) fail('EOVERFLOW', `start ${hex(start)} + length ${hex(length)} overflows`);
  getIoas(ctx, ucmd.cmd.get('id')).iopt.reserve(start, last, null);
}

export const TEST_OPS: Record<number, TestOp> = {
  [IOMMU_TEST_OP_ADD_RESERVED]: addReserved,
};

export function iommuTestCmd(ctx: IommufdCtx, ucmd: Ucmd): void {
  const op = ucmd.cmd.num('op');
  const handler = TEST_OPS[op];
  if (!handler) fail('EOPNOTSUPP', `unknown test op ${op}`);
  handler(ctx, ucmd);
}
