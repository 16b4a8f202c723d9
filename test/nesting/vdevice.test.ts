// IOMMU_VDEVICE_ALLOC (iommufd-reference §6.2) and the vDEVICE tombstone a
// device unbind leaves (§2.5).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { attachOk, bind, destroy, errnoOf, hwptAllocOk, ioasAlloc, twoDevices } from '../engine/machine-harness.js';
import { twoIommuFixture, vdeviceAlloc, vdeviceAllocOk, viommuAllocOk, viommuFixture } from './nesting-harness.js';

describe('VDEVICE_ALLOC', () => {
  it('looks up the vIOMMU, then the device; a device behind another IOMMU is EINVAL', () => {
    const { m, d0, d1, viommu } = twoIommuFixture();
    assert.equal(errnoOf(vdeviceAlloc(m, 99, d0, 1)), 'ENOENT');
    assert.equal(errnoOf(vdeviceAlloc(m, viommu, 99, 1)), 'ENOENT');
    assert.equal(errnoOf(vdeviceAlloc(m, d0, d0, 1)), 'ENOENT');
    assert.equal(errnoOf(vdeviceAlloc(m, viommu, d1, 1)), 'EINVAL');
    assert.equal(errnoOf(vdeviceAlloc(m, viommu, d0, 1)), 'ok');
  });

  it('one vDEVICE per device (EEXIST, no id taken) and one per virt_id in a vIOMMU (EEXIST, id given back)', () => {
    const { m, ioas, d0, d1 } = twoDevices();
    const parent = hwptAllocOk(m, d0, ioas, { flags: 1 });
    const v1 = viommuAllocOk(m, d0, parent);
    const v2 = viommuAllocOk(m, d0, parent);
    const vd = vdeviceAllocOk(m, v1, d0, 0x99);
    assert.equal(errnoOf(vdeviceAlloc(m, v2, d0, 0x11)), 'EEXIST', 'the device has a vDEVICE on another vIOMMU');
    assert.equal(errnoOf(vdeviceAlloc(m, v1, d1, 0x99)), 'EEXIST', 'virt_id 0x99 is taken in this vIOMMU');
    assert.equal(vdeviceAllocOk(m, v2, d1, 0x99), vd + 1, 'the same virt_id in another vIOMMU is fine, and no id leaked');
    assert.equal(m.users('iommufd', BigInt(v1)), 2);
    assert.equal(m.users('iommufd', BigInt(d0)), 3, 'the driver, the vDEVICE... and the table');
    assert.equal(destroy(m, vd), 'ok', 'a vDEVICE is never busy');
    assert.equal(m.users('iommufd', BigInt(v1)), 1);
    assert.equal(m.users('iommufd', BigInt(d0)), 2);
    assert.equal(vdeviceAllocOk(m, v1, d0, 0x99), vd, 'the virt_id and the id are free again');
  });

  it('a device unbound under its vDEVICE leaves a tombstone: DESTROY is ENOENT and the id stays taken until close', () => {
    const { m, dev, viommu, ioas } = viommuFixture();
    const vd = vdeviceAllocOk(m, viommu, dev, 0x42);
    m.vfioClose('m0');
    assert.equal(m.exists('iommufd', BigInt(vd)), false);
    assert.equal(destroy(m, vd), 'ENOENT');
    assert.equal(m.users('iommufd', BigInt(viommu)), 1, 'the tombstoned vDEVICE let go of its vIOMMU');
    // The unbind freed the DEVICE (2) and its auto HWPT (3); the tombstone keeps 6.
    assert.deepEqual([ioasAlloc(m), ioasAlloc(m), ioasAlloc(m)], [2, 3, vd + 1]);
    // A new bind of the device can have a vDEVICE with the same virt_id again.
    const again = bind(m, 'm0');
    attachOk(m, 'm0', ioas);
    assert.equal(errnoOf(vdeviceAlloc(m, viommu, again, 0x42)), 'ok');
  });
});
