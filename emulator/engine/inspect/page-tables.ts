// A paging domain's page table read level by level from emulated memory,
// every present descriptor decoded into its fields. One table at a time, so
// a debugger can expand lazily. Only formats whose layout the inspector
// knows are decoded (the mock IOMMU's; see mock-pte.ts).
import type { IommuPagingDomain } from '../core/iommu-domain.js';
import { MockPagingDomain } from '../drivers/mock/mock-paging-domain.js';
import {
  MOCK_GRANULE_SHIFT, MOCK_INDEX_BITS, MOCK_LEVELS, PTE_A, PTE_D, PTE_IR, PTE_IW, isPresent, leafAddress, nextLevel, tableAddress,
} from '../drivers/mock/mock-pte.js';
import type { PhysMem } from '../memory/physmem.js';

export interface TableRef {
  /** Physical address of the table. */
  table: bigint;
  level: number;
  /** The first IOVA the table covers. */
  iovaBase: bigint;
}

export interface DecodedEntry {
  index: number;
  descriptor: bigint;
  /** The IOVA range the entry covers. */
  iovaStart: bigint;
  iovaLast: bigint;
  /** A table entry: the table below; a leaf: the page's physical address. */
  next?: TableRef;
  page?: bigint;
  read: boolean;
  write: boolean;
  accessed: boolean;
  dirty: boolean;
}

const ENTRIES = 1 << Number(MOCK_INDEX_BITS);

/** The root table of a domain whose format is decoded, else undefined. */
export function rootTable(domain: IommuPagingDomain): TableRef | undefined {
  return domain instanceof MockPagingDomain ? { table: domain.root, level: MOCK_LEVELS, iovaBase: 0n } : undefined;
}

/** The present entries of one table, in index order. */
export function tableEntries(phys: PhysMem, t: TableRef): DecodedEntry[] {
  const span = 1n << (MOCK_GRANULE_SHIFT + MOCK_INDEX_BITS * BigInt(t.level - 1));
  const out: DecodedEntry[] = [];
  for (let i = 0; i < ENTRIES; i++) {
    const e = phys.load(t.table + BigInt(i * 8), 8);
    if (!isPresent(e)) continue;
    const iovaStart = t.iovaBase + BigInt(i) * span;
    const entry: DecodedEntry = {
      index: i, descriptor: e, iovaStart, iovaLast: iovaStart + span - 1n,
      read: (e & PTE_IR) !== 0n, write: (e & PTE_IW) !== 0n, accessed: (e & PTE_A) !== 0n, dirty: (e & PTE_D) !== 0n,
    };
    // Level 1 holds only leaves, whose address bit 11 overlaps the NextLevel field.
    const below = t.level === 1 ? 0 : nextLevel(e);
    if (below !== 0) entry.next = { table: tableAddress(e), level: below, iovaBase: iovaStart };
    else entry.page = leafAddress(e);
    out.push(entry);
  }
  return out;
}
