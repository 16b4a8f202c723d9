// The selftest driver's own operations (trace-language §3, only with
// model=mock): IOMMU_TEST_CMD with its op number and its union packed into
// the struct's 8-byte words a..f exactly as iommufd_test.h lays it out.
import { ioctlDef } from '../../engine/uapi/iommufd.js';
import { packWords } from '../marshal.js';
import { list } from '../values.js';
import type { CommandHandler } from './context.js';
import { finish, issue, outputs } from './ioctl.js';

/** enum of iommufd_test.h (IOMMU_TEST_OP_*). */
export const TEST_OPS = { add_reserved: 1n, dirty: 13n, trigger_iopf: 15n, trigger_vevent: 17n } as const;

const TEST_CMD = ioctlDef('IOMMU_TEST_CMD');

/** Two u32 members sharing one 8-byte word (the first at the lower address). */
function pair(lo: bigint, hi: bigint): bigint {
  return (lo & 0xffffffffn) | ((hi & 0xffffffffn) << 32n);
}

/** add_reserved { start, length } on the IOAS in `id`. */
const addReserved: CommandHandler = (ctx) =>
  finish(issue(ctx, TEST_CMD, {
    op: TEST_OPS.add_reserved,
    id: ctx.args.int('ioas_id') ?? 0n,
    a: ctx.args.int('start') ?? 0n,
    b: ctx.args.int('length') ?? 0n,
  }));

/** trigger_iopf { u32 dev_id, pasid, grpid, perm; u64 addr } */
const triggerIopf: CommandHandler = (ctx) => {
  const { args } = ctx;
  return finish(issue(ctx, TEST_CMD, {
    op: TEST_OPS.trigger_iopf,
    a: pair(args.int('dev_id') ?? 0n, args.int('pasid') ?? 0n),
    b: pair(args.int('grpid') ?? 0n, args.int('perm') ?? 0n),
    c: args.int('addr') ?? 0n,
  }));
};

/** trigger_vevent { u32 dev_id } */
const triggerVevent: CommandHandler = (ctx) =>
  finish(issue(ctx, TEST_CMD, { op: TEST_OPS.trigger_vevent, a: ctx.args.int('dev_id') ?? 0n }));

/**
 * dirty { u32 flags; u64 iova, length, page_size, uptr, out_nr_dirty } on
 * the HWPT in `id`: marks the pages whose bits are set in `bitmap`.
 */
const dirty: CommandHandler = (ctx) => {
  const { args } = ctx;
  const words = args.ints('bitmap') ?? [];
  const uptr = ctx.machine.userScratch(packWords(words, 8));
  const done = issue(ctx, TEST_CMD, {
    op: TEST_OPS.dirty,
    id: args.int('hwpt_id') ?? 0n,
    b: args.int('iova') ?? 0n,
    c: args.int('length') ?? 0n,
    d: args.int('page_size') ?? 0n,
    e: uptr,
  });
  const out = finish(done);
  if (!done.error) out.result = outputs(done, undefined, [['nr_dirty', done.out.get('f') ?? 0n], ['bitmap', list(words)]]);
  return out;
};

export const SELFTEST_COMMANDS: Record<string, CommandHandler> = {
  test_add_reserved: addReserved,
  test_iopf: triggerIopf,
  test_vevent: triggerVevent,
  test_dirty: dirty,
};
