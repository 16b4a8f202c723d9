// IOMMU_VIOMMU_ALLOC (iommufd-reference §6.1), HWPT_ALLOC through a vIOMMU
// (§3.11's VIOMMU branch) and HWPT_INVALIDATE on a vIOMMU (§3.15, §6.3).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ioctlDef } from '../../emulator/engine/uapi/iommufd.js';
import { StructView } from '../../emulator/engine/uapi/layout.js';
import { attach, attachOk, bind, createMachine, destroy, errnoOf, hwptAlloc, hwptAllocOk, ioasAlloc, ioctl, type Machine } from '../engine/machine-harness.js';
import { FAULT_ID_VALID, faultAlloc, nestedData, out, twoIommuFixture, vdeviceAllocOk, viommuAlloc, viommuAllocOk, viommuFixture } from './nesting-harness.js';

describe('VIOMMU_ALLOC', () => {
  it('checks flags and type, then the device, the driver type, the HWPT and NEST_PARENT, in that order', () => {
    const { m, dev, parent, ioas } = viommuFixture();
    assert.equal(errnoOf(viommuAlloc(m, 99, 99, { flags: 1 })), 'EOPNOTSUPP');
    assert.equal(errnoOf(viommuAlloc(m, 99, 99, { type: 0 })), 'EOPNOTSUPP');
    assert.equal(errnoOf(viommuAlloc(m, 99, 99)), 'ENOENT');
    assert.equal(errnoOf(viommuAlloc(m, dev, 99, { type: 0xdead })), 'EOPNOTSUPP');
    assert.equal(errnoOf(viommuAlloc(m, dev, 0)), 'ENOENT');
    assert.equal(errnoOf(viommuAlloc(m, dev, ioas)), 'ENOENT');
    const plain = hwptAllocOk(m, dev, ioas);
    assert.equal(errnoOf(viommuAlloc(m, dev, plain)), 'EINVAL');
    const nested = hwptAllocOk(m, dev, parent, nestedData(m));
    assert.equal(errnoOf(viommuAlloc(m, dev, nested)), 'ENOENT');
    // Failures took no id: the next object gets the lowest free one.
    assert.equal(viommuAllocOk(m, dev, parent), nested + 1);
  });

  it('holds its nest parent, and is held by its nested HWPTs', () => {
    const { m, dev, parent, viommu } = viommuFixture();
    assert.equal(m.users('iommufd', BigInt(parent)), 2);
    assert.equal(destroy(m, parent), 'EBUSY');
    const n = hwptAllocOk(m, dev, viommu, nestedData(m));
    assert.equal(m.users('iommufd', BigInt(viommu)), 2);
    assert.equal(m.users('iommufd', BigInt(parent)), 2, 'a vIOMMU-nested HWPT holds the vIOMMU, not the parent');
    assert.equal(destroy(m, viommu), 'EBUSY');
    assert.equal(destroy(m, n), 'ok');
    assert.equal(destroy(m, viommu), 'ok');
    assert.equal(m.users('iommufd', BigInt(parent)), 1);
  });

  it('echoes in_data and exports a two-page mmap region, lowest offset first from one page', () => {
    const m = createMachine();
    m.declareDevice('m0', {});
    const ioas = ioasAlloc(m);
    const dev = bind(m, 'm0');
    const parent = hwptAllocOk(m, dev, ioas, { flags: 1 });
    const alloc = (inData: number, len = 24) => {
      const b = new Uint8Array(len);
      new DataView(b.buffer).setUint32(0, inData, true);
      const uptr = m.userScratch(b);
      const r = viommuAlloc(m, dev, parent, { data_len: len, data_uptr: uptr });
      return { r, view: new DataView(m.readUser(uptr, len).buffer) };
    };
    const a = alloc(0x1234);
    assert.equal(errnoOf(a.r), 'ok');
    assert.equal(a.view.getUint32(4, true), 0x1234);
    assert.equal(a.view.getBigUint64(8, true), 0x1000n);
    assert.equal(a.view.getBigUint64(16, true), 0x2000n);
    const b = alloc(7);
    assert.equal(b.view.getBigUint64(8, true), 0x3000n);
    // A shorter struct than its first version (in_data, out_data) is EINVAL; a longer one needs a zero tail.
    assert.equal(errnoOf(alloc(1, 4).r), 'EINVAL');
    const long = new Uint8Array(32);
    long[30] = 1;
    assert.equal(errnoOf(viommuAlloc(m, dev, parent, { data_len: 32, data_uptr: m.userScratch(long) })), 'E2BIG');
    // Destroying the first frees its region for the next one.
    assert.equal(destroy(m, out(a.r, 'IOMMU_VIOMMU_ALLOC').num('out_viommu_id')), 'ok');
    assert.equal(alloc(9).view.getBigUint64(8, true), 0x1000n);
  });
});

