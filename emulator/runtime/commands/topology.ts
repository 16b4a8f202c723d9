// The machine's topology (trace-language §3 "Machine"): IOMMUs, devices,
// memory regions, processes and iommufd files. Each declares a name that
// stays global for the rest of the run.
import type { IommuModel } from '../../engine/machine-api.js';
import { ArgFailure } from '../args.js';
import { symbol } from '../values.js';
import { ok, type CommandContext, type CommandHandler } from './context.js';

function name(ctx: CommandContext, key = 'name'): string {
  const n = ctx.args.word(key);
  if (n === undefined) throw new ArgFailure(`${key} is required`);
  return n;
}

/** Model switches; `strict`/`lazy` choose the DMA domain's invalidation mode (iommu.strict=1/0). */
const IOMMU_SWITCHES = ['s2fwb', 'no_httu', 'no_snoop', 'strict', 'lazy'];

const iommu: CommandHandler = (ctx) => {
  const { args } = ctx;
  const n = name(ctx);
  ctx.machine.declareIommu(n, {
    model: (args.word('model') ?? 'mock') as IommuModel,
    granule: args.int('granule'),
    ias: args.num('ias'),
    oas: args.num('oas'),
    pasidBits: args.num('pasid_bits'),
    levels: args.num('levels'),
    switches: IOMMU_SWITCHES.filter((s) => args.switch(s)),
  });
  ctx.state.declared.set(n, symbol(n, 'iommu'));
  return ok();
};

const device: CommandHandler = (ctx) => {
  const { args } = ctx;
  const n = name(ctx);
  ctx.machine.declareDevice(n, {
    iommu: args.word('iommu'),
    group: args.num('group'),
    rid: args.num('rid'),
    pasidBits: args.num('pasid_bits'),
    pri: args.switch('pri'),
    noDirty: args.switch('no_dirty'),
    reserved: args.ranges('reserved'),
  });
  ctx.state.declared.set(n, symbol(n, 'device'));
  return ok();
};

/** A memory region: its name is then its start address. */
const memory: CommandHandler = (ctx) => {
  const { args } = ctx;
  const n = name(ctx);
  const start = ctx.machine.declareMemory(n, args.required('size'), {
    process: args.word('process'),
    at: args.int('at'),
    hugepage: args.int('hugepage'),
    memfd: args.switch('memfd'),
  });
  ctx.state.declared.set(n, start);
  ctx.state.regions.add(n);
  return ok(start);
};

const munmap: CommandHandler = (ctx) => {
  ctx.machine.munmap(ctx.args.required('addr'), ctx.args.required('length'), ctx.args.word('process'));
  return ok();
};

const process: CommandHandler = (ctx) => {
  const n = name(ctx);
  ctx.machine.declareProcess(n);
  ctx.state.declared.set(n, symbol(n, 'process'));
  return ok();
};

/** Another /dev/iommu; its fd number is the result. */
const open: CommandHandler = (ctx) => {
  const n = name(ctx);
  const fd = ctx.machine.openIommufd(n);
  ctx.state.declared.set(n, symbol(n, 'fd'));
  return ok(BigInt(fd));
};

const close: CommandHandler = (ctx) => {
  ctx.machine.closeIommufd(name(ctx));
  return ok();
};

export const TOPOLOGY_COMMANDS: Record<string, CommandHandler> = { iommu, device, memory, munmap, process, open, close };
