// An IOMMU's translation cache (iommu-hardware §5). Entries are whole leaf
// translations tagged by the domain's hardware id (SMMUv3 ASID/VMID, VT-d
// DID), as QEMU's SMMU and VT-d models cache them; a full table is flushed
// entirely (QEMU: 256 entries). Only explicit invalidations remove entries:
// the page table can change underneath, and a later hit then uses the old
// translation, as hardware would. So that the debugger can say why, the
// cache remembers the statement line at which software changed the table
// under an entry without invalidating it.
//
// A lookup is on every DMA, so it is a hash probe, not a scan: entries are
// indexed by tag, then by page size, then by page number. A tag's entries
// never overlap (insert evicts what the new one overlaps), so probing each
// size the tag holds finds at most one entry, whatever the order. The
// insertion order is kept beside the index (a Set), because the listing is
// ordered and the cache is flushed as a whole when full.

export interface IotlbEntry {
  /** The domain's hardware tag ("ASID 1", "DID 3"). */
  tag: string;
  /** Input address and output address of the cached leaf, aligned to `size`. */
  iova: bigint;
  pa: bigint;
  size: bigint;
  read: boolean;
  write: boolean;
  /** Where the walk found the leaf (for the walk view of a hit). */
  level: number;
  stage: number;
  descriptor: bigint;
  /** Set when software unmapped this page without invalidating it: at which statement line, if known. */
  unmapped?: { line?: number };
}

/** QEMU's SMMU_IOTLB_MAX_SIZE (the VT-d model uses 1024; one limit keeps the model simple). */
export const IOTLB_CAPACITY = 256;

/**
 * Below 2^53 an address converts to a JS number exactly, and the page
 * number is then a plain division: the index keys such entries by page
 * number. Masking the bigint instead allocated a bigint per lookup and, in
 * V8's lower tiers, made a runtime call for it; the number path costs a
 * fraction of that. Entries above (57-bit inputs) are keyed by bigint.
 */
const EXACT = 2 ** 53;

/** One tag's entries of one page size (at most 2^53 bytes, so none straddles 2^53). */
class SizeClass {
  readonly num: number;
  readonly mask: bigint;
  /** Entries below 2^53 by page number, those above by their IOVA. */
  readonly low = new Map<number, IotlbEntry>();
  readonly high = new Map<bigint, IotlbEntry>();

  constructor(readonly size: bigint) {
    this.num = Number(size);
    this.mask = ~(size - 1n);
  }

  get count(): number {
    return this.low.size + this.high.size;
  }

  /** The entry at `iova` exactly (aligned to the size). */
  at(iova: bigint): IotlbEntry | undefined {
    const n = Number(iova);
    return n < EXACT ? this.low.get(n / this.num) : this.high.get(iova);
  }

  set(e: IotlbEntry): void {
    const n = Number(e.iova);
    if (n < EXACT) this.low.set(n / this.num, e);
    else this.high.set(e.iova, e);
  }

  delete(e: IotlbEntry): void {
    const n = Number(e.iova);
    if (n < EXACT) this.low.delete(n / this.num);
    else this.high.delete(e.iova);
  }

  *entries(): Iterable<IotlbEntry> {
    yield* this.low.values();
    yield* this.high.values();
  }
}

export class Iotlb {
  /** Every entry, oldest first: listing and whole-cache walks are deterministic. */
  private readonly order = new Set<IotlbEntry>();
  /** tag -> the sizes it holds (a handful at most: the page sizes of one format). */
  private readonly index = new Map<string, SizeClass[]>();
  /** Hits and misses, for the debugger's IOTLB view. */
  hits = 0;
  misses = 0;

  lookup(tag: string, iova: bigint): IotlbEntry | undefined {
    const classes = this.index.get(tag);
    if (classes === undefined) return undefined;
    const n = Number(iova);
    for (let i = 0; i < classes.length; i++) {
      const c = classes[i]!;
      const e = n < EXACT ? c.low.get(Math.floor(n / c.num)) : c.high.get(iova & c.mask);
      if (e !== undefined) return e;
    }
    return undefined;
  }

