// IOMMU_GET_HW_INFO (iommufd-reference §3.12) with the mock driver (§8).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ioctlDef } from '../../emulator/engine/uapi/iommufd.js';
import { bind, createMachine, errnoOf, ioctl, ok } from './machine-harness.js';

const DEF = ioctlDef('IOMMU_GET_HW_INFO');

function setup() {
  const m = createMachine();
  m.declareDevice('m0', {});
  m.declareDevice('mp', { pasidBits: 20, noDirty: true });
  m.declareMemory('buf', 0x1000n, { at: 0x40000000n });
  return { m, d0: bind(m, 'm0'), dp: bind(m, 'mp') };
}

describe('GET_HW_INFO', () => {
  it('checks flags and the reserved bytes before the device', () => {
    const { m } = setup();
    assert.equal(errnoOf(ioctl(m, 'IOMMU_GET_HW_INFO', { dev_id: 99, flags: 2 })), 'EOPNOTSUPP');
    assert.equal(errnoOf(ioctl(m, 'IOMMU_GET_HW_INFO', { dev_id: 99, __reserved1: 1 })), 'EOPNOTSUPP');
    assert.equal(errnoOf(ioctl(m, 'IOMMU_GET_HW_INFO', { dev_id: 99 })), 'ENOENT');
  });

  it('returns the selftest blob, zero-fills the rest of the buffer, and reports the blob length', () => {
    const { m, d0 } = setup();
    m.cpuStore(0x40000000n, 8, -1n);
    m.cpuStore(0x40000008n, 8, -1n);
    const out = ok(ioctl(m, 'IOMMU_GET_HW_INFO', { dev_id: d0, data_len: 16, data_uptr: 0x40000000n }), DEF);
    assert.equal(out.num('data_len'), 8);
    assert.equal(out.get('data_type'), 0xfeedbeefn);
    assert.equal(m.cpuLoad(0x40000000n, 4), 0n); // flags
    assert.equal(m.cpuLoad(0x40000004n, 4), 0xdeadbeefn); // test_reg
    assert.equal(m.cpuLoad(0x40000008n, 8), 0n);
    assert.equal(out.get('out_capabilities'), 1n | 8n); // dirty tracking, ATS not supported
    assert.equal(out.num('out_max_pasid_log2'), 0);
  });

  it('copies only data_len bytes of a longer blob', () => {
    const { m, d0 } = setup();
    m.cpuStore(0x40000000n, 8, -1n);
    const out = ok(ioctl(m, 'IOMMU_GET_HW_INFO', { dev_id: d0, data_len: 4, data_uptr: 0x40000000n }), DEF);
    assert.equal(out.num('data_len'), 8);
    assert.equal(m.cpuLoad(0x40000004n, 4), 0xffffffffn);
  });

  it('ignores data_type without INPUT_TYPE, honours it with it', () => {
    const { m, d0 } = setup();
    assert.equal(errnoOf(ioctl(m, 'IOMMU_GET_HW_INFO', { dev_id: d0, data_type: 1 })), 'ok');
    assert.equal(errnoOf(ioctl(m, 'IOMMU_GET_HW_INFO', { dev_id: d0, data_type: 1, flags: 1 })), 'EOPNOTSUPP');
    assert.equal(errnoOf(ioctl(m, 'IOMMU_GET_HW_INFO', { dev_id: d0, data_type: 0xfeedbeef, flags: 1 })), 'ok');
  });

  it('reports PASID width 20 for a PASID mock device and no dirty tracking with no_dirty', () => {
    const { m, dp } = setup();
    const out = ok(ioctl(m, 'IOMMU_GET_HW_INFO', { dev_id: dp }), DEF);
    assert.equal(out.num('out_max_pasid_log2'), 20);
    assert.equal(out.get('out_capabilities'), 8n);
  });

  it('is EFAULT for an unwritable buffer', () => {
    const { m, d0 } = setup();
    assert.equal(errnoOf(ioctl(m, 'IOMMU_GET_HW_INFO', { dev_id: d0, data_len: 8, data_uptr: 0x1000n })), 'EFAULT');
  });
});
