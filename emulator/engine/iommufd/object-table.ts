// The per-fd id table (the xarray of struct iommufd_ctx): ids 1..0x7fffffff,
// always the lowest free one, reserved while an object is being created and
// possibly left as tombstones (iommufd-reference §2.3-2.6).
import { fail } from '../errno.js';
import type { FaultInjector } from '../fault-injection.js';
import type { IommufdObject, ObjectType } from './object.js';

export const MAX_OBJECT_ID = 0x7fffffff;

type Slot = { state: 'reserved' } | { state: 'tombstone' } | { state: 'live'; obj: IommufdObject } | { state: 'free' };

/**
 * A released id keeps its key in `slots`, marked free, rather than being
 * deleted: V8's Map chains a re-added key behind its deleted entries until
 * the next rehash, so deleting and re-adding the same id (the lowest free id
 * is reused: every attach/detach of an auto domain does it) cost time in
 * proportion to the table's size, 0.5 ms a cycle with a million objects.
 */
const FREE: Slot = Object.freeze({ state: 'free' });

export class ObjectTable {
  private readonly slots = new Map<number, Slot>();
  /**
   * The live objects of each type, so that a lookup the kernel makes on a
   * short list (ioas->hwpt_list, the devices of a group) does not scan a
   * table that may hold a million objects.
   */
  private readonly byType = new Map<ObjectType, Set<IommufdObject>>();
  /** Freed ids below `next`, kept sorted so the lowest is reused first. */
  private free: number[] = [];
  private next = 1;

  /** `faults`: the machine's fail_nth hook (object allocation can fail). */
  constructor(private readonly faults?: FaultInjector) {}

  /** Reserves the lowest free id for `obj` (not yet visible to lookups). */
  reserve(obj: IommufdObject): number {
    // The kernel's kzalloc of the object comes before its xa_alloc of the id.
    this.faults?.check('object allocation');
    let id: number;
    if (this.free.length > 0) id = this.free.shift()!;
    else {
      if (this.next > MAX_OBJECT_ID) fail('ENOSPC', 'the id table is full');
      id = this.next++;
    }
    this.slots.set(id, { state: 'reserved' });
    obj.id = id;
    return id;
  }

  /** Makes a reserved object visible (iommufd_object_finalize). */
  finalize(obj: IommufdObject): void {
    this.slots.set(obj.id, { state: 'live', obj });
    let set = this.byType.get(obj.type);
    if (!set) this.byType.set(obj.type, (set = new Set()));
    set.add(obj);
  }

  /** Releases the id of an object whose creation failed (iommufd_object_abort). */
  abort(obj: IommufdObject): void {
    this.release(obj.id);
  }

  /** iommufd_object_abort_and_destroy: the id goes back and the object drops what it holds. */
  abortAndDestroy(obj: IommufdObject): void {
    this.abort(obj);
    obj.destroy();
  }

  /** Reserves and finalizes at once, for objects whose creation cannot fail after the id. */
  add(obj: IommufdObject): number {
    this.reserve(obj);
    this.finalize(obj);
    return obj.id;
  }

  /**
   * iommufd_get_object: the live object `id`, of `type` when given. Empty,
   * reserved or tombstone slots, the wrong type and dying objects are ENOENT.
   */
  get<T extends IommufdObject = IommufdObject>(id: number | bigint, type?: ObjectType | ObjectType[]): T {
    const obj = this.find(id);
    if (!obj) fail('ENOENT', `no object with id ${id}`);
    // One wanted type is compared directly: every IOAS ioctl asks, and a list made for it would be garbage.
    if (type !== undefined && obj.type !== type) {
      const types = Array.isArray(type) ? type : [type];
      if (!types.includes(obj.type)) fail('ENOENT', `object ${id} is a ${obj.type}, not a ${types.join(' or ')}`);
    }
    return obj as T;
  }

  /** The live object `id`, or undefined (no errno): for queries. */
  find(id: number | bigint): IommufdObject | undefined {
    const n = Number(id);
    if (!Number.isInteger(n) || n < 1 || n > MAX_OBJECT_ID) return undefined;
    const slot = this.slots.get(n);
    if (!slot || slot.state !== 'live' || slot.obj.users === 0) return undefined;
    return slot.obj;
  }

