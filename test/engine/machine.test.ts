// The machine's own rules: topology declarations, the implicit iommu0, fd
// numbers, the ioctl scratch area, CPU access and the dispatch of ioctls.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { iommufdCmd } from '../../emulator/engine/uapi/iommufd.js';
import { attachOk, bind, createMachine, errnoOf, ioasAlloc, ioctl, mapFixed } from './machine-harness.js';

describe('topology', () => {
  it('creates iommu0 (mock) for the first device without iommu=, unless the trace declared it', () => {
    const m = createMachine();
    m.declareDevice('m0', {});
    assert.equal(m.host.device('m0').iommu.name, 'iommu0');
    assert.throws(() => m.declareIommu('iommu0', { model: 'mock' }), /already declared/);
    const m2 = createMachine();
    m2.declareIommu('iommu0', { model: 'mock' });
    m2.declareDevice('m0', {});
    assert.equal(m2.host.iommus.size, 1);
  });

  it('needs iommu= when there are several, and refuses unknown models', () => {
    const m = createMachine();
    m.declareIommu('a', { model: 'mock' });
    m.declareIommu('b', { model: 'mock' });
    assert.throws(() => m.declareDevice('d', {}), /several IOMMUs/);
    m.declareDevice('d', { iommu: 'b' });
    assert.throws(() => m.declareDevice('e', { iommu: 'c' }), /no iommu named c/);
    assert.throws(() => m.declareIommu('s', { model: 'amd' as 'mock' }), /unknown model amd/);
  });

  it('puts devices with the same group= behind one iommu_group, others alone', () => {
    const m = createMachine();
    m.declareDevice('a', { group: 3 });
    m.declareDevice('b', { group: 3 });
    m.declareDevice('c', {});
    assert.equal(m.host.device('a').group, m.host.device('b').group);
    assert.notEqual(m.host.device('a').group, m.host.device('c').group);
  });

  it('declares processes and memory; CPU accesses fault outside declared memory', () => {
    const m = createMachine();
    m.declareProcess('guest');
    const va = m.declareMemory('ram', 0x2000n, { process: 'guest' });
    m.cpuStore(va + 8n, 2, 0xbeefn, 'guest');
    assert.equal(m.cpuLoad(va + 8n, 2, 'guest'), 0xbeefn);
    assert.equal(m.pa(va + 8n), undefined); // not in the VMM
    assert.equal(errnoOf(() => m.cpuLoad(0x1000n, 4)), 'EFAULT');
    m.munmap(va, 0x1000n, 'guest');
    assert.equal(errnoOf(() => m.cpuLoad(va, 4, 'guest')), 'EFAULT');
  });
});

describe('ioctls', () => {
  it('hands nr below 0x80 to the VFIO compat layer (ENOTTY) and gives ENOTTY for empty slots', () => {
    const m = createMachine();
    assert.equal(errnoOf(m.ioctl('iommufd', 0x3b7f, new Uint8Array(8))), 'ENOTTY');
    assert.equal(errnoOf(m.ioctl('iommufd', iommufdCmd(0x95), new Uint8Array(8).fill(0, 0))), 'ENOTTY');
  });

  it('runs the framework checks before the handler', () => {
    const m = createMachine();
    assert.equal(errnoOf(ioctl(m, 'IOMMU_DESTROY', { size: 7 })), 'EINVAL');
    const long = new Uint8Array(16);
    long[0] = 16;
    long[12] = 1;
    assert.equal(errnoOf(m.ioctl('iommufd', iommufdCmd(0x80), long)), 'E2BIG');
  });

  it('uses the named fd: another iommufd has its own ids', () => {
    const m = createMachine();
    m.openIommufd('b');
    assert.equal(errnoOf(ioctl(m, 'IOMMU_IOAS_ALLOC', {}, 'b')), 'ok');
    assert.equal(m.exists('b', 1n), true);
    assert.equal(m.exists('iommufd', 1n), false);
    assert.throws(() => m.ioctl('nope', 0x3b80, null), /no iommufd named nope/);
  });
});

describe('queries', () => {
  it('pinned() counts the IO page set that a domain-backed map pins, and mapped() follows the IOAS', () => {
    const m = createMachine();
    m.declareDevice('m0', {});
    m.declareMemory('buf', 0x2000n, { at: 0x40000000n });
    const ioas = ioasAlloc(m);
    bind(m, 'm0');
    const hwpt = attachOk(m, 'm0', ioas);
    assert.equal(m.pinned(0x40000000n), 0);
    mapFixed(m, ioas, 0x40000000n, 0x2000n, 0x1000000n);
    assert.equal(m.pinned(0x40001000n), 1);
    assert.equal(m.mapped('iommufd', BigInt(ioas), 0x1001fffn), true);
    assert.equal(m.mapped('iommufd', BigInt(hwpt), 0x1001fffn), true);
    assert.equal(m.mapped('iommufd', BigInt(hwpt), 0x1002000n), false);
    assert.throws(() => m.users('iommufd', 42n), /no object 42/);
    assert.throws(() => m.attached('iommufd', BigInt(ioas)), /not a DEVICE/);
  });
});

describe('scratch memory', () => {
  it('places payloads in the VMM at a fixed address, grows past 1 MiB, and restarts after reset', () => {
    const m = createMachine();
    const a = m.userScratch(new Uint8Array([1, 2, 3]));
    const b = m.userScratch(new Uint8Array([4]));
    assert.equal(a, 0x7fff_0000_0000n);
    assert.equal(b, a + 8n);
    assert.deepEqual([...m.readUser(a, 3)], [1, 2, 3]);
    const big = m.userScratch(new Uint8Array(0x180000).fill(7));
    assert.equal(m.readUser(big + 0x17ffffn, 1)[0], 7);
    m.resetScratch();
    assert.equal(m.userScratch(new Uint8Array([9])), a);
  });
});
