// IOMMU_FAULT_QUEUE_ALLOC and the fault fd (iommufd-reference §3.16, §6.6):
// page requests routed to the attached HWPT's queue, read() with cookies,
// write() of responses, auto-responses on detach and destroy, and the
// references the fd holds.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { attachOk, bind, createMachine, destroy, detach, errnoOf, hwptAllocOk, ioasAlloc, ioctl, mapFixed } from '../engine/machine-harness.js';
import { FAULT_ID_VALID, faultAlloc, nestedData, triggerIopf, vdeviceAllocOk, viommuFixture } from './nesting-harness.js';

/** A device attached to a paging HWPT with a fault queue (PASID-capable, so PASIDs can attach too). */
function faulting(opts: { pri?: boolean } = {}) {
  const m = createMachine();
  m.declareDevice('m0', { pri: opts.pri, pasidBits: 20 });
  const ioas = ioasAlloc(m);
  const dev = bind(m, 'm0');
  const fq = faultAlloc(m);
  const hwpt = hwptAllocOk(m, dev, ioas, { flags: FAULT_ID_VALID | 8, fault_id: fq.id });
  attachOk(m, 'm0', hwpt);
  const read = (count = 400) => m.faultRead('iommufd', BigInt(fq.id), count);
  const respond = (cookie: number, code = 0n) => errnoOf(() => m.faultRespond('iommufd', BigInt(fq.id), [{ cookie: BigInt(cookie), code }]));
  return { m, ioas, dev, fq, hwpt, read, respond };
}

describe('FAULT_QUEUE_ALLOC', () => {
  it('refuses flags; gives the object id and the lowest free fd; the fd holds the object', () => {
    const m = createMachine();
    assert.equal(errnoOf(ioctl(m, 'IOMMU_FAULT_QUEUE_ALLOC', { flags: 1 })), 'EOPNOTSUPP');
    const a = faultAlloc(m);
    const b = faultAlloc(m);
    assert.deepEqual([a, b], [{ id: 1, fdNo: 4 }, { id: 2, fdNo: 5 }]);
    assert.equal(m.users('iommufd', 1n), 2);
    assert.equal(destroy(m, 1), 'EBUSY');
    m.faultClose('iommufd', 1n);
    assert.equal(destroy(m, 1), 'ok');
    assert.equal(faultAlloc(m).fdNo, 4, 'fd 4 was freed by the close');
  });

  it('a HWPT using it keeps it busy after its fd is closed', () => {
    const { m, fq, hwpt } = faulting();
    m.faultClose('iommufd', BigInt(fq.id));
    assert.equal(destroy(m, fq.id), 'EBUSY');
    detach(m, 'm0');
    assert.equal(destroy(m, hwpt), 'ok');
    assert.equal(destroy(m, fq.id), 'ok');
  });
});

