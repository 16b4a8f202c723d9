// `ioctl NR`: a bare ioctl number on the iommufd, for the framework's own
// checks (unknown numbers, the VFIO compatibility range). The argument is
// `data=h"..."` as given, or NULL without it.
import { iommufd, type CommandHandler } from './context.js';

const ioctl: CommandHandler = (ctx) => {
  const { args } = ctx;
  const nr = Number(args.required('nr'));
  const data = args.bytes('data');
  const argNull = args.word('arg') === 'null';
  // A copy: the kernel writes its outputs into the buffer passed, and `data` may be a value the trace still holds.
  const r = ctx.machine.ioctl(iommufd(ctx), nr, argNull ? null : data?.slice() ?? null);
  if (r.error) return { actual: { kind: 'errno', errno: r.error.errno, reason: r.error.reason } };
  return { actual: { kind: 'ok' } };
};

export const RAW_COMMANDS: Record<string, CommandHandler> = { ioctl };
