// IOMMU_HWPT_INVALIDATE on a mock nested HWPT (iommufd-reference §3.15,
// §6.3): per-entry processing, the handled count written back even on
// failure, and the IOTLB slots it clears.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ioctlDef } from '../../emulator/engine/uapi/iommufd.js';
import { StructView } from '../../emulator/engine/uapi/layout.js';
import { bind, createMachine, hwptAllocOk, ioasAlloc, ioctl, selftestData, type Fields } from './machine-harness.js';

const SELFTEST = 0xdeadbeef;

function setup() {
  const m = createMachine();
  m.declareDevice('m0', {});
  const ioas = ioasAlloc(m);
  const dev = bind(m, 'm0');
  const parent = hwptAllocOk(m, dev, ioas, { flags: 1 });
  const n = hwptAllocOk(m, dev, parent, selftestData(m));
  return { m, parent, n };
}

/** Entries {flags, iotlb_id} of `len` bytes each. */
function entries(m: ReturnType<typeof createMachine>, list: [number, number][], len = 8): Fields {
  const b = new Uint8Array(list.length * len);
  const v = new DataView(b.buffer);
  list.forEach(([flags, id], i) => {
    v.setUint32(i * len, flags, true);
    if (len >= 8) v.setUint32(i * len + 4, id, true);
  });
  return { data_uptr: m.userScratch(b), entry_len: len, entry_num: list.length, data_type: SELFTEST };
}

function invalidate(m: ReturnType<typeof createMachine>, hwpt: number, f: Fields): { errno: string; done: number } {
  const r = ioctl(m, 'IOMMU_HWPT_INVALIDATE', { hwpt_id: hwpt, ...f });
  return { errno: r.error?.errno ?? 'ok', done: new StructView(ioctlDef('IOMMU_HWPT_INVALIDATE').struct, r.arg!).num('entry_num') };
}

describe('HWPT_INVALIDATE', () => {
  it('checks __reserved, the array, the object and its type, always writing entry_num back', () => {
    const { m, parent, n } = setup();
    assert.deepEqual(invalidate(m, n, { ...entries(m, [[0, 0]]), __reserved: 1 }), { errno: 'EOPNOTSUPP', done: 0 });
    assert.deepEqual(invalidate(m, n, { ...entries(m, [[0, 0]]), data_uptr: 0 }), { errno: 'EINVAL', done: 0 });
    assert.deepEqual(invalidate(m, n, { ...entries(m, [[0, 0]]), entry_len: 0 }), { errno: 'EINVAL', done: 0 });
    assert.deepEqual(invalidate(m, 99, entries(m, [[0, 0]])), { errno: 'ENOENT', done: 0 });
    assert.deepEqual(invalidate(m, parent, entries(m, [[0, 0]])), { errno: 'EINVAL', done: 0 });
    assert.deepEqual(invalidate(m, n, { ...entries(m, [[0, 0]]), data_type: 0xdadbeef }), { errno: 'EINVAL', done: 0 });
    assert.equal(m.iotlb('iommufd', BigInt(n), 0), 0xbadbeefn);
  });

  it('an empty array probes the data type', () => {
    const { m, n } = setup();
    assert.deepEqual(invalidate(m, n, { data_type: SELFTEST }), { errno: 'ok', done: 0 });
    assert.deepEqual(invalidate(m, n, { data_type: 1 }), { errno: 'EINVAL', done: 0 });
  });

  it('clears one slot per entry, or all with FLAG_ALL, stopping at the first bad entry', () => {
    const { m, n } = setup();
    assert.deepEqual(invalidate(m, n, entries(m, [[0, 1], [0, 4], [0, 2]])), { errno: 'EINVAL', done: 1 });
    assert.deepEqual([0, 1, 2, 3].map((i) => m.iotlb('iommufd', BigInt(n), i)), [0xbadbeefn, 0n, 0xbadbeefn, 0xbadbeefn]);
    assert.deepEqual(invalidate(m, n, entries(m, [[2, 0]])), { errno: 'EOPNOTSUPP', done: 0 });
    assert.deepEqual(invalidate(m, n, entries(m, [[0, 3], [1, 0]])), { errno: 'ok', done: 2 });
    assert.deepEqual([0, 1, 2, 3].map((i) => m.iotlb('iommufd', BigInt(n), i)), [0n, 0n, 0n, 0n]);
  });

  it('accepts longer entries with a zero tail (E2BIG otherwise) and refuses shorter ones', () => {
    const { m, n } = setup();
    assert.deepEqual(invalidate(m, n, entries(m, [[0, 0]], 12)), { errno: 'ok', done: 1 });
    const bad = entries(m, [[0, 1]], 12);
    m.cpuStore((bad.data_uptr as bigint) + 8n, 1, 1n);
    assert.deepEqual(invalidate(m, n, bad), { errno: 'E2BIG', done: 0 });
    assert.deepEqual(invalidate(m, n, entries(m, [[0, 1]], 4)), { errno: 'EINVAL', done: 0 });
  });
});
