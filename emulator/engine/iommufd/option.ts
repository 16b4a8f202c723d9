// IOMMU_OPTION (iommufd-reference §3.8): the fd's pin accounting mode and the
// per-IOAS huge-pages switch. Only val64 changes, so responding with the
// whole struct writes back exactly what the kernel's copy of val64 does.
import { fail } from '../errno.js';
import { OPTION_IDS, OPTION_OPS } from '../uapi/iommufd.js';
import type { StructView } from '../uapi/layout.js';
import type { IommufdCtx } from './context.js';
import { getIoas } from './ioas.js';
import { hex } from './u64.js';
import type { Ucmd } from './ucmd.js';

export function iommuOption(ctx: IommufdCtx, ucmd: Ucmd): void {
  const cmd = ucmd.cmd;
  if (cmd.get('__reserved') !== 0n) fail('EOPNOTSUPP', '__reserved is not 0');
  const id = cmd.get('option_id');
  if (id === OPTION_IDS.rlimit_mode) rlimitMode(ctx, cmd);
  else if (id === OPTION_IDS.huge_pages) hugePages(ctx, cmd);
  else fail('EOPNOTSUPP', `unknown option_id ${hex(id)}`);
  ucmd.respond();
}

function rlimitMode(ctx: IommufdCtx, cmd: StructView): void {
  if (cmd.get('object_id') !== 0n) fail('EOPNOTSUPP', 'rlimit_mode takes no object_id');
  const op = cmd.get('op');
  if (op === OPTION_OPS.get) {
    cmd.set('val64', ctx.accountMode === 'mm' ? 1n : 0n);
    return;
  }
  if (op !== OPTION_OPS.set) fail('EOPNOTSUPP', `unknown op ${op}`);
  if (!ctx.process.capSysResource) fail('EPERM', `process ${ctx.process.name} lacks CAP_SYS_RESOURCE`);
  // Pins already charged one way could not be uncharged the other way.
  const used = ctx.objects.occupied();
  if (used.length > 0) fail('EBUSY', `the fd already has objects (id ${used[0]!.id})`);
  const val = cmd.get('val64');
  if (val > 1n) fail('EINVAL', `val64 ${val} is neither 0 (user) nor 1 (mm)`);
  ctx.accountMode = val === 1n ? 'mm' : 'user';
}

function hugePages(ctx: IommufdCtx, cmd: StructView): void {
  const ioas = getIoas(ctx, cmd.get('object_id'));
  const op = cmd.get('op');
  if (op === OPTION_OPS.get) {
    cmd.set('val64', ioas.iopt.disableLargePages ? 0n : 1n);
    return;
  }
  if (op !== OPTION_OPS.set) fail('EOPNOTSUPP', `unknown op ${op}`);
  const val = cmd.get('val64');
  if (val > 1n) fail('EINVAL', `val64 ${val} is neither 0 nor 1`);
  ioas.iopt.setLargePages(val === 1n);
}
