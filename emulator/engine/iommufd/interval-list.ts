// Sorted lists of inclusive [start, last] intervals: the interval trees of an
// io_pagetable (areas, reserved and allowed ranges). Every walk is in address
// order with no hidden state. An IOAS can hold a million areas, so the list
// is kept in blocks of bounded size (a one-level B-tree): a lookup is two
// binary searches and an insert or remove moves at most one block, instead of
// a scan and a splice of the whole list. Areas never overlap, so their `last`
// ascends with their `start` and a lookup can binary-search on it; a list
// that does hold overlapping intervals (reservations of several owners) is
// short and is scanned.

export interface Interval {
  start: bigint;
  last: bigint;
}

export function intersects(a: Interval, start: bigint, last: bigint): boolean {
  return a.start <= last && start <= a.last;
}

/** Items per block before it splits: small enough to splice cheaply, large enough to keep few blocks. */
const BLOCK = 512;

export class IntervalList<T extends Interval> {
  private blocks: T[][] = [];
  private count = 0;
  /** Whether some two intervals overlap: then `last` is not sorted and lookups scan. */
  private overlapping = false;

  get size(): number {
    return this.count;
  }

  /** Every interval, ascending by start (a fresh array). */
  all(): readonly T[] {
    return this.blocks.flat();
  }

  insert(item: T): void {
    if (this.blocks.length === 0) {
      this.blocks.push([item]);
      this.count = 1;
      return;
    }
    // The block to hold it: the last one whose first start is <= item.start (or the first block).
    let b = lowerBound(this.blocks.length, (i) => this.blocks[i]![0]!.start > item.start) - 1;
    if (b < 0) b = 0;
    const block = this.blocks[b]!;
    // Equal starts keep insertion order: the new item goes after them.
    const i = lowerBound(block.length, (j) => block[j]!.start > item.start);
    const prev = i > 0 ? block[i - 1] : this.blocks[b - 1]?.at(-1);
    const next = i < block.length ? block[i] : this.blocks[b + 1]?.[0];
    if ((prev && prev.last >= item.start) || (next && item.last >= next.start)) this.overlapping = true;
    block.splice(i, 0, item);
    this.count++;
    if (block.length > 2 * BLOCK) this.blocks.splice(b, 1, block.slice(0, BLOCK), block.slice(BLOCK));
  }

  remove(item: T): void {
    for (let b = this.overlapping ? 0 : this.blockOf(item.start); b < this.blocks.length; b++) {
      const block = this.blocks[b]!;
      const i = block.indexOf(item, this.overlapping ? 0 : lowerBound(block.length, (j) => block[j]!.start >= item.start));
      if (i < 0) {
        if (!this.overlapping) return;
        continue;
      }
      block.splice(i, 1);
      this.count--;
      if (block.length === 0) this.blocks.splice(b, 1);
      return;
    }
  }

  /** The intervals that intersect [start, last], ascending by start. */
  intersecting(start: bigint, last: bigint): T[] {
    const out: T[] = [];
    this.each(start, last, (it) => {
      out.push(it);
      return false;
    });
    return out;
  }

  /** The lowest interval intersecting [start, last] (interval_tree_iter_first). */
  first(start: bigint, last: bigint): T | undefined {
    let found: T | undefined;
    this.each(start, last, (it) => {
      found = it;
      return true;
    });
    return found;
  }

  /** Replaces the whole content (ALLOW_IOVAS swaps trees). */
  replace(items: T[]): T[] {
    const old = this.all().slice();
    const sorted = [...items].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
    this.blocks = [];
    for (let i = 0; i < sorted.length; i += BLOCK) this.blocks.push(sorted.slice(i, i + BLOCK));
    this.count = sorted.length;
    this.overlapping = sorted.some((it, i) => i > 0 && sorted[i - 1]!.last >= it.start);
    return old;
  }

  /**
   * Calls `visit` on each interval intersecting [start, last], ascending,
   * until it returns true. Disjoint lists start at the first interval ending
   * at or after `start` (found by binary search); overlapping ones scan.
   */
  private each(start: bigint, last: bigint, visit: (it: T) => boolean): void {
    let b = this.overlapping ? 0 : this.blockOf(start);
    let i = 0;
    if (!this.overlapping && b < this.blocks.length) {
      const block = this.blocks[b]!;
      i = lowerBound(block.length, (j) => block[j]!.last >= start);
    }
    for (; b < this.blocks.length; b++, i = 0) {
      const block = this.blocks[b]!;
      for (; i < block.length; i++) {
        const it = block[i]!;
        if (it.start > last) return;
        if (it.last >= start && visit(it)) return;
      }
    }
  }

  /** Disjoint lists: the first block whose last interval ends at or after `at`. */
  private blockOf(at: bigint): number {
    return lowerBound(this.blocks.length, (b) => this.blocks[b]!.at(-1)!.last >= at);
  }
}

/** The first index in [0, n) where the monotone `pred` holds (n if none). */
function lowerBound(n: number, pred: (i: number) => boolean): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (pred(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * The holes of the union of `lists` inside [start, last], ascending
 * (interval_tree_for_each_span / _double_span, keeping only the holes).
 */
export function holes(start: bigint, last: bigint, ...lists: IntervalList<Interval>[]): Interval[] {
  return gaps(start, last, lists.flatMap((l) => l.intersecting(start, last)));
}

/** [start, last] minus the union of `cover` (in any order), ascending. */
export function gaps(start: bigint, last: bigint, cover: readonly Interval[]): Interval[] {
  const used = cover.filter((c) => intersects(c, start, last));
  used.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const out: Interval[] = [];
  let cur = start;
  for (const u of used) {
    if (u.start > cur) out.push({ start: cur, last: u.start - 1n });
    if (u.last >= last) return out;
    if (u.last + 1n > cur) cur = u.last + 1n;
  }
  out.push({ start: cur, last });
  return out;
}
