// The per-fd id table (iommufd-reference §2.2-2.6): lowest free id from 1,
// reserved ids during creation, tombstones, DESTROY's ENOENT/EBUSY and the
// release sweep of close, tested on the table itself.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { KernelError } from '../../emulator/engine/errno.js';
import { IommufdObject, type ObjectType } from '../../emulator/engine/iommufd/object.js';
import { ObjectTable } from '../../emulator/engine/iommufd/object-table.js';
import { thrownErrno as errnoOf } from './thrown-errno.js';

/** An object that may hold a `users` reference on another, and logs its destruction. */
class Obj extends IommufdObject {
  constructor(
    readonly type: ObjectType,
    private readonly log: number[] = [],
    private readonly holds?: Obj,
  ) {
    super();
    if (holds) holds.users++;
  }
  destroy(): void {
    this.log.push(this.id);
    if (this.holds) this.holds.users--;
  }
}


describe('ObjectTable ids', () => {
  it('starts at 1 and always hands out the lowest free id', () => {
    const t = new ObjectTable();
    const objs = [1, 2, 3, 4].map(() => new Obj('IOAS'));
    assert.deepEqual(objs.map((o) => t.add(o)), [1, 2, 3, 4]);
    t.destroyByUser(3);
    t.destroyByUser(2);
    assert.equal(t.add(new Obj('IOAS')), 2);
    assert.equal(t.add(new Obj('IOAS')), 3);
    assert.equal(t.add(new Obj('IOAS')), 5);
  });

  it('a reserved id is invisible to lookups and DESTROY (ENOENT) but not free; abort gives it back', () => {
    const t = new ObjectTable();
    const pending = new Obj('HWPT_PAGING');
    assert.equal(t.reserve(pending), 1);
    assert.equal(t.find(1), undefined);
    assert.equal(errnoOf(() => t.get(1)), 'ENOENT');
    assert.equal(errnoOf(() => t.destroyByUser(1)), 'ENOENT');
    assert.equal(t.add(new Obj('IOAS')), 2);
    t.abort(pending);
    assert.equal(t.add(new Obj('IOAS')), 1);
    const later = new Obj('HWPT_PAGING');
    t.reserve(later);
    t.finalize(later);
    assert.equal(t.get(3), later);
  });

  it('a tombstone keeps its id taken (DESTROY ENOENT) until the release sweep drops it', () => {
    const t = new ObjectTable();
    const v = new Obj('VDEVICE');
    t.add(v);
    t.tombstone(v);
    assert.equal(errnoOf(() => t.destroyByUser(1)), 'ENOENT');
    assert.equal(t.add(new Obj('IOAS')), 2);
    assert.deepEqual(t.releaseAll(), []);
    assert.deepEqual(t.occupied(), []);
    assert.equal(t.add(new Obj('IOAS')), 1);
  });
});

describe('ObjectTable lookups and DESTROY', () => {
  it('get: ENOENT for id 0, ids past 0x7fffffff, the wrong type, and a dying object', () => {
    const t = new ObjectTable();
    const ioas = new Obj('IOAS');
    t.add(ioas);
    assert.equal(errnoOf(() => t.get(0)), 'ENOENT');
    assert.equal(errnoOf(() => t.get(0x80000001n)), 'ENOENT');
    assert.equal(errnoOf(() => t.get(1, 'HWPT_PAGING')), 'ENOENT');
    assert.equal(t.get(1, ['HWPT_PAGING', 'IOAS']), ioas);
    ioas.users = 0;
    assert.equal(errnoOf(() => t.get(1)), 'ENOENT');
  });

  it('DESTROY is EBUSY unless users is exactly 1, and leaves the object untouched', () => {
    const t = new ObjectTable();
    const log: number[] = [];
    const ioas = new Obj('IOAS', log);
    t.add(ioas);
    const hwpt = new Obj('HWPT_PAGING', log, ioas);
    t.add(hwpt);
    const r = (() => {
      try {
        t.destroyByUser(1);
      } catch (e) {
        return e as KernelError;
      }
    })();
    assert.equal(r?.errno, 'EBUSY');
    assert.match(r!.reason, /IOAS 1 has users 2/);
    assert.equal(ioas.users, 2);
    assert.equal(t.get(1), ioas);
    t.destroyByUser(2);
    assert.equal(ioas.users, 1);
    t.destroyByUser(1);
    assert.deepEqual(log, [2, 1]);
    assert.equal(errnoOf(() => t.destroyByUser(1)), 'ENOENT');
  });

  it('kernel removal drops the caller reference, and is EBUSY (reference kept) while others hold it', () => {
    const t = new ObjectTable();
    const dev = new Obj('DEVICE');
    t.add(dev);
    dev.users++; // the binding driver's reference
    const holder = new Obj('VDEVICE', [], dev);
    t.add(holder);
    assert.equal(errnoOf(() => t.removeByKernel(dev)), 'EBUSY');
    assert.equal(dev.users, 3);
    t.destroyByUser(holder.id);
    t.removeByKernel(dev);
    assert.equal(t.find(dev.id), undefined);
  });
});

describe('ObjectTable release sweep (close)', () => {
  it('destroys leaves first, in ascending id order per sweep', () => {
    const t = new ObjectTable();
    const log: number[] = [];
    const ioas = new Obj('IOAS', log); // 1
    t.add(ioas);
    const parent = new Obj('HWPT_PAGING', log, ioas); // 2, holds 1
    t.add(parent);
    const other = new Obj('IOAS', log); // 3
    t.add(other);
    const nested = new Obj('HWPT_NESTED', log, parent); // 4, holds 2
    t.add(nested);
    assert.deepEqual(t.releaseAll(), []);
    // Sweep 1: 3 and 4 are leaves; sweep 2: 2; sweep 3: 1.
    assert.deepEqual(log, [3, 4, 2, 1]);
  });

  it('stops and reports what is left when a sweep destroys nothing (a refcount bug)', () => {
    const t = new ObjectTable();
    const stuck = new Obj('ACCESS');
    t.add(stuck);
    stuck.users++;
    assert.deepEqual(t.releaseAll(), [stuck]);
  });

  it('property: after any sequence of adds and destroys, a new object gets the lowest id not in use', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constant(-1), fc.integer({ min: 1, max: 12 })), { maxLength: 60 }), (ops) => {
        const t = new ObjectTable();
        const inUse = new Set<number>();
        for (const op of ops) {
          if (op === -1) inUse.add(t.add(new Obj('IOAS')));
          else if (inUse.has(op)) {
            t.destroyByUser(op);
            inUse.delete(op);
          }
        }
        let lowest = 1;
        while (inUse.has(lowest)) lowest++;
        assert.equal(t.add(new Obj('IOAS')), lowest);
      }),
    );
  });
});
