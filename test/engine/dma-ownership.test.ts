// DMA ownership of iommu_groups (iommufd-reference §4.3): kernel drivers
// versus iommufd binds, per group, and the owner() query.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VFIO_DEVICE_BIND_IOMMUFD } from '../../emulator/engine/uapi/vfio.js';
import { attachOk, bind, createMachine, errnoOf, ioasAlloc, vfio } from './machine-harness.js';

function groupMachine() {
  const m = createMachine();
  m.declareDevice('a', { group: 1 });
  m.declareDevice('b', { group: 1 });
  m.declareDevice('c', {});
  return m;
}

const bindErrno = (m: ReturnType<typeof createMachine>, dev: string, fd = 'iommufd') =>
  errnoOf(vfio(m, dev, VFIO_DEVICE_BIND_IOMMUFD, { iommufd: m.fdNumber(fd) }));

describe('DMA ownership', () => {
  it('starts unowned; a kernel driver makes the group kernel-owned; remove returns it', () => {
    const m = groupMachine();
    assert.equal(m.owner('a'), 'none');
    m.driverProbe('a');
    assert.equal(m.owner('a'), 'kernel');
    assert.equal(m.owner('b'), 'kernel');
    assert.equal(m.owner('c'), 'none');
    m.driverRemove('a');
    assert.equal(m.owner('b'), 'none');
  });

  it('an iommufd bind is EPERM while a kernel driver owns any device of the group', () => {
    const m = groupMachine();
    m.driverProbe('a');
    assert.equal(bindErrno(m, 'b'), 'EPERM');
    m.driverRemove('a');
    assert.equal(bindErrno(m, 'b'), 'ok');
    assert.equal(m.owner('a'), 'user');
  });

  it('a kernel driver probe is EBUSY while the group is owned by user space', () => {
    const m = groupMachine();
    bind(m, 'a');
    assert.equal(errnoOf(() => m.driverProbe('b')), 'EBUSY');
    assert.equal(errnoOf(() => m.driverProbe('c')), 'ok');
  });

  it('two kernel drivers in one group count twice', () => {
    const m = groupMachine();
    m.driverProbe('a');
    m.driverProbe('b');
    m.driverRemove('a');
    assert.equal(m.owner('a'), 'kernel');
    m.driverRemove('b');
    assert.equal(m.owner('a'), 'none');
  });

  it('devices of one group share the owner on one iommufd; another iommufd is EPERM', () => {
    const m = groupMachine();
    m.openIommufd('other');
    bind(m, 'a', 'iommufd');
    assert.equal(bindErrno(m, 'b', 'other'), 'EPERM');
    bind(m, 'b', 'iommufd');
    m.vfioClose('a');
    assert.equal(m.owner('b'), 'user');
    m.vfioClose('b');
    assert.equal(m.owner('b'), 'none');
    assert.equal(bindErrno(m, 'b', 'other'), 'ok');
  });

  it('unbinding the last device puts the group back on its default domain (DMA blocked on the mock)', () => {
    const m = groupMachine();
    m.declareMemory('buf', 0x1000n, { at: 0x40000000n });
    const ioas = ioasAlloc(m);
    bind(m, 'c');
    attachOk(m, 'c', ioas);
    m.vfioClose('c');
    const r = m.dma('c', { write: false, iova: 0x1000000n, width: 4 });
    assert.ok(!r.ok && r.fault.kind === 'blocked');
  });

  it('kernel_map needs a DMA-API default domain: the mock has none (EINVAL)', () => {
    const m = groupMachine();
    m.driverProbe('c');
    assert.equal(errnoOf(() => m.kernelMap('c', 0x1000n, 0x1_0000_0000n, 0x1000n, 3)), 'EINVAL');
    assert.equal(errnoOf(() => m.kernelUnmap('c', 0x1000n, 0x1000n)), 'EINVAL');
  });
});
