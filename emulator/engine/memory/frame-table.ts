// Host frames by page frame number, as a two-level table: a small Map of
// 2 MiB groups, each an array of its 512 frames. Host memory is handed out
// by a bump allocator, so the frames a trace touches crowd into few groups.
// Every DMA, descriptor load and descriptor store looks its frame up here:
// with one Map entry per frame, a guest that cycles through thousands of
// pages made each lookup a walk through a hash table far larger than the
// CPU cache; the group Map stays small (and cached), and a group's array is
// one indexed load.

/** Frames per group (2 MiB of host memory). */
const GROUP_SHIFT = 9;
const GROUP_SIZE = 1 << GROUP_SHIFT;
const GROUP_MASK = GROUP_SIZE - 1;

export class FrameTable<F> {
  /** Groups by pfn >> GROUP_SHIFT; a group's absent frames are `undefined` (kept dense, never holes). */
  private readonly groups = new Map<number, (F | undefined)[]>();
  private count = 0;

  /** How many frames are present. */
  get size(): number {
    return this.count;
  }

  get(pfn: number): F | undefined {
    // pfn is below 2^28 (host addresses are below 2^40): `>>` and `&` are exact.
    return this.groups.get(pfn >> GROUP_SHIFT)?.[pfn & GROUP_MASK];
  }

  set(pfn: number, frame: F): void {
    const key = pfn >> GROUP_SHIFT;
    let group = this.groups.get(key);
    if (group === undefined) this.groups.set(key, (group = new Array<F | undefined>(GROUP_SIZE).fill(undefined)));
    if (group[pfn & GROUP_MASK] === undefined) this.count++;
    group[pfn & GROUP_MASK] = frame;
  }

  /** Removes the frame at `pfn` (an empty group stays: freed tables are reused, so their group fills again). */
  delete(pfn: number): void {
    const group = this.groups.get(pfn >> GROUP_SHIFT);
    if (group === undefined || group[pfn & GROUP_MASK] === undefined) return;
    group[pfn & GROUP_MASK] = undefined;
    this.count--;
  }

  /** Every present frame, by group in creation order and by pfn within a group. */
  *values(): IterableIterator<F> {
    for (const group of this.groups.values()) for (const f of group) if (f !== undefined) yield f;
  }
}
