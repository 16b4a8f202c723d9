// Guest-physical (IPA / GPA) memory as a nested walk sees it: every access
// to a guest structure — an SMMUv3 CD, a guest stage-1 or VT-d first-stage
// table — is first translated through the parent stage-2 domain, as the
// hardware does (iommu-hardware §3). A stage-2 fault on such a fetch stops
// the walk with a StageTwoFetchFault naming the guest address.
import type { WalkOutcome } from '../core/iommu-domain.js';
import type { PhysMem } from '../memory/physmem.js';
import type { TableAllocator, TableMemory } from '../pgtable/table-pages.js';
import type { HwPagingDomain } from './hw-paging-domain.js';

/** A stage-2 fault met while fetching a guest structure at guest-physical `gpa`. */
export class StageTwoFetchFault extends Error {
  constructor(readonly gpa: bigint, readonly outcome: WalkOutcome & { ok: false }) {
    super(outcome.detail);
  }
}

/** Guest-physical memory through `parent`; a table allocator only so RadixTable can walk it. */
export class Stage2Memory implements TableMemory, TableAllocator {
  constructor(
    private readonly parent: HwPagingDomain,
    private readonly phys: PhysMem,
  ) {}

  get mem(): TableMemory {
    return this;
  }

  load(gpa: bigint): bigint {
    return this.phys.load(this.hpa(gpa, false), 8);
  }

  store(gpa: bigint, _width: 8, value: bigint): void {
    this.phys.store(this.hpa(gpa, true), 8, value);
  }

  write(): void {
    throw new Error('the nested domain never writes whole guest tables');
  }

  alloc(): bigint {
    throw new Error('the guest allocates its own tables');
  }

  free(): void {
    throw new Error('the guest frees its own tables');
  }

  /** Stores `value` unless stage 2 refuses the write (hardware then drops its A/D update, as QEMU does). */
  tryStore(gpa: bigint, value: bigint): void {
    try {
      this.store(gpa, 8, value);
    } catch (e) {
      if (!(e instanceof StageTwoFetchFault)) throw e;
    }
  }

  private hpa(gpa: bigint, write: boolean): bigint {
    const out = this.parent.translate(gpa, write, false);
    if (!out.ok) throw new StageTwoFetchFault(gpa, out);
    return out.pa;
  }
}
