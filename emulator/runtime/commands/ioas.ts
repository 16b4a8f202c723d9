// The IOAS commands of /dev/iommu (trace-language §3, iommufd-reference §3.1-3.10).
import { ioctlDef, IOAS_MAP_FLAGS } from '../../engine/uapi/iommufd.js';
import { packWords, unpackWords } from '../marshal.js';
import { list, range, type Value } from '../values.js';
import type { CommandContext, CommandHandler, CommandOutcome } from './context.js';
import { finish, issue, outputs, type IoctlDone } from './ioctl.js';

const RANGE_BYTES = 16;
/** The most entries the runtime allocates room for, whatever `num_iovas` claims. */
const MAX_NUM_IOVAS = 4096n;

/** The defaults of mapFlags, worked out once (BigInt arithmetic allocates). */
const READ_WRITE = IOAS_MAP_FLAGS.readable | IOAS_MAP_FLAGS.writeable;
const FIXED_READ_WRITE = READ_WRITE | IOAS_MAP_FLAGS.fixed_iova;

/**
 * The flags of MAP, MAP_FILE and COPY: `readable|writeable`, plus
 * `fixed_iova` when an iova is given; explicit flags replace the default.
 */
function mapFlags(ctx: CommandContext, iovaGiven: boolean): bigint {
  return ctx.args.int('flags') ?? (iovaGiven ? FIXED_READ_WRITE : READ_WRITE);
}

// The hottest commands' ioctls, looked up once rather than by name per statement.
const IOAS_MAP = ioctlDef('IOMMU_IOAS_MAP');
const IOAS_UNMAP = ioctlDef('IOMMU_IOAS_UNMAP');

const destroy: CommandHandler = (ctx) =>
  finish(issue(ctx, ioctlDef('IOMMU_DESTROY'), { id: ctx.args.int('id') ?? 0n }));

const ioasAlloc: CommandHandler = (ctx) =>
  finish(issue(ctx, ioctlDef('IOMMU_IOAS_ALLOC'), { flags: ctx.args.int('flags') ?? 0n }), 'ioas_id');

/**
 * The field values of the two commands a DMA-API workload repeats most,
 * filled in afresh by each statement rather than made per statement:
 * `issue` has copied them into the struct by the time it returns.
 */
const MAP_VALUES = { ioas_id: 0n, user_va: 0n, length: 0n, iova: 0n, flags: 0n };
const UNMAP_VALUES = { ioas_id: 0n, iova: 0n, length: 0n };

const ioasMap: CommandHandler = (ctx) => {
  const { args } = ctx;
  const iova = args.int('iova');
  const v = MAP_VALUES;
  // In the order a literal would evaluate them: which bad argument is reported first stays the same.
  v.ioas_id = args.int('ioas_id') ?? 0n;
  v.user_va = args.int('user_va') ?? 0n;
  v.length = args.int('length') ?? 0n;
  v.iova = iova ?? 0n;
  v.flags = mapFlags(ctx, iova !== undefined);
  return finish(issue(ctx, IOAS_MAP, v), 'iova');
};

const ioasMapFile: CommandHandler = (ctx) => {
  const { args } = ctx;
  const iova = args.int('iova');
  return finish(issue(ctx, ioctlDef('IOMMU_IOAS_MAP_FILE'), {
    ioas_id: args.int('ioas_id') ?? 0n,
    fd: memfdNumber(ctx),
    start: args.int('start') ?? 0n,
    length: args.int('length') ?? 0n,
    iova: iova ?? 0n,
    flags: mapFlags(ctx, iova !== undefined),
  }), 'iova');
};

/** `fd=` of MAP_FILE: a `memfd` region by name, or a raw fd number. */
function memfdNumber(ctx: CommandContext): bigint {
  const region = ctx.args.nameOf('fd');
  if (region !== undefined && ctx.state.regions.has(region)) return BigInt(ctx.machine.fdNumber(region));
  return ctx.args.int('fd') ?? 0n;
}

const ioasCopy: CommandHandler = (ctx) => {
  const { args } = ctx;
  const dst = args.int('dst_iova');
  return finish(issue(ctx, ioctlDef('IOMMU_IOAS_COPY'), {
    dst_ioas_id: args.int('dst_ioas_id') ?? 0n,
    src_ioas_id: args.int('src_ioas_id') ?? 0n,
    src_iova: args.int('src_iova') ?? 0n,
    length: args.int('length') ?? 0n,
    dst_iova: dst ?? 0n,
    flags: mapFlags(ctx, dst !== undefined),
  }), 'dst_iova');
};

