// Attach, replace and detach (iommufd-reference §4.2) with the mock driver's
// attach rules (§8): automatic domains, groups sharing one HWPT, references,
// reserved regions and the PASID rules.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { attach, attachOk, bind, createMachine, destroy, detach, errnoOf, hwptAllocOk, ioasAlloc, mapFixed, selftestData, twoDevices } from './machine-harness.js';

const NEST_PARENT = 1;
const DIRTY = 2;
const PASID = 8;

describe('attach to an IOAS (automatic domains)', () => {
  it('creates an auto HWPT, shares it with the next device, and destroys it when the last leaves', () => {
    const { m, ioas, d0, d1 } = twoDevices();
    const h = attachOk(m, 'm0', ioas);
    assert.equal(attachOk(m, 'm1', ioas), h);
    assert.equal(m.users('iommufd', BigInt(h)), 3);
    assert.equal(m.users('iommufd', BigInt(d0)), 3);
    assert.equal(m.attached('iommufd', BigInt(d1)), h);
    detach(m, 'm0');
    assert.equal(m.users('iommufd', BigInt(h)), 2);
    assert.equal(m.users('iommufd', BigInt(d0)), 2);
    detach(m, 'm1');
    assert.equal(m.exists('iommufd', BigInt(h)), false);
    assert.equal(m.users('iommufd', BigInt(ioas)), 1);
  });

  it('propagates a non-EINVAL failure (EADDRINUSE from a reserved region) and keeps no HWPT', () => {
    const m = createMachine();
    m.declareDevice('m0', {});
    m.declareDevice('mr', { reserved: [{ start: 0x2000000n, last: 0x2000fffn }] });
    m.declareMemory('buf', 0x10000n, { at: 0x40000000n });
    const ioas = ioasAlloc(m);
    bind(m, 'm0');
    bind(m, 'mr');
    const h = attachOk(m, 'm0', ioas);
    assert.equal(errnoOf(mapFixed(m, ioas, 0x40000000n, 0x10000n, 0x2000000n)), 'ok');
    assert.equal(errnoOf(attach(m, 'mr', ioas)), 'EADDRINUSE');
    assert.equal(m.users('iommufd', BigInt(h)), 2);
  });

  it('reserves the device regions in the IOAS while attached (a map there is refused) and releases them on detach', () => {
    const m = createMachine();
    m.declareDevice('mr', { reserved: [{ start: 0x2000000n, last: 0x2000fffn }] });
    m.declareMemory('buf', 0x1000n, { at: 0x40000000n });
    const ioas = ioasAlloc(m);
    bind(m, 'mr');
    attachOk(m, 'mr', ioas);
    assert.equal(errnoOf(mapFixed(m, ioas, 0x40000000n, 0x1000n, 0x2000000n)), 'EINVAL');
    detach(m, 'mr');
    assert.equal(errnoOf(mapFixed(m, ioas, 0x40000000n, 0x1000n, 0x2000000n)), 'ok');
  });

  it('tries the next auto HWPT on EINVAL, and gives EINVAL back (freeing the new id) when none fits', () => {
    const m = createMachine();
    m.declareDevice('a', { group: 1 });
    m.declareDevice('b', { group: 1 });
    m.declareDevice('c', {});
    const ioas1 = ioasAlloc(m);
    const ioas2 = ioasAlloc(m);
    bind(m, 'a');
    bind(m, 'b');
    bind(m, 'c');
    const hc = attachOk(m, 'c', ioas1); // an auto HWPT on ioas1 that b's group cannot join
    const ha = attachOk(m, 'a', ioas2);
    const r = attach(m, 'b', ioas1);
    assert.equal(errnoOf(r), 'EINVAL');
    assert.match(r.error!.reason, new RegExp(`HWPT ${ha}`));
    assert.equal(m.exists('iommufd', BigInt(ha + 1)), false);
    assert.equal(ioasAlloc(m), ha + 1);
    assert.equal(m.users('iommufd', BigInt(hc)), 2);
  });

  it('refuses a dirty-tracking HWPT for a no-dirty device (EINVAL), which an auto domain then skips', () => {
    const m = createMachine();
    m.declareDevice('m0', {});
    m.declareDevice('mn', { noDirty: true });
    const ioas = ioasAlloc(m);
    const d0 = bind(m, 'm0');
    bind(m, 'mn');
    const h = hwptAllocOk(m, d0, ioas, { flags: DIRTY });
    assert.equal(errnoOf(attach(m, 'mn', h)), 'EINVAL');
    assert.equal(m.users('iommufd', BigInt(h)), 1);
  });

  it('is EINVAL for a pt_id that is neither IOAS nor HWPT, ENOENT for none', () => {
    const m = createMachine();
    m.declareDevice('m0', {});
    const d0 = bind(m, 'm0');
    assert.equal(errnoOf(attach(m, 'm0', d0)), 'EINVAL');
    assert.equal(errnoOf(attach(m, 'm0', 0)), 'ENOENT');
    assert.equal(m.users('iommufd', BigInt(d0)), 2);
  });
});

