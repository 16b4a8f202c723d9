// IOMMU_HWPT_ALLOC (iommufd-reference §3.11) with the mock driver (§8):
// the check order of its errnos, ids, references and the IOAS it mirrors.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ioctlDef } from '../../emulator/engine/uapi/iommufd.js';
import { StructView } from '../../emulator/engine/uapi/layout.js';
import { attachOk, bind, createMachine, destroy, errnoOf, hwptAlloc, hwptAllocOk, ioasAlloc, ioctl, mapFixed, ok, selftestData } from './machine-harness.js';

const NEST_PARENT = 1;
const DIRTY = 2;
const FAULT_ID_VALID = 4;
const PASID = 8;

function setup() {
  const m = createMachine();
  m.declareDevice('m0', {});
  m.declareDevice('mn', { noDirty: true });
  const ioas = ioasAlloc(m);
  const dev = bind(m, 'm0');
  const devNoDirty = bind(m, 'mn');
  return { m, ioas, dev, devNoDirty };
}

const e = (r: ReturnType<typeof hwptAlloc>) => errnoOf(r);

describe('HWPT_ALLOC on an IOAS', () => {
  it('checks __reserved first, then data_type/data_len, then the device, then pt_id (EINVAL if missing)', () => {
    const { m, ioas, dev } = setup();
    assert.equal(e(hwptAlloc(m, 99, 99, { __reserved: 1 })), 'EOPNOTSUPP');
    assert.equal(e(hwptAlloc(m, 99, 99, { data_len: 8 })), 'EINVAL');
    assert.equal(e(hwptAlloc(m, 99, 99, { data_type: 0xdead })), 'EINVAL');
    assert.equal(e(hwptAlloc(m, 99, 99)), 'ENOENT');
    assert.equal(e(hwptAlloc(m, ioas, 99)), 'ENOENT'); // dev_id names an IOAS
    assert.equal(e(hwptAlloc(m, dev, 99)), 'EINVAL');
    assert.equal(e(hwptAlloc(m, dev, dev)), 'EINVAL'); // a DEVICE is no page table
    // __reserved2 is not checked.
    assert.equal(e(hwptAlloc(m, dev, ioas, { __reserved2: 1 })), 'ok');
  });

  it('refuses unknown flags, dirty tracking on a no-dirty device, and a fault queue on a nest parent', () => {
    const { m, ioas, dev, devNoDirty } = setup();
    assert.equal(e(hwptAlloc(m, dev, ioas, { flags: 16 })), 'EOPNOTSUPP');
    assert.equal(e(hwptAlloc(m, devNoDirty, ioas, { flags: DIRTY })), 'EOPNOTSUPP');
    assert.equal(e(hwptAlloc(m, dev, ioas, { flags: FAULT_ID_VALID | NEST_PARENT })), 'EOPNOTSUPP');
    // A FAULT id that does not exist: ENOENT, and the HWPT's id goes back.
    assert.equal(e(hwptAlloc(m, dev, ioas, { flags: FAULT_ID_VALID, fault_id: 0xffffffff })), 'ENOENT');
    assert.equal(hwptAllocOk(m, dev, ioas, { flags: DIRTY | NEST_PARENT | PASID }), 4);
  });

  it('accepts the selftest data type and refuses others, short blobs and non-zero tails', () => {
    const { m, ioas, dev } = setup();
    assert.equal(e(hwptAlloc(m, dev, ioas, { ...selftestData(m), data_type: 2 })), 'EOPNOTSUPP');
    assert.equal(e(hwptAlloc(m, dev, ioas, selftestData(m, 0n, 4))), 'EINVAL');
    const long = new Uint8Array(16);
    long[12] = 1;
    assert.equal(e(hwptAlloc(m, dev, ioas, { data_type: 0xdead, data_len: 16, data_uptr: m.userScratch(long) })), 'E2BIG');
    assert.equal(e(hwptAlloc(m, dev, ioas, { data_type: 0xdead, data_len: 8, data_uptr: 0x1234000n })), 'EFAULT');
    assert.equal(e(hwptAlloc(m, dev, ioas, selftestData(m))), 'ok');
  });

  it('writes out_hwpt_id, takes a reference on the IOAS, and is not attached', () => {
    const { m, ioas, dev } = setup();
    const r = hwptAlloc(m, dev, ioas);
    const out = new StructView(ioctlDef('IOMMU_HWPT_ALLOC').struct, r.arg!);
    assert.equal(out.num('out_hwpt_id'), 4);
    assert.equal(m.users('iommufd', BigInt(ioas)), 2);
    assert.equal(m.users('iommufd', 4n), 1);
    assert.equal(m.attached('iommufd', BigInt(dev)), 0);
  });

  it('reserves outside the mock aperture at creation (IOVA_RANGES narrows) and fails EADDRINUSE on an area there', () => {
    const { m, ioas, dev } = setup();
    m.declareMemory('buf', 0x1000n, { at: 0x40000000n });
    hwptAllocOk(m, dev, ioas);
    const ranges = m.userScratch(new Uint8Array(64));
    const r = ok(ioctl(m, 'IOMMU_IOAS_IOVA_RANGES', { ioas_id: ioas, num_iovas: 4, allowed_iovas: ranges }), ioctlDef('IOMMU_IOAS_IOVA_RANGES'));
    assert.equal(r.num('num_iovas'), 1);
    assert.equal(r.get('out_iova_alignment'), 2048n);
    assert.deepEqual(m.readUser(ranges, 16), new Uint8Array([0, 0, 0, 1, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0x7f, 0, 0, 0, 0]));
    const other = ioasAlloc(m);
    assert.equal(errnoOf(mapFixed(m, other, 0x40000000n, 0x1000n, 0x1000n)), 'ok');
    const before = ioasAlloc(m);
    assert.equal(e(hwptAlloc(m, dev, other)), 'EADDRINUSE');
    // The failed HWPT's id went back.
    assert.equal(ioasAlloc(m), before + 1);
  });

  it('manual HWPTs are never picked by automatic attach', () => {
    const { m, ioas, dev } = setup();
    const manual = hwptAllocOk(m, dev, ioas);
    const auto = attachOk(m, 'm0', ioas);
    assert.notEqual(auto, manual);
  });
});

