// An IOMMU's translation cache (iommu-hardware §5). Entries are whole leaf
// translations tagged by the domain's hardware id (SMMUv3 ASID/VMID, VT-d
// DID), as QEMU's SMMU and VT-d models cache them; a full table is flushed
// entirely (QEMU: 256 entries). Only explicit invalidations remove entries:
// the page table can change underneath, and a later hit then uses the old
// translation, as hardware would. So that the debugger can say why, the
// cache remembers the statement line at which software changed the table
// under an entry without invalidating it.
//
// A lookup is on every DMA, so it is a hash probe, not a scan: an entry's
// key is its tag's class of one page size plus its page number. A tag's
// entries never overlap (insert evicts what the new one overlaps), so
// probing each size the tag holds finds at most one entry, whatever the
// order. The table is open addressing over fixed arrays (linear probing,
// deletion by backward shift) rather than Maps and a Set: under map/unmap
// churn every DMA inserts an entry and every unmap removes it, and V8
// reallocates a Map's or Set's table whenever one empties, which cost more
// than the walk the entry saves. Entries carry an insertion number, because
// the listing is ordered.

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

/** Slots of the hash table: a power of two, at most half full. */
const SLOTS = 2 * IOTLB_CAPACITY;
const SLOT_MASK = SLOTS - 1;
/**
 * Below 2^53 an address converts to a JS number exactly, and the page
 * number is then a plain division: such entries are keyed without a bigint.
 */
const EXACT = 2 ** 53;
/** The largest entry (a page of 2^53 bytes). */
const MAX_ENTRY_SIZE = 1n << 53n;
const TWO_32 = 2 ** 32;

/** One tag's entries of one page size (at most 2^53 bytes, so none straddles 2^53). */
class SizeClass {
  readonly num: number;
  readonly mask: bigint;
  /** Entries of this class in the table (a class with none is skipped). */
  count = 0;

  constructor(
    /** Distinguishes the class in the hash (classes are never shared between caches). */
    readonly id: number,
    readonly size: bigint,
  ) {
    this.num = Number(size);
    this.mask = ~(size - 1n);
  }

  /**
   * The page number of the page holding `iova`. Below 2^53 it is exact; above
   * (57-bit inputs) it may be rounded, so a probe there also compares the
   * entry's own IOVA (`exact` false).
   */
  pageOf(iova: bigint, n: number): number {
    return n < EXACT ? Math.floor(n / this.num) : Number((iova & this.mask) / this.size);
  }
}

interface TagClasses {
  /** The sizes the tag has held (a handful at most: the page sizes of one format). */
  readonly classes: SizeClass[];
}

export class Iotlb {
  private readonly tags = new Map<string, TagClasses>();
  private nextClassId = 0;
  /** The table, allocated on the first insert (most IOMMUs of a test never cache anything). */
  private slotEntry: (IotlbEntry | undefined)[] = [];
  private slotClass: (SizeClass | undefined)[] = [];
  private slotPage = new Float64Array(0);
  /** Insertion numbers: the listing is oldest first. */
  private slotSeq = new Float64Array(0);
  private count = 0;
  private seq = 0;
  /** Hits and misses, for the debugger's IOTLB view. */
  hits = 0;
  misses = 0;

  lookup(tag: string, iova: bigint): IotlbEntry | undefined {
    if (this.count === 0) return undefined;
    const t = this.tags.get(tag);
    if (t === undefined) return undefined;
    const n = Number(iova);
    for (let i = 0; i < t.classes.length; i++) {
      const c = t.classes[i]!;
      if (c.count === 0) continue;
      const slot = this.find(c, c.pageOf(iova, n), n < EXACT ? undefined : iova & c.mask);
      if (slot >= 0) return this.slotEntry[slot];
    }
    return undefined;
  }

