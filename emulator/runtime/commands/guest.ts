// Page tables that software builds in memory (trace-language §3 "CPU and
// devices"): guest_pt declares one, guest_map / guest_unmap write and clear
// its descriptors. Nothing is invalidated: that is the guest's job.
import type { GuestFormat, GuestProt } from '../../engine/pgtable/guest-page-table.js';
import { ArgFailure } from '../args.js';
import { symbol } from '../values.js';
import { ok, type CommandContext, type CommandHandler } from './context.js';

function word(ctx: CommandContext, key: string): string {
  const w = ctx.args.word(key);
  if (w === undefined) throw new ArgFailure(`${key} is required`);
  return w;
}

function engine<T>(fn: T | undefined): T {
  if (!fn) throw new ArgFailure('this engine has no guest page tables');
  return fn;
}

const guestPt: CommandHandler = (ctx) => {
  const { args, machine } = ctx;
  const name = word(ctx, 'name');
  engine(machine.guestPt).call(machine, name, word(ctx, 'format') as GuestFormat, args.int('base'), args.int('granule'));
  ctx.state.declared.set(name, symbol(name, 'guest_pt'));
  return ok();
};

const guestMap: CommandHandler = (ctx) => {
  const { args, machine } = ctx;
  const prot = (args.word('prot') ?? 'rw') as GuestProt;
  engine(machine.guestMap).call(machine, word(ctx, 'guest_pt'), args.required('iova'), args.required('oa'), args.required('length'), prot);
  return ok();
};

const guestUnmap: CommandHandler = (ctx) => {
  const { args, machine } = ctx;
  return ok(engine(machine.guestUnmap).call(machine, word(ctx, 'guest_pt'), args.required('iova'), args.required('length')));
};

export const GUEST_COMMANDS: Record<string, CommandHandler> = { guest_pt: guestPt, guest_map: guestMap, guest_unmap: guestUnmap };
