// Where page-table formats get their tables: zeroed, naturally aligned
// blocks of host memory. Freed tables go back on a per-size free list and are
// handed out again first (LIFO), as the kernel's page allocator tends to do;
// that recycling is what makes a walk through a stale cached table pointer
// read somebody else's table, so it is modelled rather than leaked.
import { PAGE_SIZE, type PhysMem } from '../memory/physmem.js';

/** The memory a table lives in: host physical memory, or a process's (a guest's tables). */
export interface TableMemory {
  load(addr: bigint, width: 8): bigint;
  store(addr: bigint, width: 8, value: bigint): void;
  write(addr: bigint, bytes: Uint8Array): void;
  /**
   * Optional fast path (host memory has it): the 8-byte descriptor at byte
   * `offset` of 4 KiB frame `frame` (the offset may run past the frame, in a
   * table of several) as its little-endian u32 halves, into `out`. Without
   * it the walks read whole descriptors with `load`.
   */
  loadWords?(frame: number, offset: number, out: { lo: number; hi: number }): void;
  /** The store counterpart of `loadWords` (host memory has it): map and unmap write descriptors as two halves. */
  storeWords?(frame: number, offset: number, lo: number, hi: number): void;
}

/** Where a page table gets and returns its tables. */
export interface TableAllocator {
  readonly mem: TableMemory;
  alloc(bytes: bigint): bigint;
  free(addr: bigint, bytes: bigint): void;
}

export class TablePages implements TableAllocator {
  private readonly freed = new Map<bigint, bigint[]>();

  constructor(readonly phys: PhysMem) {}

  get mem(): TableMemory {
    return this.phys;
  }

  /** A zeroed table of `bytes` (at least a 4 KiB page), aligned to its own size. */
  alloc(bytes: bigint): bigint {
    const size = roundUp(bytes);
    this.phys.faults.check('page table page');
    const reuse = this.freed.get(size)?.pop();
    return reuse ?? this.phys.alloc(size, size);
  }

  /** Returns a table: it is zeroed now, so nothing reads its old descriptors. */
  free(pa: bigint, bytes: bigint): void {
    const size = roundUp(bytes);
    this.phys.write(pa, new Uint8Array(Number(size)));
    let list = this.freed.get(size);
    if (!list) this.freed.set(size, (list = []));
    list.push(pa);
  }
}

function roundUp(bytes: bigint): bigint {
  let size = BigInt(PAGE_SIZE);
  while (size < bytes) size <<= 1n;
  return size;
}
