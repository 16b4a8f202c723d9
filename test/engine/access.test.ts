// ACCESS objects (iommufd-reference §5.6): pin/unpin/rw rules, the unmap
// callback, replace, destroy, internal accesses, and pin counts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  accessCreate,
  accessDestroy,
  accessPin,
  accessReplace,
  accessRw,
  accessUnpin,
  createInternalAccess,
} from '../../emulator/engine/iommufd/access.js';
import type { Ioas } from '../../emulator/engine/iommufd/ioas.js';
import { BUF, call, errnoOf, FakeDomain, ioasAlloc, ioasSetup, map, MAX, ok, TestCtx } from './iommufd-fixture.js';
import { thrownErrno as errno } from './thrown-errno.js';

function setup(): { ctx: TestCtx; id: number; ioas: Ioas; pinned: (va: bigint) => number } {
  const s = ioasSetup();
  return { ...s, pinned: (va: bigint) => s.ctx.phys.pinned(s.ctx.process.translate(va)!) };
}

describe('accessCreate / accessDestroy', () => {
  it('takes an id, holds the IOAS, cannot be destroyed by the user, and sets PAGE_SIZE alignment when pinning', () => {
    const { ctx, id, ioas } = setup();
    assert.equal(errno(() => accessCreate(ctx, BigInt(id), 2n)), 'EOPNOTSUPP');
    assert.equal(errno(() => accessCreate(ctx, 9n, 1n)), 'ENOENT');
    const acc = accessCreate(ctx, BigInt(id), 1n);
    assert.equal(acc, 2); // the failed create freed its id
    assert.equal(ioas.users, 2);
    assert.equal(ioas.iopt.iovaAlignment, 0x1000n);
    assert.equal(errno(() => ctx.objects.destroyByUser(acc)), 'EBUSY');
    assert.equal(errnoOf(ctx, 'IOMMU_TEST_CMD', { op: 1, id, a: 0x100n, b: 0x10n }), 'ok');
    assert.match(errno(() => ctx.objects.destroyByUser(id)), /EBUSY/);
    accessDestroy(ctx, BigInt(acc));
    assert.equal(ioas.users, 1);
    assert.equal(ioas.iopt.iovaAlignment, 1n);
    assert.equal(ctx.objects.find(acc), undefined);
  });

  it('a pinning access cannot join an IOAS with unaligned areas (EADDRINUSE)', () => {
    const { ctx, id } = setup();
    map(ctx, id, BUF + 0x800n, 0x800n);
    assert.equal(errno(() => accessCreate(ctx, BigInt(id), 1n)), 'EADDRINUSE');
    assert.equal(accessCreate(ctx, BigInt(id), 0n), 2);
  });
});

