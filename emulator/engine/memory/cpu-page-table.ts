// A process's CPU page table, as the MMU (and an IOMMU sharing it for SVA)
// walks it: real descriptors in host memory, in the x86-64 4-level format or
// the Arm LPAE stage-1 format (4K granule, 48-bit VA). Process keeps it in
// step with its memory as Linux keeps an mm's tables:
//   install  a page the process faulted in gets its PTE (or a 2M/1G block
//            for huge-page memory): tables are filled on demand, never for a
//            whole region at once;
//   remove   munmap clears the leaves of the range and tells the mm's
//            notifiers (mmu_notifier invalidate: the IOMMUs' IOTLBs);
//   clear    exit empties the tree (free_pgtables) and tells the notifiers;
//            the top table stays until the mm is dropped (mmdrop frees the
//            pgd), which `free` does.
// The table formats and their map/unmap/walk are pgtable/'s; only which
// format a CPU uses and how its tables are allocated are decided here.
import { IOMMU_CACHE, IOMMU_READ, IOMMU_WRITE } from '../core/domain.js';
import { ArmLpaeFormat } from '../pgtable/arm-lpae.js';
import type { PtFormat } from '../pgtable/pt-format.js';
import { RadixTable } from '../pgtable/radix-table.js';
import type { TableAllocator, TableMemory } from '../pgtable/table-pages.js';
import { X86_64Format } from '../pgtable/x86-64.js';
import { PAGE_SIZE, type PhysMem } from './physmem.js';

/** The CPU architecture whose page-table format a table has. */
export type CpuArch = 'x86_64' | 'arm64';

/** What an mm tells a secondary TLB (an IOMMU sharing its table) when its mappings go away. */
export interface MmNotifier {
  /** arch_invalidate_secondary_tlbs: [start, start+size) changed. */
  invalidateRange(start: bigint, size: bigint): void;
  /** release (exit_mmap): every mapping is gone. */
  invalidateAll(): void;
}

/**
 * User memory as the CPU maps it: readable, writable, cacheable. Regions
 * carry no protections of their own (there is no mprotect statement).
 */
const USER_PROT = IOMMU_READ | IOMMU_WRITE | IOMMU_CACHE;

function cpuFormat(arch: CpuArch): PtFormat {
  // x86-64 without LA57 is 4-level (48-bit VA); arm64 Linux with 4K pages and 48-bit VA.
  return arch === 'x86_64' ? new X86_64Format(4) : new ArmLpaeFormat({ stage: 1, granule: 4096n, ias: 48, oas: 48 });
}

/**
 * The page allocator of CPU tables: a freed table's frames go back to host
 * memory (PhysMem.free), and the count of frames in use shows a leak.
 */
class CpuTableFrames implements TableAllocator {
  /** 4 KiB frames holding a table now. */
  inUse = 0;

  constructor(private readonly phys: PhysMem) {}

  get mem(): TableMemory {
    return this.phys;
  }

  alloc(bytes: bigint): bigint {
    this.inUse += frameCount(bytes);
    return this.phys.alloc(bytes, bytes);
  }

  free(pa: bigint, bytes: bigint): void {
    this.inUse -= frameCount(bytes);
    this.phys.free(pa, bytes);
  }
}

function frameCount(bytes: bigint): number {
  return Number(bytes / BigInt(PAGE_SIZE));
}

export class CpuPageTable {
  readonly table: RadixTable;
  private readonly frames: CpuTableFrames;
  /** Registered notifiers, in registration order. */
  private readonly notifiers: MmNotifier[] = [];

  constructor(
    readonly arch: CpuArch,
    phys: PhysMem,
  ) {
    this.frames = new CpuTableFrames(phys);
    this.table = new RadixTable(cpuFormat(arch), this.frames);
  }

  /** Physical address of the top table (CR3 / TTBR0, the PASID entry's or CD's table pointer). */
  get root(): bigint {
    return this.table.root;
  }

  /** How many 4 KiB frames the tables hold now (0 once freed). */
  get framesInUse(): number {
    return this.frames.inUse;
  }

  /** Maps [va, va+size) to [pa, pa+size) unless `va` already translates (a fault that raced another). */
  install(va: bigint, pa: bigint, size: bigint): void {
    if (this.table.walk(va, 1).ok) return;
    this.table.map(va, pa, size, USER_PROT);
  }

  /** munmap: clears every leaf overlapping [start, start+size), then invalidates the secondary TLBs. */
  remove(start: bigint, size: bigint): void {
    const end = start + size;
    const leaves: { va: bigint; size: bigint }[] = [];
    const levels = this.table.format.levels;
    this.table.forEachLeaf((va, _slot, _e, depth) => {
      const bytes = 1n << BigInt(levels[depth]!.shift);
      if (va < end && start < va + bytes) leaves.push({ va, size: bytes });
    });
    for (const leaf of leaves) this.table.unmap(leaf.va, leaf.size);
    for (const n of this.notifiers) n.invalidateRange(start, size);
  }

  /** exit_mmap: the mm's mappings and lower tables are gone; the top table waits for mmdrop. */
  clear(): void {
    this.table.clear();
    for (const n of this.notifiers) n.invalidateAll();
  }

  /** mmdrop: frees the top table too. Nothing may walk the table afterwards. */
  free(): void {
    this.table.clear();
    this.frames.free(this.root, this.table.tableSize(0));
  }

  /** mmu_notifier_register. */
  register(n: MmNotifier): void {
    this.notifiers.push(n);
  }

  /** mmu_notifier_put. */
  unregister(n: MmNotifier): void {
    const i = this.notifiers.indexOf(n);
    if (i >= 0) this.notifiers.splice(i, 1);
  }
}