  insert(entry: IotlbEntry): void {
    const { tag, iova, size } = entry;
    if (!naturallyAligned(iova, size)) {
      throw new Error(`an IOTLB entry covers a naturally aligned power-of-two page of at most 2^53 bytes: ${tag} 0x${iova.toString(16)} size 0x${size.toString(16)}`);
    }
    if (this.count >= IOTLB_CAPACITY) this.flushAll();
    this.removeOverlapping(tag, iova, size);
    let t = this.tags.get(tag);
    if (t === undefined) this.tags.set(tag, (t = { classes: [] }));
    let c = sizeClass(t.classes, size);
    if (c === undefined) t.classes.push((c = new SizeClass(this.nextClassId++, size)));
    if (this.slotEntry.length === 0) this.allocate();
    const page = c.pageOf(iova, Number(iova));
    let i = hashOf(c.id, page);
    while (this.slotEntry[i] !== undefined) i = (i + 1) & SLOT_MASK;
    this.slotEntry[i] = entry;
    this.slotClass[i] = c;
    this.slotPage[i] = page;
    this.slotSeq[i] = this.seq++;
    c.count++;
    this.count++;
  }

  /** Drops the tag's entries overlapping [iova, iova+size) (TLBI_NH_VA, PSI). */
  invalidateRange(tag: string, iova: bigint, size: bigint): number {
    return this.removeOverlapping(tag, iova, size);
  }

  /** Drops every entry of the tag (TLBI_NH_ASID, DSI). */
  invalidateTag(tag: string): void {
    const t = this.tags.get(tag);
    if (t === undefined) return;
    for (const c of t.classes) for (const e of this.scan(c, undefined)) this.remove(c, e);
    this.tags.delete(tag);
  }

