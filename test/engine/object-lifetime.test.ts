// Object lifetimes (iommufd-reference §2.3-2.6): IOMMU_DESTROY, device
// unbind and closing the iommufd while bound devices hold it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Host } from '../../emulator/engine/host.js';
import { bindDevice, unbindDevice } from '../../emulator/engine/iommufd/device.js';
import { deviceAttach, deviceDetach } from '../../emulator/engine/iommufd/device-attach.js';
import { Ioas } from '../../emulator/engine/iommufd/ioas.js';
import { IommufdFile } from '../../emulator/engine/iommufd/iommufd-file.js';
import { iommufdCmd } from '../../emulator/engine/uapi/iommufd.js';
import { attachOk, bind, createMachine, destroy, errnoOf, hwptAllocOk, ioasAlloc, ioctl } from './machine-harness.js';

function machine(devices = ['m0']) {
  const m = createMachine();
  for (const d of devices) m.declareDevice(d, {});
  return m;
}

describe('IOMMU_DESTROY', () => {
  it('is ENOENT for id 0 and for ids never given, EFAULT for a NULL argument', () => {
    const m = machine();
    assert.equal(destroy(m, 0), 'ENOENT');
    assert.equal(destroy(m, 77), 'ENOENT');
    assert.equal(errnoOf(m.ioctl('iommufd', iommufdCmd(0x80), null)), 'EFAULT');
  });

  it('is EBUSY while a HWPT uses the IOAS, and names the object', () => {
    const m = machine();
    const ioas = ioasAlloc(m);
    const dev = bind(m, 'm0');
    const hwpt = attachOk(m, 'm0', ioas);
    const r = ioctl(m, 'IOMMU_DESTROY', { id: ioas });
    assert.equal(r.error?.errno, 'EBUSY');
    assert.match(r.error!.reason, /IOAS 1/);
    assert.equal(m.users('iommufd', BigInt(ioas)), 2);
    // A device is always busy: its binding driver holds it.
    assert.equal(destroy(m, dev), 'EBUSY');
    // An attached HWPT is busy too, and the reason says who holds it.
    const busy = ioctl(m, 'IOMMU_DESTROY', { id: hwpt });
    assert.equal(busy.error?.errno, 'EBUSY');
    assert.match(busy.error!.reason, new RegExp(`DEVICE ${dev} at the RID`));
  });

  it('destroys a manual HWPT nothing uses, releasing the IOAS and its aperture reservation', () => {
    const m = machine();
    const ioas = ioasAlloc(m);
    const dev = bind(m, 'm0');
    const h = hwptAllocOk(m, dev, ioas);
    assert.equal(m.users('iommufd', BigInt(ioas)), 2);
    assert.equal(destroy(m, h), 'ok');
    assert.equal(m.exists('iommufd', BigInt(h)), false);
    assert.equal(m.users('iommufd', BigInt(ioas)), 1);
    assert.equal(destroy(m, ioas), 'ok');
  });

  it('frees the id for the lowest-free allocation', () => {
    const m = machine();
    const a = ioasAlloc(m);
    const b = ioasAlloc(m);
    assert.equal(destroy(m, a), 'ok');
    assert.equal(ioasAlloc(m), a);
    assert.equal(ioasAlloc(m), b + 1);
  });

  it('forgets the VFIO compat IOAS it destroys', () => {
    const m = machine();
    const ioas = ioasAlloc(m);
    assert.equal(errnoOf(ioctl(m, 'IOMMU_VFIO_IOAS', { ioas_id: ioas, op: 1 })), 'ok');
    assert.equal(destroy(m, ioas), 'ok');
    assert.equal(errnoOf(ioctl(m, 'IOMMU_VFIO_IOAS', { op: 0 })), 'ENODEV');
  });
});

