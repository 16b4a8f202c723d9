// A paging domain's page table read level by level from emulated memory,
// every present descriptor decoded into its fields by the architecture's
// names. One table at a time, so a debugger can expand lazily. The real
// formats (Arm LPAE, x86-64, VT-d second stage) decode through their own
// PtFormat.decode, so the bit layouts live only in emulator/engine/pgtable;
// the mock IOMMU's format through mock-pte.ts.
import type { IommuPagingDomain } from '../core/iommu-domain.js';
import { HwPagingDomain } from '../drivers/hw-paging-domain.js';
import { MockPagingDomain } from '../drivers/mock/mock-paging-domain.js';
import {
  MOCK_GRANULE_SHIFT, MOCK_INDEX_BITS, MOCK_LEVELS, PTE_A, PTE_D, PTE_IR, PTE_IW, isPresent, leafAddress, nextLevel, tableAddress,
} from '../drivers/mock/mock-pte.js';
import type { PtFormat } from '../pgtable/pt-format.js';
import type { TableMemory } from '../pgtable/table-pages.js';
import type { PhysMem } from '../memory/physmem.js';

export interface TableRef {
  /** Physical address of the table. */
  table: bigint;
  /** The level as the architecture numbers it (mock 3..1, Arm 0..3, x86 5..1). */
  level: number;
  /** Position in the tree, 0 for the root. */
  depth: number;
  /** The first IOVA the table covers. */
  iovaBase: bigint;
}

export interface DecodedEntry {
  index: number;
  descriptor: bigint;
  kind: 'table' | 'block' | 'page' | 'reserved';
  /** The IOVA range the entry covers. */
  iovaStart: bigint;
  iovaLast: bigint;
  /** The descriptor's fields by their architecture names (AP, AF, RW, IR, ...). */
  fields: Record<string, bigint>;
  /** A table entry: the table below; a leaf: the page's (or block's) physical address. */
  next?: TableRef;
  page?: bigint;
}

/** A domain's table as the inspector reads it. */
export interface DecodedTable {
  /** "mock", or the format's name ("Arm LPAE stage 1, 4K granule, ..."). */
  format: string;
  root: TableRef;
  /** The present entries of one table, in index order. */
  entries(t: TableRef): DecodedEntry[];
}

/** The table of a domain whose format is decoded, else undefined. */
export function decodedTable(domain: IommuPagingDomain, phys: PhysMem): DecodedTable | undefined {
  if (domain instanceof MockPagingDomain) {
    return { format: 'mock', root: { table: domain.root, level: MOCK_LEVELS, depth: 0, iovaBase: 0n }, entries: (t) => mockEntries(phys, t) };
  }
  if (domain instanceof HwPagingDomain) {
    const { format, mem, root } = domain.table;
    return { format: format.name, root: { table: root, level: format.levels[0]!.level, depth: 0, iovaBase: 0n }, entries: (t) => formatEntries(format, mem, t) };
  }
  return undefined;
}

function formatEntries(format: PtFormat, mem: TableMemory, t: TableRef): DecodedEntry[] {
  const lv = format.levels[t.depth]!;
  const span = 1n << BigInt(lv.shift);
  const out: DecodedEntry[] = [];
  for (let i = 0; i < 1 << lv.indexBits; i++) {
    const descriptor = mem.load(t.table + BigInt(i) * 8n, 8);
    const { kind, fields } = format.decode(descriptor, t.depth);
    if (kind === 'invalid') continue;
    const iovaStart = t.iovaBase + BigInt(i) * span;
    const entry: DecodedEntry = { index: i, descriptor, kind, iovaStart, iovaLast: iovaStart + span - 1n, fields };
    if (kind === 'table') entry.next = { table: format.tableAddress(descriptor), level: format.levels[t.depth + 1]!.level, depth: t.depth + 1, iovaBase: iovaStart };
    else if (kind !== 'reserved') entry.page = format.leafAddress(descriptor, t.depth);
    out.push(entry);
  }
  return out;
}

const bit = (e: bigint, mask: bigint): bigint => ((e & mask) !== 0n ? 1n : 0n);

function mockEntries(phys: PhysMem, t: TableRef): DecodedEntry[] {
  const span = 1n << (MOCK_GRANULE_SHIFT + MOCK_INDEX_BITS * BigInt(t.level - 1));
  const out: DecodedEntry[] = [];
  for (let i = 0; i < 1 << Number(MOCK_INDEX_BITS); i++) {
    const e = phys.load(t.table + BigInt(i * 8), 8);
    if (!isPresent(e)) continue;
    const iovaStart = t.iovaBase + BigInt(i) * span;
    // Level 1 holds only leaves, whose address bit 11 overlaps the NextLevel field.
    const below = t.level === 1 ? 0 : nextLevel(e);
    const entry: DecodedEntry = {
      index: i, descriptor: e, kind: below !== 0 ? 'table' : 'page', iovaStart, iovaLast: iovaStart + span - 1n,
      fields: {
        address: below !== 0 ? tableAddress(e) : leafAddress(e), NextLevel: BigInt(below),
        IR: bit(e, PTE_IR), IW: bit(e, PTE_IW), A: bit(e, PTE_A), D: bit(e, PTE_D),
      },
    };
    if (below !== 0) entry.next = { table: tableAddress(e), level: below, depth: t.depth + 1, iovaBase: iovaStart };
    else entry.page = leafAddress(e);
    out.push(entry);
  }
  return out;
}