  /** IOMMU_DESTROY (iommufd-reference §2.4). */
  destroyByUser(id: number | bigint): void {
    const n = Number(id);
    const slot = Number.isInteger(n) ? this.slots.get(n) : undefined;
    if (!slot || slot.state !== 'live') fail('ENOENT', `no object with id ${id}`);
    const obj = slot.obj;
    if (obj.users !== 1) fail('EBUSY', `${obj.type} ${n} has users ${obj.users}: ${describeUsers(obj)}`);
    this.release(n);
    obj.users = 0;
    obj.waitCnt = 0;
    obj.destroy();
  }

  /**
   * Kernel-initiated removal (iommufd_object_remove with REMOVE_WAIT): the
   * caller's own reference is dropped, the pre-destroy hook runs, and the
   * object is destroyed. Fails with EBUSY if other users remain.
   */
  removeByKernel(obj: IommufdObject, callerHoldsUser = true): void {
    if (callerHoldsUser) obj.users--;
    obj.preDestroy();
    if (obj.users !== 1) {
      if (callerHoldsUser) obj.users++;
      fail('EBUSY', `${obj.type} ${obj.id} still has users ${obj.users}`);
    }
    this.release(obj.id);
    obj.users = 0;
    obj.waitCnt = 0;
    obj.destroy();
  }

  /**
   * Destroys an object the kernel owns alone (an auto HWPT whose last device
   * left): no errno, the id is freed.
   */
  destroyInternal(obj: IommufdObject): void {
    this.release(obj.id);
    obj.users = 0;
    obj.waitCnt = 0;
    obj.destroy();
  }

  /** Replaces a live object by a tombstone: the id stays taken until close. */
  tombstone(obj: IommufdObject): void {
    this.unlist(obj.id);
    this.slots.set(obj.id, { state: 'tombstone' });
  }

  /** Live objects in ascending id order. */
  live(): IommufdObject[] {
    return [...this.slots.entries()]
      .filter(([, s]) => s.state === 'live')
      .sort(([a], [b]) => a - b)
      .map(([, s]) => (s as { obj: IommufdObject }).obj);
  }

  /** Live objects of `type` in ascending id order: as live() filtered by type, without scanning the table. */
  liveOfType(type: ObjectType): IommufdObject[] {
    return [...(this.byType.get(type) ?? [])].sort((a, b) => a.id - b.id);
  }

  /** Every occupied id (live, reserved or tombstone), ascending. */
  occupied(): { id: number; state: Exclude<Slot['state'], 'free'> }[] {
    const taken: { id: number; state: Exclude<Slot['state'], 'free'> }[] = [];
    for (const [id, s] of this.slots) if (s.state !== 'free') taken.push({ id, state: s.state });
    return taken.sort((a, b) => a.id - b.id);
  }

  /**
   * The release sweep of close (iommufd-reference §2.6): repeatedly destroy,
   * in ascending id order, every object whose users is exactly 1; drop
   * tombstones. Returns the objects left if a sweep made no progress.
   */
  releaseAll(): IommufdObject[] {
    for (;;) {
      const live = this.live();
      if (live.length === 0) break;
      let progressed = false;
      for (const obj of live) {
        if (obj.users !== 1 || this.find(obj.id) !== obj) continue;
        this.destroyInternal(obj);
        progressed = true;
      }
      if (!progressed) return this.live();
    }
    for (const { id, state } of this.occupied()) if (state === 'tombstone') this.release(id);
    return [];
  }

  /** Drops a live slot's object from its type's list. */
  private unlist(id: number): void {
    const slot = this.slots.get(id);
    if (slot?.state === 'live') this.byType.get(slot.obj.type)?.delete(slot.obj);
  }

  private release(id: number): void {
    this.unlist(id);
    this.slots.set(id, FREE);
    if (id === this.next - 1) {
      this.next--;
      // Trailing free ids collapse into `next` so `free` stays small.
      while (this.free.length > 0 && this.free[this.free.length - 1] === this.next - 1) {
        this.free.pop();
        this.next--;
      }
    } else {
      const i = lowerBound(this.free, id);
      this.free.splice(i, 0, id);
    }
  }
}

function lowerBound(a: number[], v: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function describeUsers(obj: IommufdObject): string {
  const holders = (obj as { describeHolders?: () => string }).describeHolders?.();
  return holders ?? 'other objects or attachments refer to it';
}
