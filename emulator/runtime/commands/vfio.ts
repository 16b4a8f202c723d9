// The VMM's VFIO device cdev (trace-language §3, iommufd-reference §4.1-4.2):
// bind a device file to an iommufd, attach it, detach it, close it. A DEV is
// the dev_id `bind` returned; the runtime remembers whose file it is.
import { VFIO_DEVICE_ATTACH_IOMMUFD_PT, VFIO_DEVICE_BIND_IOMMUFD, VFIO_DEVICE_DETACH_IOMMUFD_PT, VFIO_DEVICE_PASID_FLAG } from '../../engine/uapi/vfio.js';
import { fail } from '../../engine/errno.js';
import { ArgFailure } from '../args.js';
import { iommufd, ok, type CommandContext, type CommandHandler } from './context.js';
import { finish, issue } from './ioctl.js';

function deviceName(ctx: CommandContext): string {
  const d = ctx.args.word('device');
  if (d === undefined) throw new ArgFailure('device is required');
  return d;
}

/**
 * The device file behind the statement's DEV. A device file outlives the
 * iommufd it was bound to (it holds that file), so a DEV resolves as a query's
 * id does: in `iommufd=NAME` or the current fd, else the most recently closed.
 */
function boundFile(ctx: CommandContext): { fd: string; devId: bigint; device: string } {
  const fd = ctx.args.word('iommufd') ?? ctx.machine.queryIommufd() ?? fail('EBADF', 'no iommufd was ever bound');
  const devId = ctx.args.required('dev_id');
  return { fd, devId, device: ctx.state.deviceFile(fd, devId) };
}

const bind: CommandHandler = (ctx) => {
  const device = deviceName(ctx);
  const fd = iommufd(ctx);
  const done = issue(ctx, VFIO_DEVICE_BIND_IOMMUFD, { iommufd: BigInt(ctx.machine.fdNumber(fd)) }, device);
  const devId = done.out.get('devid');
  if (!done.error && devId !== undefined) ctx.state.recordBind(fd, devId, device);
  return finish(done, 'devid');
};

/** `pasid=N` selects the PASID form of the ioctl (VFIO_DEVICE_ATTACH_PASID). */
function pasidFields(ctx: CommandContext): { flags: bigint; pasid: bigint } {
  const pasid = ctx.args.int('pasid');
  return { flags: pasid === undefined ? 0n : VFIO_DEVICE_PASID_FLAG, pasid: pasid ?? 0n };
}

const attach: CommandHandler = (ctx) => {
  const { device } = boundFile(ctx);
  const values = { pt_id: ctx.args.int('pt_id') ?? 0n, ...pasidFields(ctx) };
  return finish(issue(ctx, VFIO_DEVICE_ATTACH_IOMMUFD_PT, values, device), 'pt_id');
};

const detach: CommandHandler = (ctx) => {
  const { device } = boundFile(ctx);
  return finish(issue(ctx, VFIO_DEVICE_DETACH_IOMMUFD_PT, pasidFields(ctx), device));
};

/** Closing the device file: the kernel detaches everything, then unbinds. */
const unbind: CommandHandler = (ctx) => {
  const { fd, devId, device } = boundFile(ctx);
  ctx.machine.vfioClose(device);
  ctx.state.forgetBind(fd, devId);
  return ok();
};

export const VFIO_COMMANDS: Record<string, CommandHandler> = { bind, attach, detach, unbind };
