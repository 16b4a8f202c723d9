// Sorted lists of inclusive [start, last] intervals: the interval trees of an
// io_pagetable (areas, reserved and allowed ranges). Lists are short, so a
// sorted array keeps every walk in address order with no hidden state.

export interface Interval {
  start: bigint;
  last: bigint;
}

export function intersects(a: Interval, start: bigint, last: bigint): boolean {
  return a.start <= last && start <= a.last;
}

export class IntervalList<T extends Interval> {
  private items: T[] = [];

  get size(): number {
    return this.items.length;
  }

  /** Every interval, ascending by start. */
  all(): readonly T[] {
    return this.items;
  }

  insert(item: T): void {
    let i = this.items.length;
    while (i > 0 && this.items[i - 1]!.start > item.start) i--;
    this.items.splice(i, 0, item);
  }

  remove(item: T): void {
    const i = this.items.indexOf(item);
    if (i >= 0) this.items.splice(i, 1);
  }

  /** The intervals that intersect [start, last], ascending by start. */
  intersecting(start: bigint, last: bigint): T[] {
    const out: T[] = [];
    for (const it of this.items) {
      if (it.start > last) break;
      if (it.last >= start) out.push(it);
    }
    return out;
  }

  /** The lowest interval intersecting [start, last] (interval_tree_iter_first). */
  first(start: bigint, last: bigint): T | undefined {
    for (const it of this.items) {
      if (it.start > last) return undefined;
      if (it.last >= start) return it;
    }
    return undefined;
  }

  /** Replaces the whole content (ALLOW_IOVAS swaps trees). */
  replace(items: T[]): T[] {
    const old = this.items;
    this.items = [...items].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
    return old;
  }
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