describe('groups', () => {
  it('all devices of a group share one HWPT; a different one is EINVAL', () => {
    const m = createMachine();
    m.declareDevice('a', { group: 7 });
    m.declareDevice('b', { group: 7 });
    const ioas = ioasAlloc(m);
    const da = bind(m, 'a');
    bind(m, 'b');
    const h1 = hwptAllocOk(m, da, ioas);
    const h2 = hwptAllocOk(m, da, ioas);
    attachOk(m, 'a', h1);
    assert.equal(errnoOf(attach(m, 'b', h2)), 'EINVAL');
    assert.equal(attachOk(m, 'b', h1), h1);
    assert.equal(m.users('iommufd', BigInt(h1)), 3);
    // Replacing moves the whole group's references.
    assert.equal(attachOk(m, 'a', h2), h2);
    assert.equal(m.users('iommufd', BigInt(h2)), 3);
    assert.equal(m.users('iommufd', BigInt(h1)), 1);
    assert.equal(m.attached('iommufd', BigInt(da)), h2);
  });
});

describe('iommufd-level attach and replace', () => {
  it('attach when attached is EBUSY; replace when not attached is EINVAL; replace with the same HWPT changes nothing', () => {
    const m = createMachine();
    m.declareDevice('m0', {});
    const ioas = ioasAlloc(m);
    const d0 = BigInt(bind(m, 'm0'));
    assert.equal(errnoOf(() => m.iommufdReplace('iommufd', d0, BigInt(ioas))), 'EINVAL');
    const h = m.iommufdAttach('iommufd', d0, BigInt(ioas));
    assert.equal(errnoOf(() => m.iommufdAttach('iommufd', d0, BigInt(h))), 'EBUSY');
    assert.equal(m.iommufdReplace('iommufd', d0, BigInt(h)), h);
    assert.equal(m.users('iommufd', BigInt(h)), 2);
    assert.equal(errnoOf(() => m.iommufdAttach('iommufd', 99n, BigInt(h))), 'ENOENT');
  });

  it('replace of an auto HWPT by another IOAS destroys the old one at once', () => {
    const m = createMachine();
    m.declareDevice('m0', {});
    const a = ioasAlloc(m);
    bind(m, 'm0');
    const h0 = attachOk(m, 'm0', a);
    const b = ioasAlloc(m);
    const h1 = attachOk(m, 'm0', b);
    assert.equal(m.exists('iommufd', BigInt(h0)), false);
    assert.equal(errnoOf(attach(m, 'm0', h0)), 'ENOENT');
    assert.equal(attachOk(m, 'm0', a), h0); // the lowest free id again
    assert.equal(m.exists('iommufd', BigInt(h1)), false);
    assert.equal(destroy(m, b), 'ok');
  });
});