describe('accessPin / accessUnpin', () => {
  it('checks flags, the kind of access, length, overflow, coverage, alignment and prot', () => {
    const { ctx, id } = setup();
    const acc = BigInt(accessCreate(ctx, BigInt(id), 1n));
    const rw = BigInt(accessCreate(ctx, BigInt(id), 0n));
    map(ctx, id, BUF, 0x4000n, 0x1000000n);
    map(ctx, id, BUF, 0x1000n, 0x2000000n, 5n); // read-only
    assert.equal(errno(() => accessPin(ctx, acc, 0x1000000n, 0x1000n, 2n)), 'EOPNOTSUPP');
    assert.equal(errno(() => accessPin(ctx, rw, 0x1000000n, 0x1000n, 0n)), 'EOPNOTSUPP');
    assert.equal(errno(() => accessPin(ctx, 99n, 0x1000000n, 0x1000n, 0n)), 'ENOENT');
    assert.equal(errno(() => accessPin(ctx, acc, 0x1000000n, 0n, 0n)), 'EINVAL');
    assert.equal(errno(() => accessPin(ctx, acc, MAX, 2n, 0n)), 'EOVERFLOW');
    assert.equal(errno(() => accessPin(ctx, acc, 0x1003000n, 0x2000n, 0n)), 'ENOENT');
    assert.equal(errno(() => accessPin(ctx, acc, 0x1000800n, 0x800n, 0n)), 'EINVAL');
    assert.equal(errno(() => accessPin(ctx, acc, 0x2000000n, 0x1000n, 1n)), 'EPERM');
    accessPin(ctx, acc, 0x2000000n, 0x1000n, 0n);
    assert.equal(errno(() => accessUnpin(ctx, acc, 0x2000000n, 0x800n)), 'ENOENT');
    accessUnpin(ctx, acc, 0x2000000n, 0x1000n);
  });

  it('a failed pin leaves nothing pinned (EFAULT on memory that is not there)', () => {
    const { ctx, id, ioas, pinned } = setup();
    const acc = BigInt(accessCreate(ctx, BigInt(id), 1n));
    map(ctx, id, BUF + 0xf000n, 0x2000n, 0x1000000n); // the second page is past the region
    assert.equal(errno(() => accessPin(ctx, acc, 0x1000000n, 0x2000n, 0n)), 'EFAULT');
    assert.equal(pinned(BUF + 0xf000n), 0);
    assert.equal(ioas.iopt.areas.all()[0]!.numAccesses, 0);
    accessPin(ctx, acc, 0x1000000n, 0x1000n, 0n);
    assert.equal(pinned(BUF + 0xf000n), 1);
  });

  it('identical ranges share one pin; a domain adds nothing to pages an access pins (selftest access_pin)', () => {
    const { ctx, id, ioas, pinned } = setup();
    const acc = BigInt(accessCreate(ctx, BigInt(id), 1n));
    map(ctx, id, BUF, 0x10000n, 0x1000000n);
    accessPin(ctx, acc, 0x1000000n, 0x3000n, 0n);
    accessPin(ctx, acc, 0x1000000n, 0x3000n, 0n);
    assert.equal(pinned(BUF + 0x2000n), 1);
    assert.equal(pinned(BUF + 0x3000n), 0);
    const d = new FakeDomain();
    ioas.iopt.addDomain(d, {});
    assert.equal(pinned(BUF + 0x2000n), 1);
    assert.equal(d.iovaToPhys(0x100f800n), ctx.process.translate(BUF + 0xf800n));
    ioas.iopt.removeDomain(d);
    accessUnpin(ctx, acc, 0x1000000n, 0x3000n);
    assert.equal(pinned(BUF), 1);
    accessUnpin(ctx, acc, 0x1000000n, 0x3000n);
    assert.equal(pinned(BUF), 0);
    assert.equal(ok(ctx, 'IOMMU_IOAS_UNMAP', { ioas_id: id, iova: 0x1000000n, length: 0x10000n }).get('length'), 0x10000n);
  });

  it('IOAS_UNMAP calls the unmap callback, which unpins, then the area goes (selftest access_pin_unmap)', () => {
    const { ctx, id, ioas, pinned } = setup();
    const acc = BigInt(accessCreate(ctx, BigInt(id), 1n));
    map(ctx, id, BUF, 0x2000n, 0x1000000n);
    map(ctx, id, BUF + 0x2000n, 0x2000n, 0x1002000n);
    accessPin(ctx, acc, 0x1001000n, 0x2000n, 0n); // spans both areas
    assert.equal(ok(ctx, 'IOMMU_IOAS_UNMAP', { ioas_id: id, iova: 0x1000000n, length: 0x2000n }).get('length'), 0x2000n);
    assert.equal(pinned(BUF + 0x2000n), 0);
    assert.equal(ioas.iopt.areas.all()[0]!.numAccesses, 0);
    assert.equal(errno(() => accessUnpin(ctx, acc, 0x1001000n, 0x2000n)), 'ENOENT');
  });

  it('pins of an internal access make UNMAP fail with EBUSY', () => {
    const { ctx, id, ioas } = setup();
    map(ctx, id, BUF, 0x1000n, 0x1000000n);
    map(ctx, id, BUF + 0x1000n, 0x1000n, 0x1001000n);
    const q = createInternalAccess(ctx, ioas);
    q.pin(0x1000000n, 0x1000n, false);
    q.pin(0x1000000n, 0x1000n, false);
    assert.equal(ioas.users, 2);
    assert.equal(errnoOf(ctx, 'IOMMU_IOAS_UNMAP', { ioas_id: id, iova: 0x1000000n, length: 0x1000n }), 'EBUSY');
    ok(ctx, 'IOMMU_IOAS_UNMAP', { ioas_id: id, iova: 0x1001000n, length: 0x1000n });
    accessDestroy(ctx, BigInt(q.id));
    assert.equal(ioas.users, 1);
    ok(ctx, 'IOMMU_IOAS_UNMAP', { ioas_id: id, iova: 0x1000000n, length: 0x1000n });
  });
});

