// VT-d fault records (iommu-hardware §2, §4.5): one test per fault kind and
// stage, checking the fault reason, the level and the 128-bit record.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IOMMU_CACHE, IOMMU_READ, IOMMU_WRITE } from '../../emulator/engine/core/domain.js';
import type { Device } from '../../emulator/engine/core/device.js';
import type { HwPagingDomain } from '../../emulator/engine/drivers/hw-paging-domain.js';
import { VtdDriver, VTD_IRQ_WINDOW } from '../../emulator/engine/drivers/vtd/vtd-driver.js';
import { PhysMem } from '../../emulator/engine/memory/physmem.js';
import { VTDSS_A, VTDSS_D } from '../../emulator/engine/pgtable/vtd-ss.js';
import { X86_A, X86_D } from '../../emulator/engine/pgtable/x86-64.js';
import { X86_PS } from '../../emulator/engine/pgtable/x86-levels.js';
import { StatementLine } from '../../emulator/engine/statement-line.js';
import { HWPT_ALLOC_FLAGS } from '../../emulator/engine/uapi/iommufd.js';
import { faultOf, hwMachine, poke, read32, write32 } from './hw-fixture.js';

const RW = IOMMU_READ | IOMMU_WRITE;

function secondStage(flags: bigint = HWPT_ALLOC_FLAGS.nest_parent) {
  const drv = new VtdDriver(new PhysMem(), { model: 'vtd' }, new StatementLine());
  return drv.allocPaging({} as Device, flags, undefined) as HwPagingDomain;
}

describe('VT-d first-stage faults', () => {
  it('0x71: present bit clear, with the primary fault record and the DMAR line', () => {
    const { m, page } = hwMachine({ model: 'vtd' }, 0x0210); // 02:02.0
    m.kernelMap('nic0', 0x10000n, page, 0x1000n, RW);
    const f = faultOf(read32(m, 0x11234n));
    assert.deepEqual([f.kind, f.reason, f.level, f.stage], ['translation', 0x71, 1, 1]);
    // qword 0 = page address; qword 1 = SID 0x0210 | FR 0x71 << 32 | T (read) << 62 | F << 63.
    assert.deepEqual(f.raw, [0x11000n, 0x0210n | (0x71n << 32n) | (1n << 62n) | (1n << 63n)]);
    assert.equal(f.log?.[1], 'DMAR: [DMA Read NO_PASID] Request device [02:02.0] fault addr 0x11000 [fault reason 0x71] SM: Present bit in first-level paging entry is clear');
  });

  it('0x85: a write to a read-only leaf', () => {
    const { m, page } = hwMachine({ model: 'vtd' });
    m.kernelMap('nic0', 0x10000n, page, 0x1000n, IOMMU_READ);
    const f = faultOf(write32(m, 0x10000n));
    assert.deepEqual([f.kind, f.reason, f.level], ['permission', 0x85, 1]);
    assert.equal(f.raw![1] >> 62n, 2n, 'T = 0 (write), F = 1');
  });

  it('0x72: a reserved bit (PS in a PML4 entry)', () => {
    const fx = hwMachine({ model: 'vtd' });
    fx.m.kernelMap('nic0', 0x10000n, fx.page, 0x1000n, RW);
    poke(fx, 0x10000n, 4, (e) => e | X86_PS);
    const f = faultOf(read32(fx.m, 0x10000n));
    assert.deepEqual([f.kind, f.reason, f.level], ['translation', 0x72, 4]);
  });

  it('0x80: a non-canonical input address', () => {
    const { m } = hwMachine({ model: 'vtd' });
    const f = faultOf(read32(m, 0x8000_0000_0000n));
    assert.deepEqual([f.kind, f.reason], ['translation', 0x80]);
  });

  it('hardware sets A on access and D on a write', () => {
    const { m, page, dma } = hwMachine({ model: 'vtd' });
    m.kernelMap('nic0', 0x10000n, page, 0x1000n, RW);
    // Linux already writes A|D into writable first-stage leaves; clear them to watch the hardware.
    const slot = dma.table.walk(0x10000n, 1);
    assert.ok(slot.ok);
    m.host.phys.store(slot.leaf.slot, 8, slot.leaf.descriptor & ~(X86_A | X86_D));
    assert.equal(read32(m, 0x10000n).ok, true);
    assert.equal(dma.pte(0x10000n, 1)! & (X86_A | X86_D), X86_A);
  });

  it('reserves the interrupt window and reports CAP/ECAP', () => {
    const { m } = hwMachine({ model: 'vtd' });
    const dev = m.host.device('nic0');
    assert.deepEqual(dev.reserved, [VTD_IRQ_WINDOW]);
    const info = dev.iommu.driver.hwInfo(dev, 0n);
    assert.equal(info.type, 1n);
    assert.equal(info.data.length, 24);
  });
});

