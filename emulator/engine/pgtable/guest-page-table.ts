// A page table that software builds itself (`guest_pt`): a guest's stage 1,
// written descriptor by descriptor into memory in the chosen format, exactly
// as the io-pgtable / generic_pt code of a guest kernel would write it.
//
// With `base`, the tables live in the VMM's memory starting at that address
// and every address inside a descriptor (next-table pointers, OAs) is in the
// VMM's address space — the guest-physical addresses of a guest whose RAM is
// mapped with IOVA == VMM address. Further tables are carved from the same
// region, granule after granule. Without `base`, the tables are allocated in
// host memory like a kernel's own. Unmapping never invalidates any IOTLB:
// that is the guest's job.
import { IOMMU_CACHE, IOMMU_READ, IOMMU_WRITE } from '../core/domain.js';
import { fail } from '../errno.js';
import type { Process } from '../memory/process.js';
import { ArmLpaeFormat } from './arm-lpae.js';
import type { PtFormat } from './pt-format.js';
import { RadixTable } from './radix-table.js';
import type { TableAllocator, TableMemory } from './table-pages.js';
import { TablePages } from './table-pages.js';
import { X86_64Format } from './x86-64.js';
import type { PhysMem } from '../memory/physmem.js';

export type GuestFormat = 'arm64_s1' | 'arm64_s2' | 'x86_64';
export type GuestProt = 'r' | 'w' | 'rw';

const hex = (v: bigint) => `0x${v.toString(16)}`;

/** A process's memory seen as 64-bit little-endian words. */
class ProcessWords implements TableMemory {
  constructor(private readonly proc: Process) {}

  load(addr: bigint): bigint {
    const b = this.proc.read(addr, 8);
    let v = 0n;
    for (let i = 7; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
    return v;
  }

  store(addr: bigint, _width: 8, value: bigint): void {
    const b = new Uint8Array(8);
    for (let i = 0; i < 8; i++) b[i] = Number((value >> BigInt(8 * i)) & 0xffn);
    this.proc.write(addr, b);
  }

  write(addr: bigint, bytes: Uint8Array): void {
    this.proc.write(addr, bytes);
  }
}

/** Tables carved from one region of a process, from `base` upwards; freed ones are reused first. */
class RegionTables implements TableAllocator {
  readonly mem: TableMemory;
  private next: bigint;
  private readonly freed: bigint[] = [];

  constructor(
    proc: Process,
    private readonly base: bigint,
    private readonly end: bigint,
    private readonly granule: bigint,
  ) {
    this.mem = new ProcessWords(proc);
    this.next = base;
  }

  alloc(bytes: bigint): bigint {
    // The top table sits at `base` itself; every other table is one granule.
    if (this.next === this.base) {
      this.next = this.base + roundUp(bytes, this.granule);
      return this.base;
    }
    const reuse = this.freed.pop();
    if (reuse !== undefined) return reuse;
    if (this.next + bytes > this.end) fail('ENOMEM', `the guest page table at ${hex(this.base)} has no room left in its memory region for another table`);
    const t = this.next;
    this.next += roundUp(bytes, this.granule);
    return t;
  }

  free(addr: bigint, bytes: bigint): void {
    this.mem.write(addr, new Uint8Array(Number(bytes)));
    this.freed.push(addr);
  }
}

function roundUp(v: bigint, to: bigint): bigint {
  return ((v + to - 1n) / to) * to;
}

export function guestFormat(format: GuestFormat, granule: bigint): PtFormat {
  if (format === 'x86_64') {
    if (granule !== 4096n) fail('EINVAL', 'x86-64 tables have a 4K granule only');
    return new X86_64Format(4);
  }
  return new ArmLpaeFormat({ stage: format === 'arm64_s1' ? 1 : 2, granule, ias: 48, oas: 48 });
}

export class GuestPageTable {
  readonly table: RadixTable;

  constructor(
    readonly name: string,
    readonly formatName: GuestFormat,
    format: PtFormat,
    where: { proc: Process; base: bigint } | { phys: PhysMem },
  ) {
    let pages: TableAllocator;
    if ('proc' in where) {
      const region = where.proc.regionAt(where.base);
      if (!region) fail('EFAULT', `guest_pt ${name}: base ${hex(where.base)} is not in a declared memory region`);
      if (where.base % format.tableBytes !== 0n) fail('EINVAL', `guest_pt ${name}: base ${hex(where.base)} is not aligned to the ${format.tableBytes}-byte granule`);
      pages = new RegionTables(where.proc, where.base, region.start + region.size, format.tableBytes);
    } else pages = new TablePages(where.phys);
    this.table = new RadixTable(format, pages);
  }

  /** Writes the descriptors mapping [iova, iova+length) to [oa, ...); guests map coherent memory (IOMMU_CACHE). */
  map(iova: bigint, oa: bigint, length: bigint, prot: GuestProt): void {
    const p = (prot.includes('r') ? IOMMU_READ : 0) | (prot.includes('w') ? IOMMU_WRITE : 0) | IOMMU_CACHE;
    this.table.map(iova, oa, length, p);
  }

  unmap(iova: bigint, length: bigint): bigint {
    return this.table.unmap(iova, length);
  }
}