describe('HWPT_ALLOC on a HWPT_PAGING (nested)', () => {
  it('needs data, allowed flags, and a NEST_PARENT that is not automatic', () => {
    const { m, ioas, dev } = setup();
    const parent = hwptAllocOk(m, dev, ioas, { flags: NEST_PARENT });
    const plain = hwptAllocOk(m, dev, ioas);
    const auto = attachOk(m, 'm0', ioas);
    assert.equal(e(hwptAlloc(m, dev, parent, { ...selftestData(m), flags: DIRTY })), 'EOPNOTSUPP');
    assert.equal(e(hwptAlloc(m, dev, parent)), 'EOPNOTSUPP');
    assert.equal(e(hwptAlloc(m, dev, auto, selftestData(m))), 'EINVAL');
    assert.equal(e(hwptAlloc(m, dev, plain, selftestData(m))), 'EINVAL');
    assert.equal(e(hwptAlloc(m, dev, parent, { ...selftestData(m), data_type: 3 })), 'EOPNOTSUPP');
    const n = hwptAllocOk(m, dev, parent, selftestData(m));
    assert.equal(m.iotlb('iommufd', BigInt(n), 3), 0xbadbeefn);
    assert.equal(e(hwptAlloc(m, dev, n, selftestData(m))), 'EINVAL');
    assert.equal(m.users('iommufd', BigInt(parent)), 2);
    const busy = ioctl(m, 'IOMMU_DESTROY', { id: parent });
    assert.equal(busy.error?.errno, 'EBUSY');
    assert.match(busy.error!.reason, new RegExp(`HWPT_NESTED ${n}`));
    assert.equal(destroy(m, n), 'ok');
    assert.equal(destroy(m, parent), 'ok');
  });
});
