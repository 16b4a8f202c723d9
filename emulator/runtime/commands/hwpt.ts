// HWPT commands of /dev/iommu: hardware info, allocation, dirty tracking,
// invalidation, and the fault queue a HWPT can report to (iommufd-reference §3.11-3.16).
import { HW_INFO_FLAGS, HW_INFO_TYPES, ioctlDef } from '../../engine/uapi/iommufd.js';
import { struct, type StructDef } from '../../engine/uapi/layout.js';
import { decodeFields, unpackWords } from '../marshal.js';
import { encodeRecord, HWPT_DATA, invalidateEntryDef } from '../payloads.js';
import { ArgFailure } from '../args.js';
import { bytes, list, record, type Value } from '../values.js';
import type { CommandContext, CommandHandler } from './context.js';
import { finish, issue, outputs } from './ioctl.js';

/** The driver blobs of GET_HW_INFO that `.data` decodes into fields. */
const HW_INFO_DATA: ReadonlyMap<bigint, StructDef> = new Map([
  [HW_INFO_TYPES.selftest, struct('iommu_test_hw_info', [['flags', 4], ['test_reg', 4]])],
]);

/** Without `data_len`, a user buffer large enough for every driver's blob. */
const DEFAULT_HW_INFO_LEN = 64n;

/**
 * A driver payload: `data={...}` laid out by `layout`, or raw `data=h"..."`.
 * Returns its user address and length (0, 0 when absent).
 */
function payload(ctx: CommandContext, layout: StructDef | undefined): { uptr: bigint; len: bigint } {
  const v = ctx.args.value('data');
  if (v === undefined) return { uptr: 0n, len: 0n };
  let data: Uint8Array;
  if (typeof v !== 'bigint' && v.kind === 'record') {
    if (!layout) throw new ArgFailure('data: no struct is known for this data type; pass data=h"..."');
    data = encodeRecord(layout, v);
  } else {
    data = ctx.args.bytes('data')!;
  }
  return { uptr: ctx.machine.userScratch(data), len: BigInt(data.length) };
}

const getHwInfo: CommandHandler = (ctx) => {
  const { args } = ctx;
  const dataType = args.int('data_type');
  const len = args.int('data_len') ?? DEFAULT_HW_INFO_LEN;
  const uptr = ctx.machine.userScratch(new Uint8Array(Number(len)));
  const done = issue(ctx, ioctlDef('IOMMU_GET_HW_INFO'), {
    dev_id: args.int('dev_id') ?? 0n,
    // Naming a data type asks for it, as the caller would with INPUT_TYPE.
    flags: args.int('flags') ?? (dataType === undefined ? 0n : HW_INFO_FLAGS.input_type),
    data_type: dataType ?? 0n,
    data_len: len,
    data_uptr: uptr,
  });
  if (done.error) return finish(done);
  const blob = ctx.machine.readUser(uptr, Math.min(Number(len), Number(done.out.get('data_len') ?? 0n)));
  const layout = HW_INFO_DATA.get(done.out.get('data_type') ?? 0n);
  const data: Value = layout && blob.length >= layout.size ? record(decodeFields(layout, blob)) : bytes(blob);
  return finish(done, undefined, [['data', data]]);
};

const hwptAlloc: CommandHandler = (ctx) => {
  const { args } = ctx;
  const dataType = args.int('data_type') ?? 0n;
  const data = payload(ctx, HWPT_DATA.get(dataType));
  return finish(issue(ctx, ioctlDef('IOMMU_HWPT_ALLOC'), {
    dev_id: args.int('dev_id') ?? 0n,
    pt_id: args.int('pt_id') ?? 0n,
    flags: args.int('flags') ?? 0n,
    data_type: dataType,
    data_len: data.len,
    data_uptr: data.uptr,
    fault_id: args.int('fault_id') ?? 0n,
  }), 'hwpt_id');
};

const setDirtyTracking: CommandHandler = (ctx) =>
  finish(issue(ctx, ioctlDef('IOMMU_HWPT_SET_DIRTY_TRACKING'), {
    hwpt_id: ctx.args.int('hwpt_id') ?? 0n,
    flags: ctx.args.int('flags') ?? 0n,
  }));

/** GET_DIRTY_BITMAP: `.bitmap` is the list of u64 words, bit i = page iova + i * page_size. */
const getDirtyBitmap: CommandHandler = (ctx) => {
  const { args } = ctx;
  const length = args.int('length') ?? 0n;
  const pageSize = args.int('page_size') ?? 0n;
  const pages = pageSize === 0n ? 0n : (length + pageSize - 1n) / pageSize;
  const words = Number((pages + 63n) / 64n) || 1;
  const uptr = ctx.machine.userScratch(new Uint8Array(words * 8));
  const done = issue(ctx, ioctlDef('IOMMU_HWPT_GET_DIRTY_BITMAP'), {
    hwpt_id: args.int('hwpt_id') ?? 0n,
    flags: args.int('flags') ?? 0n,
    iova: args.int('iova') ?? 0n,
    length,
    page_size: pageSize,
    data: uptr,
  });
  if (done.error) return finish(done);
  const bitmap = list(unpackWords(ctx.machine.readUser(uptr, words * 8), 8));
  // The bare name is the bitmap itself.
  return { actual: { kind: 'ok', value: bitmap }, result: outputs(done, undefined, [['bitmap', bitmap]], bitmap) };
};

/**
 * HWPT_INVALIDATE: records laid out for the target and cut or zero-padded
 * to `entry_len`. The kernel always writes `entry_num` back, so the name is
 * bound on failure too.
 */
const hwptInvalidate: CommandHandler = (ctx) => {
  const { args } = ctx;
  const dataType = args.int('data_type') ?? 0n;
  const entries = args.records('entries');
  let entryLen = args.int('entry_len');
  let data: Uint8Array;
  let num: bigint;
  if (entries) {
    const def = invalidateEntryDef(dataType, entries);
    if (typeof def === 'string') throw new ArgFailure(`entries: ${def}`);
    entryLen ??= BigInt(def.size);
    const len = Number(entryLen);
    data = new Uint8Array(len * entries.length);
    entries.forEach((e, i) => data.set(encodeRecord(def, e, len), i * len));
    num = BigInt(entries.length);
  } else {
    data = args.bytes('data') ?? new Uint8Array(0);
    entryLen ??= 0n;
    num = entryLen === 0n ? 0n : BigInt(data.length) / entryLen;
  }
  const done = issue(ctx, ioctlDef('IOMMU_HWPT_INVALIDATE'), {
    hwpt_id: args.int('hwpt_id') ?? 0n,
    data_type: dataType,
    entry_len: entryLen,
    entry_num: num,
    data_uptr: data.length ? ctx.machine.userScratch(data) : 0n,
  });
  const out = finish(done);
  out.result = outputs(done);
  return out;
};

const faultQueueAlloc: CommandHandler = (ctx) =>
  finish(issue(ctx, ioctlDef('IOMMU_FAULT_QUEUE_ALLOC'), { flags: ctx.args.int('flags') ?? 0n }), 'fault_id');

export const HWPT_COMMANDS: Record<string, CommandHandler> = {
  get_hw_info: getHwInfo,
  hwpt_alloc: hwptAlloc,
  hwpt_set_dirty_tracking: setDirtyTracking,
  hwpt_get_dirty_bitmap: getDirtyBitmap,
  hwpt_invalidate: hwptInvalidate,
  fault_queue_alloc: faultQueueAlloc,
};
