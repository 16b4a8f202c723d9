// What the host kernel does (trace-language §3 "Host kernel"): driver
// probe/remove, DMA-API maps, and the iommufd-level attach an in-kernel
// driver makes.
import { ArgFailure } from '../args.js';
import { iommufd, ok, type CommandContext, type CommandHandler } from './context.js';

function device(ctx: CommandContext): string {
  const d = ctx.args.word('device');
  if (d === undefined) throw new ArgFailure('device is required');
  return d;
}

const driver: CommandHandler = (ctx) => {
  const d = device(ctx);
  if (ctx.args.word('op') === 'remove') ctx.machine.driverRemove(d);
  else ctx.machine.driverProbe(d);
  return ok();
};

const kernelMap: CommandHandler = (ctx) => {
  const { args } = ctx;
  ctx.machine.kernelMap(device(ctx), args.required('iova'), args.required('pa'), args.required('size'), Number(args.int('prot') ?? 0n));
  return ok();
};

const kernelUnmap: CommandHandler = (ctx) =>
  ok(ctx.machine.kernelUnmap(device(ctx), ctx.args.required('iova'), ctx.args.required('size')));

/** iommufd_device_attach / _replace: no VFIO fallback between the two. */
function iommufdLevel(replace: boolean): CommandHandler {
  return (ctx) => {
    const { args } = ctx;
    const fd = iommufd(ctx);
    const op = replace ? ctx.machine.iommufdReplace : ctx.machine.iommufdAttach;
    return ok(BigInt(op.call(ctx.machine, fd, args.required('dev_id'), args.required('pt_id'), args.num('pasid'))));
  };
}

export const KERNEL_COMMANDS: Record<string, CommandHandler> = {
  driver,
  kernel_map: kernelMap,
  kernel_unmap: kernelUnmap,
  iommufd_attach: iommufdLevel(false),
  iommufd_replace: iommufdLevel(true),
};