  insert(entry: IotlbEntry): void {
    const { tag, iova, size } = entry;
    if (size <= 0n || size > 1n << 53n || (size & (size - 1n)) !== 0n || (iova & (size - 1n)) !== 0n) {
      throw new Error(`an IOTLB entry covers a naturally aligned power-of-two page of at most 2^53 bytes: ${tag} 0x${iova.toString(16)} size 0x${size.toString(16)}`);
    }
    if (this.order.size >= IOTLB_CAPACITY) this.flushAll();
    this.removeOverlapping(tag, iova, size);
    let classes = this.index.get(tag);
    if (classes === undefined) this.index.set(tag, (classes = []));
    let c = classes.find((k) => k.size === size);
    if (c === undefined) classes.push((c = new SizeClass(size)));
    c.set(entry);
    this.order.add(entry);
  }

  /** Drops the tag's entries overlapping [iova, iova+size) (TLBI_NH_VA, PSI). */
  invalidateRange(tag: string, iova: bigint, size: bigint): number {
    return this.removeOverlapping(tag, iova, size);
  }

  /** Drops every entry of the tag (TLBI_NH_ASID, DSI). */
  invalidateTag(tag: string): void {
    for (const c of this.index.get(tag) ?? []) for (const e of c.entries()) this.order.delete(e);
    this.index.delete(tag);
  }

  /**
   * Drops the entries of every tag nested under `parent` (childTag), those
   * overlapping [iova, iova+size) when a range is given: SMMUv3's
   * TLBI_NH_ALL / TLBI_NH_VAA for one VMID.
   */
  invalidateChildren(parent: string, range?: { iova: bigint; size: bigint }): void {
    const prefix = `${parent} `;
    for (const tag of [...this.index.keys()]) {
      if (!tag.startsWith(prefix)) continue;
      if (range) this.removeOverlapping(tag, range.iova, range.size);
      else this.invalidateTag(tag);
    }
  }

  /**
   * Notes that software removed [iova, iova+size) at `line` while cached
   * entries still cover it: of one tag, or (a guest's table, whose domains
   * the host does not know) of every tag. Only a hit that the tables no
   * longer back ever quotes it.
   */
  noteUnmapped(tag: string | undefined, iova: bigint, size: bigint, line: number | undefined): void {
    const tags = tag === undefined ? [...this.index.keys()] : [tag];
    for (const t of tags) {
      for (const e of this.overlapping(t, iova, size)) if (!e.unmapped) e.unmapped = { line };
    }
  }

  /** The cached entries, oldest first (a copy). */
  list(): IotlbEntry[] {
    return [...this.order].map((e) => ({ ...e }));
  }

  private flushAll(): void {
    this.order.clear();
    this.index.clear();
  }

  private removeOverlapping(tag: string, iova: bigint, size: bigint): number {
    const doomed = this.overlapping(tag, iova, size);
    if (doomed.length === 0) return 0;
    const classes = this.index.get(tag)!;
    for (const e of doomed) {
      const c = classes.find((k) => k.size === e.size)!;
      c.delete(e);
      this.order.delete(e);
      if (c.count === 0) classes.splice(classes.indexOf(c), 1);
    }
    if (classes.length === 0) this.index.delete(tag);
    return doomed.length;
  }

  /**
   * The tag's entries overlapping [iova, iova+size): per size, by probing the
   * aligned keys the range spans when they are fewer than the entries, else
   * by testing every entry of that size (a huge range, or an empty one).
   */
  private overlapping(tag: string, iova: bigint, size: bigint): IotlbEntry[] {
    const found: IotlbEntry[] = [];
    for (const c of this.index.get(tag) ?? []) {
      const first = iova & c.mask;
      const keys = size > 0n ? (((iova + size - 1n) & c.mask) - first) / c.size + 1n : undefined;
      if (keys !== undefined && keys <= BigInt(c.count)) {
        for (let k = first, n = 0n; n < keys; k += c.size, n++) {
          const e = c.at(k);
          if (e !== undefined && overlaps(e, iova, size)) found.push(e);
        }
      } else {
        for (const e of c.entries()) if (overlaps(e, iova, size)) found.push(e);
      }
    }
    return found;
  }
}

/** The tag of a translation nested under `parent` (SMMUv3: "VMID 2" + "ASID 5"). */
export function childTag(parent: string, sub: string): string {
  return `${parent} ${sub}`;
}

function overlaps(e: IotlbEntry, iova: bigint, size: bigint): boolean {
  return e.iova < iova + size && iova < e.iova + e.size;
}