  /**
   * Drops the entries of every tag nested under `parent` (childTag), those
   * overlapping [iova, iova+size) when a range is given: SMMUv3's
   * TLBI_NH_ALL / TLBI_NH_VAA for one VMID.
   */
  invalidateChildren(parent: string, range?: { iova: bigint; size: bigint }): void {
    const prefix = `${parent} `;
    for (const tag of [...this.tags.keys()]) {
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
    const tags = tag === undefined ? [...this.tags.keys()] : [tag];
    for (const t of tags) {
      for (const c of this.tags.get(t)?.classes ?? []) {
        for (const e of this.overlapping(c, iova, size)) if (!e.unmapped) e.unmapped = { line };
      }
    }
  }

  /** The cached entries, oldest first (a copy). */
  list(): IotlbEntry[] {
    const held: { seq: number; e: IotlbEntry }[] = [];
    for (let i = 0; i < this.slotEntry.length; i++) {
      const e = this.slotEntry[i];
      if (e !== undefined) held.push({ seq: this.slotSeq[i]!, e });
    }
    return held.sort((a, b) => a.seq - b.seq).map(({ e }) => ({ ...e }));
  }

  private allocate(): void {
    this.slotEntry = new Array<IotlbEntry | undefined>(SLOTS).fill(undefined);
    this.slotClass = new Array<SizeClass | undefined>(SLOTS).fill(undefined);
    this.slotPage = new Float64Array(SLOTS);
    this.slotSeq = new Float64Array(SLOTS);
  }

  private flushAll(): void {
    this.slotEntry.fill(undefined);
    this.slotClass.fill(undefined);
    for (const t of this.tags.values()) for (const c of t.classes) c.count = 0;
    this.count = 0;
  }

  /** The slot of class `c`'s entry at page number `page` (and IOVA `base`, when the page number may be rounded); -1 if none. */
  private find(c: SizeClass, page: number, base: bigint | undefined): number {
    for (let i = hashOf(c.id, page); ; i = (i + 1) & SLOT_MASK) {
      const e = this.slotEntry[i];
      if (e === undefined) return -1;
      if (this.slotClass[i] === c && this.slotPage[i] === page && (base === undefined || e.iova === base)) return i;
    }
  }

  /** Empties slot `i`, moving later entries of its probe run back so that no probe stops early. */
  private clearSlot(i: number): void {
    this.slotClass[i]!.count--;
    this.count--;
    let hole = i;
    for (let j = (i + 1) & SLOT_MASK; this.slotEntry[j] !== undefined; j = (j + 1) & SLOT_MASK) {
      const home = hashOf(this.slotClass[j]!.id, this.slotPage[j]!);
      // The entry at j may fill the hole unless its home lies cyclically in (hole, j].
      const stays = hole <= j ? home > hole && home <= j : home > hole || home <= j;
      if (stays) continue;
      this.slotEntry[hole] = this.slotEntry[j];
      this.slotClass[hole] = this.slotClass[j];
      this.slotPage[hole] = this.slotPage[j]!;
      this.slotSeq[hole] = this.slotSeq[j]!;
      hole = j;
    }
    this.slotEntry[hole] = undefined;
    this.slotClass[hole] = undefined;
  }

  private remove(c: SizeClass, e: IotlbEntry): void {
    const n = Number(e.iova);
    this.clearSlot(this.find(c, c.pageOf(e.iova, n), n < EXACT ? undefined : e.iova));
  }

  private removeOverlapping(tag: string, iova: bigint, size: bigint): number {
    const t = this.tags.get(tag);
    if (t === undefined) return 0;
    let removed = 0;
    for (let k = 0; k < t.classes.length; k++) {
      const c = t.classes[k]!;
      if (c.count === 0) continue;
      const n = Number(iova);
      const s = Number(size);
      // A range wholly below 2^53 that spans fewer pages than the table has
      // slots (every unmap of a DMA-API domain): probe its page numbers, as
      // numbers. Strictly below 2^53: a sum that rounds can only round up to it.
      if (s > 0 && n + s < EXACT) {
        const first = Math.floor(n / c.num);
        const last = Math.floor((n + s - 1) / c.num);
        if (last - first < SLOTS) {
          for (let page = first; page <= last && c.count > 0; page++) {
            const i = this.find(c, page, undefined);
            if (i >= 0) {
              this.clearSlot(i);
              removed++;
            }
          }
          continue;
        }
      }
      for (const e of this.scan(c, { iova, size })) {
        this.remove(c, e);
        removed++;
      }
    }
    return removed;
  }

  /** Class `c`'s entries overlapping [iova, iova+size). */
  private overlapping(c: SizeClass, iova: bigint, size: bigint): IotlbEntry[] {
    return c.count === 0 ? [] : this.scan(c, { iova, size });
  }

  /** Class `c`'s entries (those overlapping `range`, if given), by a pass over the table. */
  private scan(c: SizeClass, range: { iova: bigint; size: bigint } | undefined): IotlbEntry[] {
    const found: IotlbEntry[] = [];
    if (c.count === 0) return found;
    for (let i = 0; i < this.slotEntry.length; i++) {
      const e = this.slotEntry[i];
      if (e !== undefined && this.slotClass[i] === c && (!range || overlaps(e, range.iova, range.size))) found.push(e);
    }
    return found;
  }
}

/** The slot a key hashes to: page number and class mixed (multiplicative hashing). */
function hashOf(classId: number, page: number): number {
  const lo = page >>> 0;
  const hi = (page / TWO_32) >>> 0;
  let h = Math.imul(lo ^ Math.imul(hi, 0x85ebca6b), 0x9e3779b1) ^ Math.imul(classId + 1, 0xc2b2ae35);
  h ^= h >>> 16;
  return h & SLOT_MASK;
}

/** The tag's class of entries of `size`, if it has one. */
function sizeClass(classes: readonly SizeClass[], size: bigint): SizeClass | undefined {
  for (let i = 0; i < classes.length; i++) if (classes[i]!.size === size) return classes[i];
  return undefined;
}

/** `size` is a power of two of at most 2^53 and `iova` a multiple of it. */
function naturallyAligned(iova: bigint, size: bigint): boolean {
  if (size <= 0n || size > MAX_ENTRY_SIZE) return false;
  // Below 2^53 both are exact as numbers; a small size is tested with int32
  // bit operations, a larger one by its log2 (exact for a power of two).
  const s = Number(size);
  if (s < 0x4000_0000 ? (s & (s - 1)) !== 0 : 2 ** Math.round(Math.log2(s)) !== s) return false;
  const n = Number(iova);
  return n < EXACT ? n % s === 0 : (iova & (size - 1n)) === 0n;
}

/** The tag of a translation nested under `parent` (SMMUv3: "VMID 2" + "ASID 5"). */
export function childTag(parent: string, sub: string): string {
  return `${parent} ${sub}`;
}

function overlaps(e: IotlbEntry, iova: bigint, size: bigint): boolean {
  return e.iova < iova + size && iova < e.iova + e.size;
}
