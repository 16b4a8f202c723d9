// An SVA domain (IOMMU_DOMAIN_SVA): the device shares a process's CPU page
// table at the mm's PASID. The IOMMU walks that table (the process's
// x86-64 or Arm stage-1 table, cpu-page-table.ts) with the walker of its
// own stage-1 domains, so walks, fault records and IOTLB entries look like
// any other stage-1 translation's. The domain is one of the mm's notifiers:
// a munmap or the exit invalidates its IOTLB entries, as the drivers'
// mmu_notifier does. A page the process never touched is faulted in on a
// DMA with side effects, as the kernel's SVA fault handler (handle_mm_fault)
// does before the device retries; once the process has exited its table is
// empty and every walk stops at the top level.
import type { Iotlb } from '../iotlb.js';
import type { CpuPageTable, MmNotifier } from '../memory/cpu-page-table.js';
import type { Process } from '../memory/process.js';
import type { IommuDomain, WalkOutcome } from './iommu-domain.js';

/** How the IOMMU walks the CPU table: a stage-1 walker over it, through the IOMMU's IOTLB. */
export interface SvaWalker {
  translate(iova: bigint, write: boolean, update: boolean): WalkOutcome;
  describe(): string;
}

/** Where the domain's translations are cached: the IOMMU's IOTLB, under the domain's tag (ASID, PASID). */
export interface SvaTlb {
  iotlb: Iotlb;
  tag: string;
}

export class SvaDomain implements IommuDomain, MmNotifier {
  readonly type = 'sva';
  readonly dirtyOps = false;
  /** Devices attached to it (iommu_domain.users); freed at 0. */
  users = 0;

  constructor(
    readonly driver: object,
    readonly mm: Process,
    /** The mm's table this domain walks (mm->pgd). */
    private readonly cpuTable: CpuPageTable,
    private readonly walker: SvaWalker,
    private readonly tlb: SvaTlb,
  ) {
    cpuTable.register(this);
  }

  translate(iova: bigint, write: boolean, update: boolean): WalkOutcome {
    let out = this.walker.translate(iova, write, update);
    if (!out.ok && out.kind === 'translation' && update && this.mm.regionAt(iova)) {
      this.mm.translate(iova);
      out = this.walker.translate(iova, write, update);
    }
    if (!out.ok && this.mm.dead) return { ...out, detail: `${out.detail}: process ${this.mm.name} has exited, its page table is empty` };
    return out;
  }

  invalidateRange(start: bigint, size: bigint): void {
    this.tlb.iotlb.invalidateRange(this.tlb.tag, start, size);
  }

  invalidateAll(): void {
    this.tlb.iotlb.invalidateTag(this.tlb.tag);
  }

  /** The domain is freed (its last device unbound): it stops listening, and its tag's entries go. */
  free(): void {
    this.cpuTable.unregister(this);
    this.invalidateAll();
  }

  describe(): string {
    return this.walker.describe();
  }
}
