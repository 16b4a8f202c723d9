// An SVA domain (IOMMU_DOMAIN_SVA): the device shares a process's CPU page
// table at the mm's PASID. The emulator has no CPU page-table format yet, so
// the walk is the process's own translation (Process.translate): a page the
// process never touched is faulted in on a DMA with side effects, as the
// kernel's SVA fault handler (handle_mm_fault) would before the device
// retries; once the process has exited nothing translates.
import type { IommuDomain, WalkOutcome } from './iommu-domain.js';
import type { Process } from '../memory/process.js';

export class SvaDomain implements IommuDomain {
  readonly type = 'sva';
  readonly dirtyOps = false;
  /** Devices attached to it (iommu_domain.users); freed at 0. */
  users = 0;

  constructor(
    readonly driver: object,
    readonly mm: Process,
  ) {}

  translate(iova: bigint, _write: boolean, update: boolean): WalkOutcome {
    const where = `0x${iova.toString(16)}`;
    if (this.mm.dead) return { ok: false, kind: 'translation', stage: 1, steps: [], detail: `${where}: process ${this.mm.name} has exited` };
    const pa = this.mm.translate(iova, update);
    if (pa === undefined) {
      const why = this.mm.regionAt(iova) ? 'is not populated yet' : 'is not mapped';
      return { ok: false, kind: 'translation', stage: 1, steps: [], detail: `${where} ${why} in process ${this.mm.name}` };
    }
    return { ok: true, pa, steps: [] };
  }

  describe(): string {
    return `the SVA domain of process ${this.mm.name}`;
  }
}
