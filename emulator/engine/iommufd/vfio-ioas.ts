// IOMMU_VFIO_IOAS (iommufd-reference §3.9): which IOAS the VFIO compatibility
// container uses. CLEAR only forgets it; destroying that IOAS also forgets it.
import { fail } from '../errno.js';
import { VFIO_IOAS_OPS } from '../uapi/iommufd.js';
import type { IommufdCtx } from './context.js';
import { getIoas } from './ioas.js';
import type { Ucmd } from './ucmd.js';

export function iommuVfioIoas(ctx: IommufdCtx, ucmd: Ucmd): void {
  const cmd = ucmd.cmd;
  if (cmd.get('__reserved') !== 0n) fail('EOPNOTSUPP', '__reserved is not 0');
  const op = cmd.get('op');
  if (op === VFIO_IOAS_OPS.get) {
    const ioas = ctx.compatIoas;
    if (!ioas || !ctx.objects.find(ioas.id)) fail('ENODEV', 'no compatibility IOAS is set');
    cmd.set('ioas_id', ioas.id);
    ucmd.respond();
  } else if (op === VFIO_IOAS_OPS.set) {
    ctx.compatIoas = getIoas(ctx, cmd.get('ioas_id'));
  } else if (op === VFIO_IOAS_OPS.clear) {
    ctx.compatIoas = undefined;
  } else {
    fail('EOPNOTSUPP', `unknown op ${op}`);
  }
}
