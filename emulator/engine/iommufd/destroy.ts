// IOMMU_DESTROY (iommufd-reference §2.4): any object type; ENOENT for an
// empty, reserved or tombstone slot, EBUSY unless the table holds the only
// reference. (An IOAS forgets being the VFIO compat IOAS in its own destroy.)
import type { IommufdCtx } from './context.js';
import type { Ucmd } from './ucmd.js';

export function destroyIoctl(ctx: IommufdCtx, ucmd: Ucmd): void {
  ctx.objects.destroyByUser(ucmd.cmd.get('id'));
}
