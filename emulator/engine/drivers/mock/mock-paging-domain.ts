// The mock driver's paging domain: a real three-level page table in emulated
// host memory (format in mock-pte.ts). io_pagetable fills it through map()/
// unmap(); device DMA walks it through translate(), which reads the same
// descriptors the debugger shows.
import { fail } from '../../errno.js';
import type { WalkStep } from '../../machine-api.js';
import type { PhysMem } from '../../memory/physmem.js';
import type { IommuPagingDomain, WalkOutcome } from '../../core/iommu-domain.js';
import {
  MOCK_GRANULE,
  MOCK_INPUT_BITS,
  MOCK_LEVELS,
  PTE_A,
  PTE_D,
  PTE_IR,
  PTE_IW,
  isPresent,
  leafAddress,
  leafEntry,
  nextLevel,
  pteIndex,
  tableAddress,
  tableEntry,
} from './mock-pte.js';

/** MOCK_APERTURE_START / MOCK_APERTURE_LAST of the selftest. */
export const MOCK_APERTURE = Object.freeze({ start: 0x1000000n, last: 0x7fffffffn } as const);

export interface MockPagingOptions {
  dirtyOps: boolean;
  nestParent: boolean;
}

export class MockPagingDomain implements IommuPagingDomain {
  readonly type = 'paging';
  /** Only 2 KiB leaves: the kernel's mock smallest size, which is what iova_alignment sees. */
  readonly pgsizeBitmap = MOCK_GRANULE;
  readonly aperture = MOCK_APERTURE;
  readonly root: bigint;
  readonly dirtyOps: boolean;
  readonly nestParent: boolean;
  dirtyTracking = false;

  constructor(
    readonly driver: object,
    private readonly phys: PhysMem,
    opts: MockPagingOptions,
  ) {
    phys.faults.check('page table page');
    this.root = phys.allocPage();
    this.dirtyOps = opts.dirtyOps;
    this.nestParent = opts.nestParent;
  }

  describe(): string {
    return `mock paging domain (root 0x${this.root.toString(16)})`;
  }

  map(iova: bigint, pa: bigint, size: bigint, prot: number): void {
    let off = 0n;
    try {
      for (; off < size; off += MOCK_GRANULE) {
        const slot = this.leafSlot(iova + off, true)!;
        if (isPresent(this.phys.load(slot, 8))) fail('EEXIST', `IOVA 0x${(iova + off).toString(16)} is already mapped in the ${this.describe()}`);
        this.phys.store(slot, 8, leafEntry(pa + off, prot));
      }
    } catch (e) {
      // iommu_map unmaps what it mapped before the failure; tables it added stay, as io-pgtable leaves them.
      if (off > 0n) this.unmap(iova, off);
      throw e;
    }
  }

  unmap(iova: bigint, size: bigint): bigint {
    let unmapped = 0n;
    for (let off = 0n; off < size; off += MOCK_GRANULE) {
      const slot = this.leafSlot(iova + off, false);
      if (slot === undefined || !isPresent(this.phys.load(slot, 8))) continue;
      this.phys.store(slot, 8, 0n);
      unmapped += MOCK_GRANULE;
    }
    return unmapped;
  }

  iovaToPhys(iova: bigint): bigint | undefined {
    const slot = this.leafSlot(iova, false);
    if (slot === undefined) return undefined;
    const e = this.phys.load(slot, 8);
    return isPresent(e) ? leafAddress(e) + (iova & (MOCK_GRANULE - 1n)) : undefined;
  }

