// An IOMMU's translation cache (iommu-hardware §5). Entries are whole leaf
// translations tagged by the domain's hardware id (SMMUv3 ASID/VMID, VT-d
// DID), as QEMU's SMMU and VT-d models cache them; a full table is flushed
// entirely (QEMU: 256 entries). Only explicit invalidations remove entries:
// the page table can change underneath, and a later hit then uses the old
// translation, as hardware would. So that the debugger can say why, the
// cache remembers the statement line at which software changed the table
// under an entry without invalidating it.

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

export class Iotlb {
  /** Insertion order is kept: invalidation and listing are deterministic. */
  private entries: IotlbEntry[] = [];
  /** Hits and misses, for the debugger's IOTLB view. */
  hits = 0;
  misses = 0;

  lookup(tag: string, iova: bigint): IotlbEntry | undefined {
    return this.entries.find((e) => e.tag === tag && iova >= e.iova && iova < e.iova + e.size);
  }

  insert(entry: IotlbEntry): void {
    if (this.entries.length >= IOTLB_CAPACITY) this.entries = [];
    this.entries = this.entries.filter((e) => !(e.tag === entry.tag && overlaps(e, entry.iova, entry.size)));
    this.entries.push(entry);
  }

  /** Drops the tag's entries overlapping [iova, iova+size) (TLBI_NH_VA, PSI). */
  invalidateRange(tag: string, iova: bigint, size: bigint): number {
    const before = this.entries.length;
    this.entries = this.entries.filter((e) => !(e.tag === tag && overlaps(e, iova, size)));
    return before - this.entries.length;
  }

  /** Drops every entry of the tag (TLBI_NH_ASID, DSI). */
  invalidateTag(tag: string): void {
    this.entries = this.entries.filter((e) => e.tag !== tag);
  }

  /**
   * Drops the entries of every tag nested under `parent` (childTag), those
   * overlapping [iova, iova+size) when a range is given: SMMUv3's
   * TLBI_NH_ALL / TLBI_NH_VAA for one VMID.
   */
  invalidateChildren(parent: string, range?: { iova: bigint; size: bigint }): void {
    const prefix = `${parent} `;
    this.entries = this.entries.filter((e) => !(e.tag.startsWith(prefix) && (!range || overlaps(e, range.iova, range.size))));
  }

  /**
   * Notes that software removed [iova, iova+size) at `line` while cached
   * entries still cover it: of one tag, or (a guest's table, whose domains
   * the host does not know) of every tag. Only a hit that the tables no
   * longer back ever quotes it.
   */
  noteUnmapped(tag: string | undefined, iova: bigint, size: bigint, line: number | undefined): void {
    for (const e of this.entries) if ((tag === undefined || e.tag === tag) && overlaps(e, iova, size) && !e.unmapped) e.unmapped = { line };
  }

  /** The cached entries, oldest first (a copy). */
  list(): IotlbEntry[] {
    return this.entries.map((e) => ({ ...e }));
  }
}

/** The tag of a translation nested under `parent` (SMMUv3: "VMID 2" + "ASID 5"). */
export function childTag(parent: string, sub: string): string {
  return `${parent} ${sub}`;
}

function overlaps(e: IotlbEntry, iova: bigint, size: bigint): boolean {
  return e.iova < iova + size && iova < e.iova + e.size;
}
