// SVA and process lifetime (trace-language §3 "Host kernel"): a kernel
// driver binds a device to a process's mm (iommu_sva_bind_device), unbinds
// the handle, and the process exits.
import { ArgFailure } from '../args.js';
import { record } from '../values.js';
import { ok, type CommandContext, type CommandHandler } from './context.js';

function name(ctx: CommandContext, key: string): string {
  const n = ctx.args.word(key);
  if (n === undefined) throw new ArgFailure(`${key} is required`);
  return n;
}

/** The bare name is the handle; `.pasid` the mm's PASID. */
const svaBind: CommandHandler = (ctx) => {
  const { handle, pasid } = ctx.machine.svaBind(name(ctx, 'device'), name(ctx, 'process'));
  const h = BigInt(handle);
  return { actual: { kind: 'ok', value: h }, result: record([['handle', h], ['pasid', BigInt(pasid)]], h) };
};

const svaUnbind: CommandHandler = (ctx) => {
  ctx.machine.svaUnbind(Number(ctx.args.required('handle')));
  return ok();
};

const exit: CommandHandler = (ctx) => {
  ctx.machine.processExit(name(ctx, 'process'));
  return ok();
};

export const SVA_COMMANDS: Record<string, CommandHandler> = {
  sva_bind: svaBind,
  sva_unbind: svaUnbind,
  exit,
};