describe('page requests', () => {
  it('TRIGGER_IOPF queues a LAST_PAGE group; read() gives every field and the first cookie', () => {
    const { m, dev, read } = faulting();
    assert.equal(errnoOf(triggerIopf(m, dev, 0, 5, 1, 0x1234n)), 'ok');
    assert.deepEqual(read(), [{ flags: 2, devId: dev, pasid: 0, grpid: 5, perm: 1, addr: 0x1234n, length: 0, cookie: 1 }]);
    assert.deepEqual(read(), [], 'an empty queue reads nothing');
  });

  it('a PASID request goes to the HWPT at that PASID; with none there, only a nested HWPT at the RID takes it', () => {
    const { m, dev, read } = faulting();
    assert.equal(errnoOf(triggerIopf(m, dev, 7, 1, 1, 0n)), 'ok', 'dropped: the RID has a paging HWPT');
    assert.deepEqual(read(), []);
    const f = viommuFixture();
    const fq = faultAlloc(f.m);
    const n = hwptAllocOk(f.m, f.dev, f.viommu, { ...nestedData(f.m), flags: FAULT_ID_VALID, fault_id: fq.id });
    vdeviceAllocOk(f.m, f.viommu, f.dev, 1);
    attachOk(f.m, 'm0', n);
    triggerIopf(f.m, f.dev, 7, 1, 3, 0x5000n);
    assert.deepEqual(f.m.faultRead('iommufd', BigInt(fq.id), 40).map((x) => [x.flags, x.pasid]), [[3, 7]]);
  });

  it('read() needs a multiple of 40 (ESPIPE) and delivers only whole groups that fit', () => {
    const { m, dev, read } = faulting();
    triggerIopf(m, dev, 0, 1, 1, 0n);
    triggerIopf(m, dev, 0, 2, 1, 0n);
    assert.equal(errnoOf(() => read(41)), 'ESPIPE');
    assert.deepEqual(read(0), []);
    assert.deepEqual(read(40).map((f) => f.cookie), [1]);
    assert.deepEqual(read(80).map((f) => f.cookie), [2]);
  });

  it('write() answers a cookie once; unknown cookies and codes other than SUCCESS/INVALID are EINVAL', () => {
    const { m, dev, read, respond, fq } = faulting();
    triggerIopf(m, dev, 0, 1, 1, 0n);
    triggerIopf(m, dev, 0, 2, 1, 0n);
    read();
    assert.equal(respond(1, 2n), 'EINVAL', 'FAILURE is no longer a uAPI code');
    assert.equal(respond(3), 'EINVAL');
    assert.equal(respond(1, 1n), 'ok');
    assert.equal(respond(1), 'EINVAL', 'already answered');
    // Stops at the first bad response but reports what it consumed.
    assert.equal(m.faultRespond('iommufd', BigInt(fq.id), [{ cookie: 2n, code: 0n }, { cookie: 9n, code: 0n }]), 8);
    // Cookies are reused lowest first.
    triggerIopf(m, dev, 0, 3, 1, 0n);
    assert.deepEqual(read().map((f) => f.cookie), [1]);
  });

  it('detaching the attachment answers its groups INVALID, read or not; destroying the queue drops the rest', () => {
    const { m, dev, read, respond, hwpt, fq } = faulting();
    triggerIopf(m, dev, 0, 1, 1, 0n);
    triggerIopf(m, dev, 0, 2, 1, 0n);
    read(40);
    detach(m, 'm0');
    assert.equal(respond(1), 'EINVAL');
    assert.deepEqual(read(), []);
    attachOk(m, 'm0', hwpt);
    triggerIopf(m, dev, 0, 3, 1, 0n);
    m.faultClose('iommufd', BigInt(fq.id));
    assert.equal(errnoOf(() => read()), 'EBADF');
  });

  it('replace answers the old attachment\'s groups only where the new HWPT\'s queue has them (the kernel\'s quirk)', () => {
    const { m, ioas, dev, fq, hwpt, read, respond } = faulting();
    const same = hwptAllocOk(m, dev, ioas, { flags: FAULT_ID_VALID | 8, fault_id: fq.id });
    const fq2 = faultAlloc(m);
    const other = hwptAllocOk(m, dev, ioas, { flags: FAULT_ID_VALID | 8, fault_id: fq2.id });
    triggerIopf(m, dev, 0, 1, 1, 0n);
    read();
    attachOk(m, 'm0', other);
    assert.equal(respond(1), 'ok', 'the group sits in fq, which the new HWPT does not use: not answered');
    attachOk(m, 'm0', hwpt);
    triggerIopf(m, dev, 0, 2, 1, 0n);
    read();
    attachOk(m, 'm0', same);
    assert.equal(respond(1), 'EINVAL', 'both HWPTs use fq: answered INVALID');
  });

  it('DMA of a pri device that faults raises a page request for its 4 KiB page; a plain device only records it', () => {
    const { m, ioas, read } = faulting({ pri: true });
    const buf = m.declareMemory('buf', 0x4000n, {});
    assert.equal(errnoOf(mapFixed(m, ioas, buf, 0x1000n, 0x2000000n)), 'ok');
    assert.equal(m.dma('m0', { write: true, iova: 0x2000000n, width: 4, value: 1n }).ok, true);
    const r = m.dma('m0', { write: true, iova: 0x2003456n, width: 4, value: 1n });
    assert.equal(r.ok, false);
    m.dma('m0', { write: false, iova: 0x2005008n, width: 4 });
    assert.deepEqual(read().map((f) => [f.flags, f.pasid, f.perm, f.addr, f.grpid]), [[2, 0, 3, 0x2003000n, 1], [2, 0, 1, 0x2005000n, 2]]);
    const plain = faulting();
    plain.m.dma('m0', { write: false, iova: 0x2005008n, width: 4 });
    assert.equal(plain.m.lastFault('m0')?.kind, 'translation');
    assert.deepEqual(plain.read(), []);
  });
});

describe('close and release with fault fds', () => {
  it('an open fault fd keeps the iommufd\'s objects alive after close; its close runs the release', () => {
    const m = createMachine();
    const fq = faultAlloc(m);
    const ioas = ioasAlloc(m);
    m.closeIommufd('iommufd');
    assert.equal(m.exists('iommufd', BigInt(ioas)), true);
    assert.equal(m.users('iommufd', BigInt(fq.id)), 2);
    m.faultClose('iommufd', BigInt(fq.id));
    assert.equal(m.exists('iommufd', BigInt(ioas)), false);
    assert.equal(m.exists('iommufd', BigInt(fq.id)), false);
  });
});