const ioasUnmap: CommandHandler = (ctx) => {
  const v = UNMAP_VALUES;
  v.ioas_id = ctx.args.int('ioas_id') ?? 0n;
  v.iova = ctx.args.int('iova') ?? 0n;
  v.length = ctx.args.int('length') ?? 0n;
  return finish(issue(ctx, IOAS_UNMAP, v), 'length');
};

/** A first guess at the array size when `num_iovas` is not given. */
const FIRST_GUESS_NUM_IOVAS = 64n;

/**
 * IOVA_RANGES: the array lives in user memory; `.ranges` are the entries the
 * kernel wrote, min(capacity, total). Without `num_iovas` the array is
 * large enough for every range: on EMSGSIZE the call is made again with the
 * total the kernel reported, as a VMM would. On an EMSGSIZE the caller asked
 * for, the kernel has written the struct back anyway, so the name is bound.
 */
const ioasIovaRanges: CommandHandler = (ctx) => {
  const asked = ctx.args.int('num_iovas');
  let r = iovaRanges(ctx, asked ?? FIRST_GUESS_NUM_IOVAS);
  if (asked === undefined && r.done.error?.errno === 'EMSGSIZE') r = iovaRanges(ctx, r.done.out.get('num_iovas') ?? 0n);
  const extra: [string, Value][] = [['ranges', r.ranges]];
  const out = finish(r.done, undefined, extra);
  if (r.done.error?.errno === 'EMSGSIZE') out.result = outputs(r.done, undefined, extra);
  return out;
};

function iovaRanges(ctx: CommandContext, capacity: bigint): { done: IoctlDone; ranges: Value } {
  const cap = Number(capacity > MAX_NUM_IOVAS ? MAX_NUM_IOVAS : capacity);
  const addr = ctx.machine.userScratch(new Uint8Array(cap * RANGE_BYTES));
  const done = issue(ctx, ioctlDef('IOMMU_IOAS_IOVA_RANGES'), {
    ioas_id: ctx.args.int('ioas_id') ?? 0n,
    num_iovas: capacity,
    allowed_iovas: addr,
  });
  const written = done.error && done.error.errno !== 'EMSGSIZE' ? 0 : Math.min(cap, Number(done.out.get('num_iovas') ?? 0n));
  const words = unpackWords(ctx.machine.readUser(addr, written * RANGE_BYTES), 8);
  return { done, ranges: list(Array.from({ length: written }, (_, i) => range(words[2 * i]!, words[2 * i + 1]!))) };
}

const ioasAllowIovas: CommandHandler = (ctx) => {
  const ranges = ctx.args.ranges('allowed_iovas') ?? [];
  const addr = ranges.length ? ctx.machine.userScratch(packWords(ranges.flatMap((r) => [r.start, r.last]), 8)) : 0n;
  return finish(issue(ctx, ioctlDef('IOMMU_IOAS_ALLOW_IOVAS'), {
    ioas_id: ctx.args.int('ioas_id') ?? 0n,
    num_iovas: BigInt(ranges.length),
    allowed_iovas: addr,
  }));
};

const ioasChangeProcess: CommandHandler = (ctx) => finish(issue(ctx, ioctlDef('IOMMU_IOAS_CHANGE_PROCESS'), {}));

/** IOMMU_OPTION: `val64` is the result (the value read by `op=get`). */
const option: CommandHandler = (ctx): CommandOutcome => {
  const { args } = ctx;
  return finish(issue(ctx, ioctlDef('IOMMU_OPTION'), {
    option_id: args.int('option_id') ?? 0n,
    op: args.int('op') ?? 0n,
    object_id: args.int('object_id') ?? 0n,
    val64: args.int('val64') ?? 0n,
  }), 'val64');
};

const vfioIoas: CommandHandler = (ctx) =>
  finish(issue(ctx, ioctlDef('IOMMU_VFIO_IOAS'), {
    ioas_id: ctx.args.int('ioas_id') ?? 0n,
    op: ctx.args.int('op') ?? 0n,
  }), 'ioas_id');

export const IOAS_COMMANDS: Record<string, CommandHandler> = {
  destroy,
  ioas_alloc: ioasAlloc,
  ioas_map: ioasMap,
  ioas_map_file: ioasMapFile,
  ioas_copy: ioasCopy,
  ioas_unmap: ioasUnmap,
  ioas_iova_ranges: ioasIovaRanges,
  ioas_allow_iovas: ioasAllowIovas,
  ioas_change_process: ioasChangeProcess,
  option,
  vfio_ioas: vfioIoas,
};
