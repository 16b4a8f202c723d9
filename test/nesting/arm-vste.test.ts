// The arm_smmuv3 vIOMMU and its vSTE nested HWPTs: allocation checks in the
// kernel's order (flags, copy, arm_smmu_validate_vste), attach refusals, and
// what an abort or bypass vSTE does to DMA.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { attach, attachOk, bind, createMachine, errnoOf, hwptAllocOk, ioasAlloc, ioctl } from '../engine/machine-harness.js';
import { out, vdeviceAllocOk } from './nesting-harness.js';
import { ARM_VIOMMU, armGuest, faultOf, nestedAlloc, read32, ste0, VSID, vsteData } from './arm-harness.js';

describe('arm_smmuv3 vIOMMU', () => {
  it('needs an SMMUv3 device and a nest-parent stage 2', () => {
    const m = createMachine();
    m.declareIommu('smmu0', { model: 'smmuv3' });
    m.declareDevice('nic0', { iommu: 'smmu0' });
    m.declareIommu('iommu1', { model: 'mock' });
    m.declareDevice('mock0', { iommu: 'iommu1' });
    const dev = bind(m, 'nic0');
    const mock = bind(m, 'mock0');
    const ioas = ioasAlloc(m);
    const s1 = hwptAllocOk(m, dev, ioas);
    const s2 = hwptAllocOk(m, dev, ioas, { flags: 1 });
    const alloc = (d: number, h: number, type: number) => errnoOf(ioctl(m, 'IOMMU_VIOMMU_ALLOC', { dev_id: d, hwpt_id: h, type }));
    assert.equal(alloc(dev, s1, ARM_VIOMMU), 'EINVAL');
    assert.equal(alloc(mock, s2, ARM_VIOMMU), 'EOPNOTSUPP');
    assert.equal(alloc(dev, s2, 0xdeadbeef), 'EOPNOTSUPP');
    assert.equal(alloc(dev, s2, ARM_VIOMMU), 'ok');
  });
});

describe('HWPT_ALLOC of an arm_smmuv3 nested HWPT', () => {
  it('checks flags, then the copy, then the vSTE (EIO for what a guest may not set)', () => {
    const g = armGuest();
    const errno = (s0: bigint, s1 = 0n) => errnoOf(nestedAlloc(g, s0, s1));
    assert.equal(errnoOf(nestedAlloc(g, 1n << 58n, 0n, { flags: 8 })), 'EOPNOTSUPP', 'flags before the data');
    assert.equal(errnoOf(ioctl(g.m, 'IOMMU_HWPT_ALLOC', { dev_id: g.dev, pt_id: g.viommu, ...vsteData(g.m, ste0(g.cdt), 0n, 8) })), 'EINVAL', 'shorter than ste[2]');
    assert.equal(errnoOf(ioctl(g.m, 'IOMMU_HWPT_ALLOC', { dev_id: g.dev, pt_id: g.viommu, ...vsteData(g.m, ste0(g.cdt), 0n, 24, 1) })), 'E2BIG');
    assert.equal(errnoOf(ioctl(g.m, 'IOMMU_HWPT_ALLOC', { dev_id: g.dev, pt_id: g.viommu, ...vsteData(g.m, ste0(g.cdt)), data_type: 1 })), 'EINVAL', 'vtd_s1 data');
    assert.equal(errno(ste0(g.cdt) | (1n << 54n)), 'EIO', 'dword0 bit 54 is not a stage-1 field');
    assert.equal(errno(ste0(g.cdt), 1n << 8n), 'EIO', 'dword1 bit 8 (S1CIR is [3:2], SHCFG... not allowed)');
    for (const cfg of [1n, 2n, 3n, 6n, 7n]) assert.equal(errno(g.cdt | 1n | (cfg << 1n)), 'EIO', `Config ${cfg}`);
    assert.equal(errno(ste0(g.cdt), 2n << 28n), 'EIO', 'EATS 2 (S1 check only)');
    assert.equal(errno(ste0(g.cdt), 1n << 28n), 'ok', 'EATS 1 (full ATS)');
    assert.equal(errno((1n << 54n) | 0xen), 'ok', 'a non-valid vSTE is zeroed, whatever else it sets');
    assert.equal(errno(1n | (4n << 1n)), 'ok', 'bypass');
    assert.equal(errno(1n), 'ok', 'abort');
  });

  it('attaching a translating vSTE needs a vDEVICE; abort and bypass do not', () => {
    const g = armGuest();
    const id = (s0: bigint) => out(nestedAlloc(g, s0), 'IOMMU_HWPT_ALLOC').num('out_hwpt_id');
    const translate = id(ste0(g.cdt));
    const bypass = id(1n | (4n << 1n));
    const abort = id(1n);
    assert.equal(errnoOf(attach(g.m, 'nic0', translate)), 'ENOENT');
    attachOk(g.m, 'nic0', abort);
    assert.equal(faultOf(read32(g.m, g.ram)).kind, 'blocked', 'abort: no translation');
    assert.equal(faultOf(read32(g.m, g.ram)).event, undefined, 'an abort STE raises no event');
    attachOk(g.m, 'nic0', bypass);
    const r = read32(g.m, g.ram);
    assert.ok(r.ok && 'value' in r && r.value === 0xfeedfacen, 'bypass: stage 2 only (IPA == VMM address)');
    vdeviceAllocOk(g.m, g.viommu, g.dev, VSID);
    attachOk(g.m, 'nic0', translate);
  });
});
