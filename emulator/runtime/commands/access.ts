// In-kernel users of an IOAS (trace-language §3, iommufd-reference §5.6):
// the selftest's access, pinning pages and copying through the IOAS.
import { ACCESS_RW_FLAGS } from '../../engine/uapi/iommufd.js';
import { bytes } from '../values.js';
import { iommufd, ok, type CommandHandler } from './context.js';

const accessCreate: CommandHandler = (ctx) =>
  ok(BigInt(ctx.machine.accessCreate(iommufd(ctx), ctx.args.required('ioas_id'), ctx.args.int('flags') ?? 0n)));

const accessPin: CommandHandler = (ctx) => {
  const { args } = ctx;
  ctx.machine.accessPin(iommufd(ctx), args.required('access_id'), args.required('iova'), args.required('length'), args.int('flags') ?? 0n);
  return ok();
};

const accessUnpin: CommandHandler = (ctx) => {
  const { args } = ctx;
  ctx.machine.accessUnpin(iommufd(ctx), args.required('access_id'), args.required('iova'), args.required('length'));
  return ok();
};

/**
 * access_rw: a read's result is the bytes read; a write's `length` defaults
 * to the payload's (trace-language §7).
 */
const accessRw: CommandHandler = (ctx) => {
  const { args } = ctx;
  const flags = args.int('flags') ?? 0n;
  const data = args.bytes('data');
  const length = args.int('length') ?? BigInt(data?.length ?? 0);
  const writing = (flags & ACCESS_RW_FLAGS.write) !== 0n;
  const out = ctx.machine.accessRw(iommufd(ctx), args.required('access_id'), args.required('iova'), length, flags, writing ? data : undefined);
  const v = bytes(out);
  return { actual: { kind: 'ok', value: v }, result: { kind: 'record', fields: new Map([['data', v]]), primary: v } };
};

const accessReplace: CommandHandler = (ctx) => {
  ctx.machine.accessReplace(iommufd(ctx), ctx.args.required('access_id'), ctx.args.required('ioas_id'));
  return ok();
};

const accessDestroy: CommandHandler = (ctx) => {
  ctx.machine.accessDestroy(iommufd(ctx), ctx.args.required('access_id'));
  return ok();
};

export const ACCESS_COMMANDS: Record<string, CommandHandler> = {
  access_create: accessCreate,
  access_pin: accessPin,
  access_unpin: accessUnpin,
  access_rw: accessRw,
  access_replace: accessReplace,
  access_destroy: accessDestroy,
};
