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

/**
 * Items per block before it splits (at twice this): small enough to splice
 * cheaply (an insert or remove moves up to 2*BLOCK items, and that move is
 * what an unmap or map paid most for at 512), large enough that a million
 * intervals make a few thousand blocks.
 */
const BLOCK = 64;

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
    let b = firstBlockStartingAfter(this.blocks, item.start) - 1;
    if (b < 0) b = 0;
    const block = this.blocks[b]!;
    // Equal starts keep insertion order: the new item goes after them.
    const i = firstStartingAfter(block, item.start);
    const prev = i > 0 ? block[i - 1] : this.blocks[b - 1]?.at(-1);
    const next = i < block.length ? block[i] : this.blocks[b + 1]?.[0];
    if ((prev && prev.last >= item.start) || (next && item.last >= next.start)) this.overlapping = true;
    insertAt(block, i, item);
    this.count++;
    if (block.length > 2 * BLOCK) this.blocks.splice(b, 1, block.slice(0, BLOCK), block.slice(BLOCK));
  }

  remove(item: T): void {
    for (let b = this.overlapping ? 0 : this.blockOf(item.start); b < this.blocks.length; b++) {
      const block = this.blocks[b]!;
      // Items before the first one starting at item.start cannot be it (disjoint lists are sorted by start).
      const i = block.indexOf(item, this.overlapping ? 0 : firstStartingFrom(block, item.start));
      if (i < 0) {
        if (!this.overlapping) return;
        continue;
      }
      removeAt(block, i);
      this.count--;
      if (block.length === 0) this.blocks.splice(b, 1);
      return;
    }
  }

  /** The intervals that intersect [start, last], ascending by start. */
  intersecting(start: bigint, last: bigint): T[] {
    const out: T[] = [];
    for (let b = this.startBlock(start), i = this.startIndex(b, start); b < this.blocks.length; b++, i = 0) {
      const block = this.blocks[b]!;
      for (; i < block.length; i++) {
        const it = block[i]!;
        if (it.start > last) return out;
        if (it.last >= start) out.push(it);
      }
    }
    return out;
  }

  /**
   * The lowest interval intersecting [start, last] (interval_tree_iter_first).
   * Every map, unmap and IOVA check asks this, so it is a plain loop.
   */
  first(start: bigint, last: bigint): T | undefined {
    for (let b = this.startBlock(start), i = this.startIndex(b, start); b < this.blocks.length; b++, i = 0) {
      const block = this.blocks[b]!;
      for (; i < block.length; i++) {
        const it = block[i]!;
        if (it.start > last) return undefined;
        if (it.last >= start) return it;
      }
    }
    return undefined;
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
   * Where a walk of the intervals meeting [start, ...] begins: disjoint
   * lists at the first interval ending at or after `start` (found by binary
   * search); overlapping ones scan from the beginning.
   */
  private startBlock(start: bigint): number {
    return this.overlapping ? 0 : this.blockOf(start);
  }

  private startIndex(b: number, start: bigint): number {
    return this.overlapping || b >= this.blocks.length ? 0 : firstEndingFrom(this.blocks[b]!, start);
  }

  /** Disjoint lists: the first block whose last interval ends at or after `at`. */
  private blockOf(at: bigint): number {
    const blocks = this.blocks;
    let lo = 0;
    let hi = blocks.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const block = blocks[mid]!;
      if (block[block.length - 1]!.last >= at) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}

// A block's own insert and remove: `splice` allocates the array of removed
// items it returns, on every map and unmap; these move the items in place.

function insertAt<T>(block: T[], i: number, item: T): void {
  block.push(item);
  for (let j = block.length - 1; j > i; j--) block[j] = block[j - 1]!;
  block[i] = item;
}

function removeAt<T>(block: T[], i: number): void {
  // The first item (an UNMAP of the oldest buffer of a ring): V8 trims an
  // array's front in place, where the loop would move the whole block.
  if (i === 0) {
    block.shift();
    return;
  }
  for (let j = i; j < block.length - 1; j++) block[j] = block[j + 1]!;
  block.pop();
}

// Binary searches over sorted intervals, each written out rather than with a
// predicate callback: they run several times per map and unmap.

/** The first item in `items` whose last is >= `at` (items.length if none). */
function firstEndingFrom(items: readonly Interval[], at: bigint): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (items[mid]!.last >= at) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** The first item in `items` whose start is >= `at` (items.length if none). */
function firstStartingFrom(items: readonly Interval[], at: bigint): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (items[mid]!.start >= at) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** The first item in `items` whose start is > `at` (items.length if none). */
function firstStartingAfter(items: readonly Interval[], at: bigint): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (items[mid]!.start > at) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** The first block whose first item starts after `at` (blocks.length if none). */
function firstBlockStartingAfter(blocks: readonly (readonly Interval[])[], at: bigint): number {
  let lo = 0;
  let hi = blocks.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (blocks[mid]![0]!.start > at) hi = mid;
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