describe('HWPT_ALLOC on a vIOMMU', () => {
  it('needs the same physical IOMMU, known flags, driver data and an existing fault queue', () => {
    const { m, d0, d1, viommu } = twoIommuFixture();
    assert.equal(errnoOf(hwptAlloc(m, d1, viommu, nestedData(m))), 'EINVAL');
    assert.equal(errnoOf(hwptAlloc(m, d0, viommu, { ...nestedData(m), flags: 1 })), 'EOPNOTSUPP');
    assert.equal(errnoOf(hwptAlloc(m, d0, viommu)), 'EOPNOTSUPP');
    assert.equal(errnoOf(hwptAlloc(m, d0, viommu, { ...nestedData(m), data_type: 0xbad })), 'EOPNOTSUPP');
    assert.equal(errnoOf(hwptAlloc(m, d0, viommu, { ...nestedData(m), flags: FAULT_ID_VALID, fault_id: 77 })), 'ENOENT');
    const fq = faultAlloc(m);
    const n = hwptAllocOk(m, d0, viommu, { ...nestedData(m), flags: FAULT_ID_VALID, fault_id: fq.id });
    assert.equal(n, fq.id + 1, 'the failed allocations released their ids');
    assert.equal(m.users('iommufd', BigInt(fq.id)), 3);
    assert.equal(m.iotlb('iommufd', BigInt(n), 3), 0xbadbeefn);
  });

  it('attaching needs the device\'s vDEVICE on that very vIOMMU (ENOENT)', () => {
    const { m, dev, parent, viommu } = viommuFixture();
    const other = viommuAllocOk(m, dev, parent);
    const n = hwptAllocOk(m, dev, viommu, nestedData(m));
    assert.equal(errnoOf(attach(m, 'm0', n)), 'ENOENT');
    vdeviceAllocOk(m, other, dev, 1);
    assert.equal(errnoOf(attach(m, 'm0', n)), 'ENOENT');
    const onOther = hwptAllocOk(m, dev, other, nestedData(m));
    assert.equal(attachOk(m, 'm0', onOther), onOther);
  });
});

/** Entries {flags, vdev_id, cache_id} of `len` bytes. */
function entries(m: Machine, list: [number, number, number][], len = 12, extra?: [number, number]) {
  const b = new Uint8Array(list.length * len);
  const v = new DataView(b.buffer);
  list.forEach(([flags, vdev, cache], i) => {
    v.setUint32(i * len, flags, true);
    if (len >= 8) v.setUint32(i * len + 4, vdev, true);
    if (len >= 12) v.setUint32(i * len + 8, cache, true);
  });
  if (extra) b[extra[0]] = extra[1];
  return { data_uptr: m.userScratch(b), entry_len: len, entry_num: list.length, data_type: 0xdeadbeef };
}

function invalidate(m: Machine, id: number, f: Record<string, number | bigint>): { errno: string; done: number } {
  const r = ioctl(m, 'IOMMU_HWPT_INVALIDATE', { hwpt_id: id, ...f });
  return { errno: errnoOf(r), done: new StructView(ioctlDef('IOMMU_HWPT_INVALIDATE').struct, r.arg!).num('entry_num') };
}

describe('HWPT_INVALIDATE on a vIOMMU', () => {
  function setup() {
    const f = viommuFixture();
    hwptAllocOk(f.m, f.dev, f.viommu, nestedData(f.m));
    vdeviceAllocOk(f.m, f.viommu, f.dev, 0x99);
    const cache = () => [0, 1, 2, 3].map((i) => f.m.devCache('iommufd', BigInt(f.dev), i));
    return { ...f, cache };
  }

  it('copies the whole array first: a wrong type or a non-zero tail past 12 bytes handles nothing', () => {
    const { m, viommu, cache } = setup();
    assert.deepEqual(invalidate(m, viommu, { ...entries(m, [[0, 0x99, 0]]), data_type: 0xdadbeef }), { errno: 'EINVAL', done: 0 });
    assert.deepEqual(invalidate(m, viommu, entries(m, [[0, 0x99, 0], [0, 0x99, 1]], 16, [16 + 13, 1])), { errno: 'E2BIG', done: 0 });
    assert.deepEqual(cache(), [0xbaddadn, 0xbaddadn, 0xbaddadn, 0xbaddadn]);
    // A zero tail is accepted; a shorter entry is zero-extended (cache_id 0).
    assert.deepEqual(invalidate(m, viommu, entries(m, [[0, 0x99, 3]], 16)), { errno: 'ok', done: 1 });
    assert.deepEqual(invalidate(m, viommu, entries(m, [[0, 0x99, 2]], 8)), { errno: 'ok', done: 1 });
    assert.deepEqual(cache(), [0n, 0xbaddadn, 0xbaddadn, 0n]);
  });

  it('stops at an unknown flag, a cache_id past 3 or a virt_id with no vDEVICE, reporting the entries done', () => {
    const { m, viommu, cache } = setup();
    assert.deepEqual(invalidate(m, viommu, entries(m, [[0, 0x99, 1], [2, 0x99, 2]])), { errno: 'EOPNOTSUPP', done: 1 });
    assert.deepEqual(invalidate(m, viommu, entries(m, [[0, 0x99, 4]])), { errno: 'EINVAL', done: 0 });
    assert.deepEqual(invalidate(m, viommu, entries(m, [[0, 0x99, 2], [0, 0x98, 3]])), { errno: 'EINVAL', done: 1 });
    assert.deepEqual(cache(), [0xbaddadn, 0n, 0n, 0xbaddadn]);
    assert.deepEqual(invalidate(m, viommu, entries(m, [[1, 0x99, 9 & 3]])), { errno: 'ok', done: 1 });
    assert.deepEqual(cache(), [0n, 0n, 0n, 0n]);
  });

  it('an empty array probes the type; a paging HWPT is EINVAL', () => {
    const { m, viommu, parent } = setup();
    assert.deepEqual(invalidate(m, viommu, { data_type: 0xdeadbeef, entry_len: 12, entry_num: 0 }), { errno: 'ok', done: 0 });
    assert.deepEqual(invalidate(m, viommu, { data_type: 0xdadbeef, entry_len: 12, entry_num: 0 }), { errno: 'EINVAL', done: 0 });
    assert.deepEqual(invalidate(m, parent, entries(m, [[0, 0x99, 0]])), { errno: 'EINVAL', done: 0 });
  });
});
