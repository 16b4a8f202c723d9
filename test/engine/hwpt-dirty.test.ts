// IOMMU_HWPT_SET_DIRTY_TRACKING and IOMMU_HWPT_GET_DIRTY_BITMAP
// (iommufd-reference §3.13-3.14) on mock paging domains.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ioctlDef } from '../../emulator/engine/uapi/iommufd.js';
import { StructView } from '../../emulator/engine/uapi/layout.js';
import { attachOk, bind, createMachine, errnoOf, hwptAllocOk, ioasAlloc, ioctl, mapFixed, selftestData, type Fields } from './machine-harness.js';

const BITMAP = 0x50000000n;

function setup() {
  const m = createMachine();
  m.declareDevice('m0', {});
  m.declareMemory('buf', 0x10000n, { at: 0x40000000n });
  m.declareMemory('bitmap', 0x1000n, { at: BITMAP });
  const ioas = ioasAlloc(m);
  const dev = bind(m, 'm0');
  const dirty = hwptAllocOk(m, dev, ioas, { flags: 2 | 1 });
  const plain = hwptAllocOk(m, dev, ioas);
  mapFixed(m, ioas, 0x40000000n, 0x10000n, 0x1000000n);
  return { m, ioas, dev, dirty, plain };
}

const track = (m: ReturnType<typeof createMachine>, f: Fields) => errnoOf(ioctl(m, 'IOMMU_HWPT_SET_DIRTY_TRACKING', f));
const bitmap = (m: ReturnType<typeof createMachine>, f: Fields) =>
  errnoOf(ioctl(m, 'IOMMU_HWPT_GET_DIRTY_BITMAP', { iova: 0x1000000n, length: 0x10000, page_size: 0x1000, data: BITMAP, ...f }));

describe('SET_DIRTY_TRACKING', () => {
  it('checks flags, then the HWPT_PAGING, then the domain dirty ops; works unattached', () => {
    const { m, dev, dirty, plain } = setup();
    assert.equal(track(m, { hwpt_id: 99, flags: 2 }), 'EOPNOTSUPP');
    assert.equal(track(m, { hwpt_id: 99, flags: 1 }), 'ENOENT');
    assert.equal(track(m, { hwpt_id: dev, flags: 1 }), 'ENOENT');
    assert.equal(track(m, { hwpt_id: plain, flags: 1 }), 'EOPNOTSUPP');
    assert.equal(track(m, { hwpt_id: dirty, flags: 1, __reserved: 5 }), 'ok');
    assert.equal(track(m, { hwpt_id: dirty, flags: 0 }), 'ok');
    const nested = hwptAllocOk(m, dev, dirty, selftestData(m));
    assert.equal(track(m, { hwpt_id: nested, flags: 1 }), 'ENOENT');
  });
});

describe('GET_DIRTY_BITMAP', () => {
  it('checks flags and __reserved, the HWPT, overflow, alignments and page_size, then dirty ops', () => {
    const { m, dirty, plain } = setup();
    assert.equal(bitmap(m, { hwpt_id: 99, flags: 2 }), 'EOPNOTSUPP'); // before the lookup
    assert.equal(bitmap(m, { hwpt_id: 99, __reserved: 1 }), 'EOPNOTSUPP');
    assert.equal(bitmap(m, { hwpt_id: 99 }), 'ENOENT');
    assert.equal(bitmap(m, { hwpt_id: dirty, iova: -0x1000n, length: 0x2000 }), 'EOVERFLOW');
    assert.equal(bitmap(m, { hwpt_id: dirty, iova: 0x1000400n }), 'EINVAL'); // not 2 KiB aligned
    assert.equal(bitmap(m, { hwpt_id: dirty, page_size: 0 }), 'EINVAL');
    assert.equal(bitmap(m, { hwpt_id: dirty, iova: 0x1000800n, length: 0x1000 }), 'EINVAL'); // not page_size aligned
    assert.equal(bitmap(m, { hwpt_id: plain }), 'EOPNOTSUPP');
    assert.equal(bitmap(m, { hwpt_id: dirty }), 'ok');
  });

  it('marks every page_size bit a dirty 2 KiB leaf covers', () => {
    const { m, dirty } = setup();
    attachOk(m, 'm0', dirty);
    track(m, { hwpt_id: dirty, flags: 1 });
    m.dma('m0', { write: true, iova: 0x1003000n, width: 1, value: 1n });
    assert.equal(bitmap(m, { hwpt_id: dirty, page_size: 0x400 }), 'ok');
    // Leaf 0x1003000..0x10037ff covers 1 KiB pages 12 and 13.
    assert.equal(m.cpuLoad(BITMAP, 8), 0b11n << 12n);
  });
});

describe('IOMMU_TEST_OP_DIRTY', () => {
  const dirtyOp = (m: ReturnType<typeof createMachine>, f: Fields) => ioctl(m, 'IOMMU_TEST_CMD', { op: 13, b: 0x1000000n, c: 0x4000, d: 0x1000, ...f });

  it('needs a sane range, a mock paging HWPT and tracking enabled; marks the pages of set bits', () => {
    const { m, dirty, plain } = setup();
    m.cpuStore(BITMAP + 0x800n, 1, 0b1001n);
    assert.equal(errnoOf(dirtyOp(m, { id: dirty, d: 0, e: BITMAP + 0x800n })), 'EINVAL');
    assert.equal(errnoOf(dirtyOp(m, { id: dirty, e: 0 })), 'EINVAL');
    assert.equal(errnoOf(dirtyOp(m, { id: 99, e: BITMAP + 0x800n })), 'ENOENT');
    assert.equal(errnoOf(dirtyOp(m, { id: plain, e: BITMAP + 0x800n })), 'EINVAL');
    assert.equal(errnoOf(dirtyOp(m, { id: dirty, e: BITMAP + 0x800n })), 'EINVAL'); // tracking off
    track(m, { hwpt_id: dirty, flags: 1 });
    const r = dirtyOp(m, { id: dirty, e: BITMAP + 0x800n });
    assert.equal(new StructView(ioctlDef('IOMMU_TEST_CMD').struct, r.arg!).get('f'), 2n);
    assert.equal(bitmap(m, { hwpt_id: dirty }), 'ok');
    assert.equal(m.cpuLoad(BITMAP, 8), 0b1001n);
  });
});

