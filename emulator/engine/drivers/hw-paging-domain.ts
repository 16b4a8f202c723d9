// A paging domain of a real IOMMU model (SMMUv3, VT-d): a page table in one
// of the real formats, walked through the IOMMU's IOTLB.
//   translate  an IOTLB hit answers without reading memory — even when the
//              table has since changed (a stale hit: it is used, and
//              reported); a miss walks the table, applies the model's checks
//              (hw-rules.ts), performs the hardware's A/D updates, and fills
//              the IOTLB. Neither builds the walk record unless it is read
//              (lazy-steps.ts).
//   unmap      strict domains invalidate the range right away (what iommufd
//              and a strict DMA domain do); lazy DMA domains (DMA-FQ) queue
//              the flush, so until the queue drains the IOTLB may still hold
//              the old translation.
import type { IommuPagingDomain, WalkOutcome } from '../core/iommu-domain.js';
import type { Iotlb, IotlbEntry } from '../iotlb.js';
import { isStop, type RadixTable } from '../pgtable/radix-table.js';
import { hex, type HwRules } from './hw-rules.js';
import { answerFromIotlb, type CurrentWalk } from './iotlb-hit.js';
import { walkedTranslation } from './lazy-steps.js';
import type { WalkStep } from '../machine-api.js';
import type { StatementLine } from '../statement-line.js';

/** Below this an IOVA converts to a number exactly. */
const EXACT = 2 ** 53;

/** IOVA_FQ_SIZE: a DMA-FQ domain flushes once this many unmaps are queued. */
export const FLUSH_QUEUE_SIZE = 256;

export interface HwDomainOptions {
  driver: object;
  table: RadixTable;
  rules: HwRules;
  iotlb: Iotlb;
  /** The hardware tag of the domain's IOTLB entries ("ASID 1", "DID 2"). */
  tag: string;
  aperture: { start: bigint; last: bigint };
  dirtyOps: boolean;
  /** DMA-FQ: unmaps defer their IOTLB flush. */
  lazy: boolean;
  /** The statement line now running (for stale-hit messages). */
  line: StatementLine;
  /** "SMMUv3 stage-1 domain", for reasons. */
  label: string;
  /** The translation stage the table is (1, or 2 for a nest parent / VT-d second stage). */
  stage: 1 | 2;
  /**
   * An SMMUv3 nest parent: combined stage-1+2 entries cannot be found by IPA,
   * so every invalidation of this table also drops all the entries nested
   * under its tag (arm-smmu-v3 follows TLBI_S2_IPA with TLBI_NH_ALL).
   */
  flushNested?: boolean;
}

export class HwPagingDomain implements IommuPagingDomain {
  readonly type = 'paging';
  readonly driver: object;
  readonly pgsizeBitmap: bigint;
  readonly aperture: { start: bigint; last: bigint };
  readonly root: bigint;
  readonly dirtyOps: boolean;
  readonly tag: string;
  dirtyTracking = false;
  private readonly pending: { iova: bigint; size: bigint }[] = [];
  /** `describe()`: built once (label, tag and root never change), not on every IOTLB hit that might need it. */
  private readonly description: string;

  constructor(private readonly o: HwDomainOptions) {
    this.driver = o.driver;
    this.pgsizeBitmap = o.table.format.pgsizeBitmap;
    this.aperture = o.aperture;
    this.root = o.table.root;
    this.dirtyOps = o.dirtyOps;
    this.tag = o.tag;
    this.description = `${o.label} (${this.tag}, root ${hex(this.root)})`;
  }

  get stage(): 1 | 2 {
    return this.o.stage;
  }

  get table(): RadixTable {
    return this.o.table;
  }

  describe(): string {
    return this.description;
  }

  map(iova: bigint, pa: bigint, size: bigint, prot: number): void {
    this.o.table.map(iova, pa, size, prot);
  }

  unmap(iova: bigint, size: bigint): bigint {
    const n = this.o.table.unmap(iova, size);
    if (n === 0n) return n;
    if (!this.o.lazy) {
      this.invalidate(iova, n);
      return n;
    }
    this.o.iotlb.noteUnmapped(this.tag, iova, n, this.o.line.current);
    this.pending.push({ iova, size: n });
    if (this.pending.length >= FLUSH_QUEUE_SIZE) this.flushQueue();
    return n;
  }

  /** Drains the DMA-FQ flush queue (fq_flush_iotlb). */
  flushQueue(): void {
    for (const p of this.pending.splice(0)) this.invalidate(p.iova, p.size);
  }

  private invalidate(iova: bigint, size: bigint): void {
    this.o.iotlb.invalidateRange(this.tag, iova, size);
    if (this.o.flushNested) this.o.iotlb.invalidateChildren(this.tag);
  }