  translate(iova: bigint, write: boolean, update: boolean): WalkOutcome {
    const steps: WalkStep[] = [];
    const where = `0x${iova.toString(16)}`;
    if (iova >> MOCK_INPUT_BITS !== 0n) {
      return { ok: false, kind: 'translation', level: MOCK_LEVELS, stage: 1, steps, detail: `${where} is beyond the ${MOCK_INPUT_BITS}-bit input of the ${this.describe()}` };
    }
    let table = this.root;
    for (let level = MOCK_LEVELS; level >= 1; level--) {
      const index = pteIndex(iova, level);
      const slot = table + BigInt(index) * 8n;
      const e = this.phys.load(slot, 8);
      steps.push({ stage: 1, level, table, index, descriptor: e });
      if (!isPresent(e)) {
        return { ok: false, kind: 'translation', level, stage: 1, steps, detail: `${where}: level-${level} entry ${index} of the ${this.describe()} is not present` };
      }
      if (level > 1) {
        table = tableAddress(e);
        continue;
      }
      const need = write ? PTE_IW : PTE_IR;
      if ((e & need) === 0n) {
        return { ok: false, kind: 'permission', level, stage: 1, steps, detail: `${where}: the leaf of the ${this.describe()} does not allow ${write ? 'writes' : 'reads'}` };
      }
      // Hardware sets A on use and D on a write while dirty tracking is on.
      const updated = e | PTE_A | (write && this.dirtyTracking ? PTE_D : 0n);
      if (update && updated !== e) this.phys.store(slot, 8, updated);
      return { ok: true, pa: leafAddress(e) + (iova & (MOCK_GRANULE - 1n)), steps };
    }
    throw new Error('unreachable: the walk ends at level 1');
  }

  pte(iova: bigint, level: number): bigint | undefined {
    if (level < 1 || level > MOCK_LEVELS || iova >> MOCK_INPUT_BITS !== 0n) return undefined;
    let table = this.root;
    for (let l = MOCK_LEVELS; l >= level; l--) {
      const e = this.phys.load(table + BigInt(pteIndex(iova, l)) * 8n, 8);
      if (l === level) return e;
      if (!isPresent(e)) return undefined;
      table = tableAddress(e);
    }
    return undefined;
  }

  setDirtyTracking(enable: boolean): void {
    // Enabling starts from a clean state (iommufd clears stale bits first).
    if (enable) this.forEachLeaf((slot, e) => (e & PTE_D ? this.phys.store(slot, 8, e & ~PTE_D) : undefined));
    this.dirtyTracking = enable;
  }

  readAndClearDirty(iova: bigint, length: bigint, keep: boolean): bigint[] {
    const dirty: bigint[] = [];
    const start = iova & ~(MOCK_GRANULE - 1n);
    for (let a = start; a < iova + length; a += MOCK_GRANULE) {
      const slot = this.leafSlot(a, false);
      if (slot === undefined) continue;
      const e = this.phys.load(slot, 8);
      if (!isPresent(e) || (e & PTE_D) === 0n) continue;
      dirty.push(a);
      if (!keep) this.phys.store(slot, 8, e & ~PTE_D);
    }
    return dirty;
  }

  /** Marks the leaf of `iova` dirty (the selftest's IOMMU_TEST_OP_DIRTY); false if not mapped. */
  markDirty(iova: bigint): boolean {
    const slot = this.leafSlot(iova, false);
    if (slot === undefined) return false;
    const e = this.phys.load(slot, 8);
    if (!isPresent(e)) return false;
    this.phys.store(slot, 8, e | PTE_D);
    return true;
  }

  /** The address of `iova`'s leaf entry; tables are allocated on the way when `alloc`. */
  private leafSlot(iova: bigint, alloc: boolean): bigint | undefined {
    if (iova >> MOCK_INPUT_BITS !== 0n) {
      if (alloc) fail('EINVAL', `IOVA 0x${iova.toString(16)} is beyond the mock page table's ${MOCK_INPUT_BITS} bits`);
      return undefined;
    }
    let table = this.root;
    for (let level = MOCK_LEVELS; level > 1; level--) {
      const slot = table + BigInt(pteIndex(iova, level)) * 8n;
      const e = this.phys.load(slot, 8);
      if (isPresent(e)) {
        table = tableAddress(e);
        continue;
      }
      if (!alloc) return undefined;
      this.phys.faults.check('page table page');
      const next = this.phys.allocPage();
      this.phys.store(slot, 8, tableEntry(next, level - 1));
      table = next;
    }
    return table + BigInt(pteIndex(iova, 1)) * 8n;
  }

  private forEachLeaf(fn: (slot: bigint, e: bigint) => void, table = this.root, level = MOCK_LEVELS): void {
    for (let i = 0; i < 512; i++) {
      const slot = table + BigInt(i) * 8n;
      const e = this.phys.load(slot, 8);
      if (!isPresent(e)) continue;
      if (level === 1 || nextLevel(e) === 0) fn(slot, e);
      else this.forEachLeaf(fn, tableAddress(e), level - 1);
    }
  }
}