describe('PASID attachments', () => {
  function pasidMachine() {
    const m = createMachine();
    m.declareDevice('mp', { pasidBits: 20 });
    const ioas = ioasAlloc(m);
    const d = bind(m, 'mp');
    const parent = hwptAllocOk(m, d, ioas, { flags: NEST_PARENT });
    const s2 = hwptAllocOk(m, d, ioas, { flags: PASID });
    const plain = hwptAllocOk(m, d, ioas);
    return { m, ioas, d: BigInt(d), parent, s2, plain };
  }

  it('needs a PASID-capable HWPT at the PASID and at the RID; an IOAS never is', () => {
    const { m, ioas, d, parent, s2, plain } = pasidMachine();
    attachOk(m, 'mp', parent);
    assert.equal(errnoOf(attach(m, 'mp', s2, 100)), 'EINVAL'); // the RID is not PASID-capable
    attachOk(m, 'mp', s2);
    assert.equal(errnoOf(attach(m, 'mp', plain, 100)), 'EINVAL'); // not PASID-capable
    assert.equal(errnoOf(attach(m, 'mp', ioas, 100)), 'EINVAL');
    assert.equal(attachOk(m, 'mp', s2, 100), s2);
    assert.equal(m.attached('iommufd', d, 100), s2);
    assert.equal(m.users('iommufd', BigInt(s2)), 3);
    // The RID cannot move to a non-PASID HWPT while a PASID is attached.
    assert.equal(errnoOf(attach(m, 'mp', plain)), 'EINVAL');
    assert.equal(m.attached('iommufd', d), s2);
  });

  it('rejects PASID 0 and PASIDs beyond the device width; attaching one PASID twice through iommufd is EBUSY', () => {
    const { m, d, s2 } = pasidMachine();
    attachOk(m, 'mp', s2);
    assert.equal(errnoOf(attach(m, 'mp', s2, 0)), 'EINVAL');
    assert.equal(errnoOf(attach(m, 'mp', s2, 1 << 20)), 'EINVAL');
    m.iommufdAttach('iommufd', d, BigInt(s2), 5);
    assert.equal(errnoOf(() => m.iommufdAttach('iommufd', d, BigInt(s2), 5)), 'EBUSY');
  });

  it('a PASID attach on a device without PASID support succeeds without programming it', () => {
    const m = createMachine();
    m.declareDevice('m0', {});
    const ioas = ioasAlloc(m);
    const d = bind(m, 'm0');
    const s2 = hwptAllocOk(m, d, ioas, { flags: PASID });
    assert.equal(attachOk(m, 'm0', s2, 3), s2);
    assert.equal(m.attached('iommufd', BigInt(d), 3), s2);
  });

  it('the mock fails every second set at PASID 1024 after a success; a failed replace keeps the old HWPT', () => {
    const { m, d, s2, parent } = pasidMachine();
    const n0 = hwptAllocOk(m, Number(d), parent, { ...selftestData(m), flags: PASID });
    attachOk(m, 'mp', s2);
    assert.equal(m.iommufdAttach('iommufd', d, BigInt(s2), 1024), s2);
    assert.equal(errnoOf(() => m.iommufdReplace('iommufd', d, BigInt(n0), 1024)), 'ENOMEM');
    assert.equal(m.attached('iommufd', d, 1024), s2);
    assert.equal(m.users('iommufd', BigInt(n0)), 1);
    assert.equal(m.iommufdReplace('iommufd', d, BigInt(n0), 1024), n0);
    assert.equal(m.attached('iommufd', d, 1024), n0);
    assert.equal(m.users('iommufd', BigInt(s2)), 2);
  });

  it('detaching a PASID leaves the RID attached; closing the device detaches both', () => {
    const { m, d, s2 } = pasidMachine();
    attachOk(m, 'mp', s2);
    attachOk(m, 'mp', s2, 9);
    detach(m, 'mp', 9);
    assert.equal(m.attached('iommufd', d, 9), 0);
    assert.equal(m.attached('iommufd', d), s2);
    attachOk(m, 'mp', s2, 9);
    m.vfioClose('mp');
    assert.equal(m.users('iommufd', BigInt(s2)), 1);
    assert.equal(m.owner('mp'), 'none');
  });
});

describe('direct attach', () => {
  it('a nest-parent HWPT can be attached directly, and its IOAS is then busy', () => {
    const m = createMachine();
    m.declareDevice('m0', {});
    const ioas = ioasAlloc(m);
    const d = bind(m, 'm0');
    const p = hwptAllocOk(m, d, ioas, { flags: NEST_PARENT });
    assert.equal(attachOk(m, 'm0', p), p);
    assert.equal(destroy(m, ioas), 'EBUSY');
    assert.equal(destroy(m, p), 'EBUSY');
  });
});
