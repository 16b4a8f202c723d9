// vIOMMU commands of /dev/iommu: the vIOMMU, its vDEVICEs, event queues and
// hardware queues (iommufd-reference §6.1-6.5).
import { ioctlDef } from '../../engine/uapi/iommufd.js';
import { decodeFields } from '../marshal.js';
import { encodeRecord, VIOMMU_DATA } from '../payloads.js';
import { ArgFailure } from '../args.js';
import type { Value } from '../values.js';
import type { CommandHandler } from './context.js';
import { finish, issue } from './ioctl.js';

/**
 * VIOMMU_ALLOC: `data={...}` is the driver struct for `type`; what the driver
 * wrote into it (`out_data`, `out_mmap_offset`, ...) comes back as result fields.
 */
const viommuAlloc: CommandHandler = (ctx) => {
  const { args } = ctx;
  const type = args.int('type') ?? 0n;
  const layout = VIOMMU_DATA.get(type);
  const rec = args.record('data');
  let uptr = 0n;
  let len = 0;
  if (rec) {
    if (!layout) throw new ArgFailure(`data: no struct is known for vIOMMU type 0x${type.toString(16)}`);
    const bytes = encodeRecord(layout, rec);
    uptr = ctx.machine.userScratch(bytes);
    len = bytes.length;
  }
  const done = issue(ctx, ioctlDef('IOMMU_VIOMMU_ALLOC'), {
    dev_id: args.int('dev_id') ?? 0n,
    hwpt_id: args.int('hwpt_id') ?? 0n,
    type,
    data_len: BigInt(len),
    data_uptr: uptr,
  });
  if (done.error || !rec || !layout) return finish(done, 'viommu_id');
  const back = decodeFields(layout, ctx.machine.readUser(uptr, len));
  const extra: [string, Value][] = [...back].filter(([k]) => !layout.fields.some((f) => f.name === k));
  return finish(done, 'viommu_id', extra);
};

const vdeviceAlloc: CommandHandler = (ctx) =>
  finish(issue(ctx, ioctlDef('IOMMU_VDEVICE_ALLOC'), {
    viommu_id: ctx.args.int('viommu_id') ?? 0n,
    dev_id: ctx.args.int('dev_id') ?? 0n,
    virt_id: ctx.args.int('virt_id') ?? 0n,
  }), 'vdevice_id');

const veventqAlloc: CommandHandler = (ctx) =>
  finish(issue(ctx, ioctlDef('IOMMU_VEVENTQ_ALLOC'), {
    viommu_id: ctx.args.int('viommu_id') ?? 0n,
    type: ctx.args.int('type') ?? 0n,
    veventq_depth: ctx.args.int('veventq_depth') ?? 0n,
  }), 'veventq_id');

const hwQueueAlloc: CommandHandler = (ctx) =>
  finish(issue(ctx, ioctlDef('IOMMU_HW_QUEUE_ALLOC'), {
    viommu_id: ctx.args.int('viommu_id') ?? 0n,
    type: ctx.args.int('type') ?? 0n,
    index: ctx.args.int('index') ?? 0n,
    nesting_parent_iova: ctx.args.int('nesting_parent_iova') ?? 0n,
    length: ctx.args.int('length') ?? 0n,
  }), 'hw_queue_id');

export const VIOMMU_COMMANDS: Record<string, CommandHandler> = {
  viommu_alloc: viommuAlloc,
  vdevice_alloc: vdeviceAlloc,
  veventq_alloc: veventqAlloc,
  hw_queue_alloc: hwQueueAlloc,
};
