// The VFIO device cdev ioctls (iommufd-reference §4.1-4.2, device_cdev.c):
// struct checks, bind once, attach-or-replace, silent detach, close.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { iommufdCmd } from '../../emulator/engine/uapi/iommufd.js';
import { StructView } from '../../emulator/engine/uapi/layout.js';
import { VFIO_DEVICE_ATTACH_IOMMUFD_PT, VFIO_DEVICE_BIND_IOMMUFD, VFIO_DEVICE_DETACH_IOMMUFD_PT } from '../../emulator/engine/uapi/vfio.js';
import { attachOk, bind, createMachine, detach, errnoOf, ioasAlloc, vfio } from './machine-harness.js';

function setup() {
  const m = createMachine();
  m.declareDevice('m0', {});
  m.declareMemory('mf', 0x1000n, { memfd: true });
  return m;
}

describe('VFIO_DEVICE_BIND_IOMMUFD', () => {
  it('checks argsz, flags and the fd, then binds once', () => {
    const m = setup();
    const fd = m.fdNumber('iommufd');
    assert.equal(errnoOf(vfio(m, 'm0', VFIO_DEVICE_BIND_IOMMUFD, { argsz: 15, iommufd: fd })), 'EINVAL');
    assert.equal(errnoOf(vfio(m, 'm0', VFIO_DEVICE_BIND_IOMMUFD, { flags: 1, iommufd: fd })), 'EINVAL');
    assert.equal(errnoOf(vfio(m, 'm0', VFIO_DEVICE_BIND_IOMMUFD, { iommufd: -1 })), 'EINVAL');
    assert.equal(errnoOf(vfio(m, 'm0', VFIO_DEVICE_BIND_IOMMUFD, { iommufd: 42 })), 'EBADF');
    assert.equal(errnoOf(vfio(m, 'm0', VFIO_DEVICE_BIND_IOMMUFD, { iommufd: m.fdNumber('mf') })), 'EBADFD');
    assert.equal(errnoOf(m.vfioIoctl('m0', iommufdCmd(VFIO_DEVICE_BIND_IOMMUFD.nr), null)), 'EFAULT');
    const r = vfio(m, 'm0', VFIO_DEVICE_BIND_IOMMUFD, { iommufd: fd });
    assert.equal(new StructView(VFIO_DEVICE_BIND_IOMMUFD.struct, r.arg!).num('out_devid'), 1);
    assert.equal(m.users('iommufd', 1n), 2);
    assert.equal(errnoOf(vfio(m, 'm0', VFIO_DEVICE_BIND_IOMMUFD, { iommufd: fd })), 'EINVAL');
  });

  it('is ENOTTY for other commands', () => {
    const m = setup();
    assert.equal(errnoOf(m.vfioIoctl('m0', iommufdCmd(0x99), new Uint8Array(16))), 'ENOTTY');
  });
});

describe('VFIO_DEVICE_ATTACH/DETACH_IOMMUFD_PT', () => {
  it('needs a bound device, argsz up to pt_id, known flags, and argsz up to pasid with the PASID flag', () => {
    const m = setup();
    const ioas = ioasAlloc(m);
    assert.equal(errnoOf(vfio(m, 'm0', VFIO_DEVICE_ATTACH_IOMMUFD_PT, { pt_id: ioas })), 'EINVAL');
    bind(m, 'm0');
    assert.equal(errnoOf(vfio(m, 'm0', VFIO_DEVICE_ATTACH_IOMMUFD_PT, { argsz: 11, pt_id: ioas })), 'EINVAL');
    assert.equal(errnoOf(vfio(m, 'm0', VFIO_DEVICE_ATTACH_IOMMUFD_PT, { flags: 2, pt_id: ioas })), 'EINVAL');
    assert.equal(errnoOf(vfio(m, 'm0', VFIO_DEVICE_ATTACH_IOMMUFD_PT, { argsz: 12, flags: 1, pt_id: ioas })), 'EINVAL');
    assert.equal(errnoOf(vfio(m, 'm0', VFIO_DEVICE_DETACH_IOMMUFD_PT, { argsz: 7 })), 'EINVAL');
    assert.equal(errnoOf(vfio(m, 'm0', VFIO_DEVICE_DETACH_IOMMUFD_PT, { flags: 4 })), 'EINVAL');
    assert.equal(errnoOf(vfio(m, 'm0', VFIO_DEVICE_DETACH_IOMMUFD_PT, { argsz: 8, flags: 1 })), 'EINVAL');
    // Only pt_id is written back.
    const arg = new StructView(VFIO_DEVICE_ATTACH_IOMMUFD_PT.struct, new Uint8Array(16));
    arg.set('argsz', 12);
    arg.set('pt_id', ioas);
    const r = m.vfioIoctl('m0', iommufdCmd(VFIO_DEVICE_ATTACH_IOMMUFD_PT.nr), arg.bytes.subarray(0, 12));
    assert.equal(r.error, undefined);
    assert.equal(new StructView(VFIO_DEVICE_ATTACH_IOMMUFD_PT.struct, Uint8Array.from([...r.arg!, 0, 0, 0, 0])).num('pt_id'), 3);
  });

  it('attaching an attached device replaces; detaching what is not attached does nothing', () => {
    const m = setup();
    const a = ioasAlloc(m);
    const b = ioasAlloc(m);
    const d = bind(m, 'm0');
    assert.equal(errnoOf(detach(m, 'm0')), 'ok');
    assert.equal(errnoOf(detach(m, 'm0', 5)), 'ok');
    const h1 = attachOk(m, 'm0', a);
    const h2 = attachOk(m, 'm0', b);
    assert.equal(m.exists('iommufd', BigInt(h1)), false);
    assert.equal(m.attached('iommufd', BigInt(d)), h2);
    assert.equal(m.users('iommufd', BigInt(d)), 3);
  });

  it('close detaches everything and unbinds; the device can be bound again', () => {
    const m = setup();
    const a = ioasAlloc(m);
    bind(m, 'm0');
    attachOk(m, 'm0', a);
    m.vfioClose('m0');
    assert.equal(m.owner('m0'), 'none');
    assert.equal(m.users('iommufd', BigInt(a)), 1);
    assert.equal(bind(m, 'm0'), 2);
  });
});