  iovaToPhys(iova: bigint): bigint | undefined {
    return this.o.table.iovaToPhys(iova);
  }

  pte(iova: bigint, level: number): bigint | undefined {
    return this.o.table.pte(iova, level);
  }

  translate(iova: bigint, write: boolean, update: boolean): WalkOutcome {
    const { iotlb, rules, table } = this.o;
    const cached = iotlb.lookup(this.tag, iova);
    // A write through an entry cached clean must walk again to record the dirty state (HTTU, SSADE).
    const mustMarkDirty = cached && write && this.dirtyTracking && !rules.isDirty(cached.descriptor);
    if (cached && !mustMarkDirty) return this.fromIotlb(cached, iova, write, update);
    if (update) iotlb.misses++;
    const pre = rules.input(iova, write);
    if (pre) return { ok: false, kind: pre.kind, level: pre.level, stage: rules.stage, steps: [], detail: pre.detail, record: pre.record };
    // The leaf is the table's shared record: read here, before anything walks again.
    const leaf = table.find(iova);
    if (isStop(leaf)) {
      const f = rules.stopped(leaf, iova, write);
      return { ok: false, kind: f.kind, level: f.level, stage: rules.stage, steps: this.steps(iova), detail: `${f.detail} in the ${this.describe()}`, record: f.record };
    }
    const grant = rules.leaf(leaf, iova, write, this.dirtyTracking);
    if ('kind' in grant) {
      return { ok: false, kind: grant.kind, level: grant.level ?? leaf.level, stage: rules.stage, steps: this.steps(iova), detail: `${grant.detail} in the ${this.describe()}`, record: grant.record };
    }
    const oa = leaf.oa;
    if (update) {
      if (grant.updated !== leaf.descriptor) table.mem.store(leaf.slot, 8, grant.updated);
      // The walked address's offset in the leaf is the same on both sides.
      // At offset 0 (a DMA to the start of a buffer; tested on numbers when
      // exact) the addresses are kept as they are: the entry lives until the
      // unmap, and so would two more BigInts.
      const size = leaf.size;
      const n = Number(iova);
      const offset = n < EXACT ? (n % Number(size) === 0 ? 0n : iova & (size - 1n)) : iova & (size - 1n);
      const aligned = offset === 0n;
      iotlb.insert({
        tag: this.tag,
        iova: aligned ? iova : iova - offset,
        pa: aligned ? oa : oa - offset,
        size,
        read: grant.read,
        write: grant.write,
        level: leaf.level,
        stage: rules.stage,
        descriptor: grant.updated,
      });
    }
    return walkedTranslation(oa, this, iova);
  }

  setDirtyTracking(enable: boolean): void {
    // Enabling starts clean: the kernel reads and clears every leaf first.
    if (enable) this.readAndClearDirty(0n, 1n << 64n, false);
    this.dirtyTracking = enable;
  }

  readAndClearDirty(iova: bigint, length: bigint, keep: boolean): bigint[] {
    const granule = this.pgsizeBitmap & -this.pgsizeBitmap;
    const end = iova + length;
    const dirty: bigint[] = [];
    this.o.table.forEachLeaf((base, slot, e, depth) => {
      const size = 1n << BigInt(this.o.table.format.levels[depth]!.shift);
      if (base >= end || base + size <= iova || !this.o.rules.isDirty(e)) return;
      for (let a = base > iova ? base : iova & ~(granule - 1n); a < base + size && a < end; a += granule) dirty.push(a);
      if (!keep) this.o.table.mem.store(slot, 8, this.o.rules.clean(e));
    });
    // The IOTLB caches the writable-dirty state: cleaning must be followed by a flush.
    if (!keep && dirty.length > 0) this.invalidate(iova, length);
    return dirty;
  }

  /**
   * A hit: the cached translation is used as is; a lookup in the tables
   * (no walk record: that is built only if the debugger asks) tells whether
   * memory still agrees.
   */
  private fromIotlb(e: IotlbEntry, iova: bigint, write: boolean, update: boolean): WalkOutcome {
    const w = this.o.table.find(iova);
    const current: CurrentWalk = isStop(w) ? {} : { pa: w.oa, descriptor: w.descriptor };
    const out = answerFromIotlb(e, iova, write, current, () => this.steps(iova), () => this.o.rules.permission(iova, write, e.level), this.describe());
    if (update && out.ok) this.o.iotlb.hits++;
    return out;
  }

  /** The walk record of `iova` through the table as it is now (the debugger's walk view). */
  steps(iova: bigint): WalkStep[] {
    return this.o.table.walk(iova, this.o.rules.stage).steps;
  }
}