describe('accessRw', () => {
  it('reads and writes byte-granular across pages without pinning, checks prot and coverage', () => {
    const { ctx, id, pinned } = setup();
    const acc = BigInt(accessCreate(ctx, BigInt(id), 0n));
    map(ctx, id, BUF, 0x10000n, 0x1000000n);
    map(ctx, id, BUF, 0x1000n, 0x2000000n, 5n);
    ctx.process.write(BUF + 0xffen, new Uint8Array([1, 2, 3, 4]));
    assert.deepEqual([...accessRw(ctx, acc, 0x1000ffen, 4n, 0n)], [1, 2, 3, 4]);
    accessRw(ctx, acc, 0x1000fffn, 2n, 1n, new Uint8Array([0xaa, 0xbb]));
    assert.deepEqual([...ctx.process.read(BUF + 0xffen, 4)], [1, 0xaa, 0xbb, 4]);
    assert.equal(pinned(BUF), 0);
    assert.equal(errno(() => accessRw(ctx, acc, 0x1000000n, 1n, 2n)), 'EOPNOTSUPP');
    assert.equal(errno(() => accessRw(ctx, acc, 0x1000000n, 0n, 0n)), 'EINVAL');
    assert.equal(errno(() => accessRw(ctx, acc, MAX, 2n, 0n)), 'EOVERFLOW');
    assert.equal(errno(() => accessRw(ctx, acc, 0x2000000n, 1n, 1n)), 'EPERM');
    // Not atomic: the covered prefix is written before ENOENT.
    assert.equal(errno(() => accessRw(ctx, acc, 0x100ffffn, 2n, 1n, new Uint8Array([7, 7]))), 'ENOENT');
    assert.equal(ctx.process.read(BUF + 0xffffn, 1)[0], 7);
  });
});

describe('accessReplace', () => {
  it('moves the access, unpinning everything from the old IOAS first', () => {
    const { ctx, id, ioas, pinned } = setup();
    const id2 = ioasAlloc(ctx);
    const acc = BigInt(accessCreate(ctx, BigInt(id), 1n));
    map(ctx, id, BUF, 0x1000n, 0x1000000n);
    accessPin(ctx, acc, 0x1000000n, 0x1000n, 0n);
    assert.equal(errno(() => accessReplace(ctx, acc, 99n)), 'ENOENT');
    accessReplace(ctx, acc, BigInt(id2));
    assert.equal(pinned(BUF), 0);
    assert.equal(ioas.users, 1);
    assert.equal(ctx.objects.get(id2).users, 2);
    assert.equal(errno(() => accessPin(ctx, acc, 0x1000000n, 0x1000n, 0n)), 'ENOENT');
    assert.equal(call(ctx, 'IOMMU_IOAS_UNMAP', { ioas_id: id, iova: 0n, length: MAX }).out.get('length'), 0x1000n);
  });
});
