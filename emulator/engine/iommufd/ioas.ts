// The IOAS object (struct iommufd_ioas): an IO address space that HWPTs
// mirror and accesses read through. Its state is its io_pagetable.
import type { IommufdCtx } from './context.js';
import { IoPagetable } from './io-pagetable.js';
import { IommufdObject } from './object.js';

export class Ioas extends IommufdObject {
  readonly type = 'IOAS' as const;
  /** Areas, reserved/allowed ranges, domains and accesses; see io-pagetable.ts for its API. */
  readonly iopt: IoPagetable;

  constructor(private readonly ctx: IommufdCtx) {
    super();
    this.iopt = new IoPagetable(ctx.phys.faults);
  }

  /** For DESTROY's EBUSY reason: e.g. "HWPT_PAGING 3, ACCESS 4". */
  describeHolders(): string {
    const names = this.iopt.users().map((u) => (u instanceof IommufdObject ? `${u.type} ${u.id}` : 'a kernel user'));
    return names.length > 0 ? `used by ${names.join(', ')}` : 'other objects refer to it';
  }

  /**
   * Only reachable with no HWPT and no access left (they hold users), so
   * nothing can refuse the implicit unmap-all; its pins are released.
   */
  destroy(): void {
    if (this.ctx.compatIoas === this) this.ctx.compatIoas = undefined;
    this.iopt.unmapAll();
  }
}

/** iommufd_get_ioas: the IOAS `id` of the fd (ENOENT if missing or not an IOAS). */
export function getIoas(ctx: IommufdCtx, id: number | bigint): Ioas {
  return ctx.objects.get<Ioas>(id, 'IOAS');
}