describe('unbind (closing the VFIO device file)', () => {
  it('detaches, destroys the auto HWPT, removes the DEVICE and releases ownership', () => {
    const m = machine();
    const ioas = ioasAlloc(m);
    const dev = bind(m, 'm0');
    const hwpt = attachOk(m, 'm0', ioas);
    assert.equal(m.users('iommufd', BigInt(dev)), 3);
    m.vfioClose('m0');
    assert.equal(m.exists('iommufd', BigInt(dev)), false);
    assert.equal(m.exists('iommufd', BigInt(hwpt)), false);
    assert.equal(m.users('iommufd', BigInt(ioas)), 1);
    assert.equal(m.owner('m0'), 'none');
    // Bind after unbind gives a new (lowest free) id.
    assert.equal(bind(m, 'm0'), dev);
  });

  it('is EBUSY for a driver that left an attachment behind', () => {
    const host = new Host();
    const dev = host.addDevice('m0', {});
    const file = new IommufdFile('fd', host.phys, host.vmm);
    const ioas = new Ioas(file);
    file.objects.add(ioas);
    const idev = bindDevice(file, dev);
    deviceAttach(idev, undefined, BigInt(ioas.id));
    assert.equal(errnoOf(() => unbindDevice(idev)), 'EBUSY');
    assert.equal(idev.users, 3);
    deviceDetach(idev, undefined);
    unbindDevice(idev);
    assert.equal(file.objects.find(idev.id), undefined);
    assert.equal(dev.group.ownerKind(), 'none');
  });
});

describe('closing the iommufd', () => {
  it('keeps objects alive while a bound device holds the file; statements get EBADF, queries still see them', () => {
    const m = machine();
    const ioas = ioasAlloc(m);
    const dev = bind(m, 'm0');
    const hwpt = attachOk(m, 'm0', ioas);
    m.closeIommufd('iommufd');
    assert.equal(m.currentIommufd(), undefined);
    assert.equal(m.queryIommufd(), 'iommufd');
    assert.equal(errnoOf(ioctl(m, 'IOMMU_IOAS_ALLOC')), 'EBADF');
    assert.equal(errnoOf(() => m.iommufdAttach('iommufd', BigInt(dev), BigInt(ioas))), 'EBADF');
    assert.equal(m.exists('iommufd', BigInt(hwpt)), true);
    assert.equal(m.owner('m0'), 'user');
    // The last holder goes: the release sweep destroys everything.
    m.vfioClose('m0');
    assert.equal(m.exists('iommufd', BigInt(ioas)), false);
    assert.equal(m.owner('m0'), 'none');
  });

  it('an access holds the file too; destroying it after close runs the release', () => {
    const m = machine();
    const ioas = ioasAlloc(m);
    const acc = m.accessCreate('iommufd', BigInt(ioas), 0n);
    m.closeIommufd('iommufd');
    assert.equal(m.users('iommufd', BigInt(ioas)), 2);
    assert.equal(errnoOf(() => m.accessPin('iommufd', BigInt(acc), 0n, 0x1000n, 0n)), 'EBADF');
    m.accessDestroy('iommufd', BigInt(acc));
    assert.equal(m.exists('iommufd', BigInt(ioas)), false);
  });

  it('releases at once when nothing holds the file, leaves first', () => {
    const m = machine();
    const ioas = ioasAlloc(m);
    const dev = bind(m, 'm0');
    hwptAllocOk(m, dev, ioas, { flags: 1 });
    m.vfioClose('m0');
    m.closeIommufd('iommufd');
    assert.equal(m.exists('iommufd', BigInt(ioas)), false);
  });

  it('gives the freed fd number to the next open, and later statements use the newest open fd', () => {
    const m = machine();
    assert.equal(m.fdNumber('iommufd'), 3);
    assert.equal(m.openIommufd('second'), 4);
    assert.equal(m.currentIommufd(), 'second');
    m.closeIommufd('iommufd');
    assert.equal(m.currentIommufd(), 'second');
    assert.equal(m.openIommufd('third'), 3);
    assert.equal(m.declareMemory('mf', 0x1000n, { memfd: true }) > 0n, true);
    assert.equal(m.fdNumber('mf'), 5);
  });
});