describe('VT-d second-stage faults', () => {
  it('an entry that grants nothing is not present: 0x06 on read, 0x05 on write', () => {
    const d = secondStage();
    const r = d.translate(0x1000n, false, true);
    assert.ok(!r.ok);
    assert.deepEqual([r.kind, r.record?.reason, r.level], ['translation', 0x06, 4]);
    const w = d.translate(0x1000n, true, true);
    assert.ok(!w.ok);
    assert.equal(w.record?.reason, 0x05);
  });

  it('permission: a write to an R-only leaf is 0x05', () => {
    const d = secondStage();
    d.map(0x1000n, 0x9000n, 0x1000n, IOMMU_READ | IOMMU_CACHE);
    const w = d.translate(0x1000n, true, true);
    assert.ok(!w.ok);
    assert.deepEqual([w.kind, w.record?.reason, w.level], ['permission', 0x05, 1]);
  });

  it('0x04: beyond the address width; 0x7a: reserved superpage address bits', () => {
    const d = secondStage();
    const r = d.translate(1n << 48n, false, true);
    assert.ok(!r.ok);
    assert.deepEqual([r.kind, r.record?.reason], ['address_size', 0x04]);
    d.map(0x20_0000n, 0x4020_0000n, 0x20_0000n, RW);
    const w = d.table.walk(0x20_0000n, 2);
    assert.ok(w.ok);
    d.table.mem.store(w.leaf.slot, 8, w.leaf.descriptor | 0x1000n);
    const f = d.translate(0x20_0000n, false, true);
    assert.ok(!f.ok);
    assert.deepEqual([f.kind, f.record?.reason, f.level], ['translation', 0x7a, 2]);
  });

  it('A/D are set only while dirty tracking is on (SSADE)', () => {
    const d = secondStage(HWPT_ALLOC_FLAGS.dirty_tracking);
    d.map(0x1000n, 0x9000n, 0x1000n, RW);
    assert.ok(d.translate(0x1000n, true, true).ok);
    assert.equal(d.pte(0x1000n, 1)! & (VTDSS_A | VTDSS_D), 0n);
    d.setDirtyTracking(true);
    d.map(0x2000n, 0xa000n, 0x1000n, RW);
    assert.ok(d.translate(0x2000n, true, true).ok);
    assert.equal(d.pte(0x2000n, 1)! & (VTDSS_A | VTDSS_D), VTDSS_A | VTDSS_D);
    assert.deepEqual(d.readAndClearDirty(0n, 0x10000n, false), [0x2000n]);
    assert.equal(d.pte(0x2000n, 1)! & VTDSS_D, 0n);
  });
});

describe('VT-d second-stage dirty tracking through the IOTLB', () => {
  it('a write through an entry cached by a read still sets D', () => {
    const d = secondStage(HWPT_ALLOC_FLAGS.dirty_tracking);
    d.map(0x1000n, 0x9000n, 0x1000n, RW);
    d.setDirtyTracking(true);
    assert.ok(d.translate(0x1000n, false, true).ok);
    assert.equal(d.pte(0x1000n, 1)! & VTDSS_D, 0n);
    assert.ok(d.translate(0x1000n, true, true).ok);
    assert.equal(d.pte(0x1000n, 1)! & VTDSS_D, VTDSS_D);
  });
});
