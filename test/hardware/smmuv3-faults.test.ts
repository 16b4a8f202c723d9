// SMMUv3 fault records (iommu-hardware §1.4, §4.3): one test per fault kind,
// checking the event id, CLASS, S2, level and the raw event record.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IOMMU_READ, IOMMU_WRITE } from '../../emulator/engine/core/domain.js';
import { Smmuv3Driver, SMMU_MSI_WINDOW } from '../../emulator/engine/drivers/smmuv3/smmuv3-driver.js';
import { PhysMem } from '../../emulator/engine/memory/physmem.js';
import { StatementLine } from '../../emulator/engine/statement-line.js';
import { HWPT_ALLOC_FLAGS } from '../../emulator/engine/uapi/iommufd.js';
import { LPAE_AF } from '../../emulator/engine/pgtable/arm-lpae.js';
import type { Device } from '../../emulator/engine/core/device.js';
import type { KernelError } from '../../emulator/engine/errno.js';
import { faultOf, hwMachine, poke, read32, write32 } from './hw-fixture.js';

const RW = IOMMU_READ | IOMMU_WRITE;

describe('SMMUv3 faults', () => {
  it('F_TRANSLATION: an invalid descriptor, with the raw record Linux would dump', () => {
    const { m, page } = hwMachine({ model: 'smmuv3' }, 0x20600);
    m.kernelMap('nic0', 0x10000n, page, 0x1000n, RW);
    assert.equal((read32(m, 0x10000n) as { value: bigint }).value, 0xcafef00dn);
    const f = faultOf(write32(m, 0x11000n));
    assert.equal(f.kind, 'translation');
    assert.equal(f.event, 0x10);
    assert.equal(f.class, 2);
    assert.equal(f.s2, false);
    assert.equal(f.stage, 1);
    assert.equal(f.level, 3, 'the L3 table exists; its entry for 0x11000 is invalid');
    // dword0 = SID 0x20600 << 32 | id 0x10; dword1 = CLASS 2 (bit 41), RnW 0 (write), S2 0; dword2 = IOVA.
    assert.deepEqual(f.raw, [0x0002_0600_0000_0010n, 0x0000_0200_0000_0000n, 0x11000n, 0n]);
    assert.deepEqual(f.log?.slice(-2), [
      'event: F_TRANSLATION client: nic0 sid: 0x20600 ssid: 0x0 iova: 0x11000 ipa: 0x0',
      'unpriv data write s1 "Input address caused fault" stag: 0x0',
    ]);
    assert.equal(m.lastFault('nic0')?.event, 0x10);
    // A read sets RnW (dword1 bit 35); an unmapped top-level entry stops at level 0.
    const r = faultOf(read32(m, 0x80_0000_0000n));
    assert.equal(r.level, 0);
    assert.equal(r.raw![1], (1n << 35n) | (2n << 40n));
  });

  it('F_PERMISSION: a write to a read-only (AP[2]) page', () => {
    const { m, page } = hwMachine({ model: 'smmuv3' });
    m.kernelMap('nic0', 0x10000n, page, 0x1000n, IOMMU_READ);
    assert.equal(read32(m, 0x10000n).ok, true);
    const f = faultOf(write32(m, 0x10000n));
    assert.equal(f.kind, 'permission');
    assert.equal(f.event, 0x13);
    assert.equal(f.level, 3);
    assert.equal(f.class, 2);
  });

  it('F_ACCESS: a leaf with AF clear without HTTU; with HTTU the hardware sets AF', () => {
    const noHttu = hwMachine({ model: 'smmuv3', switches: ['no_httu'] });
    noHttu.m.kernelMap('nic0', 0x10000n, noHttu.page, 0x1000n, RW);
    poke(noHttu, 0x10000n, 3, (e) => e & ~LPAE_AF);
    const f = faultOf(read32(noHttu.m, 0x10000n));
    assert.equal(f.kind, 'access_flag');
    assert.equal(f.event, 0x12);
    assert.equal(f.level, 3);

    const httu = hwMachine({ model: 'smmuv3' });
    httu.m.kernelMap('nic0', 0x10000n, httu.page, 0x1000n, RW);
    poke(httu, 0x10000n, 3, (e) => e & ~LPAE_AF);
    assert.equal(read32(httu.m, 0x10000n).ok, true);
    assert.equal(httu.dma.pte(0x10000n, 3)! & LPAE_AF, LPAE_AF);
  });

  it('access flag is checked before permission', () => {
    const fx = hwMachine({ model: 'smmuv3', switches: ['no_httu'] });
    fx.m.kernelMap('nic0', 0x10000n, fx.page, 0x1000n, IOMMU_READ);
    poke(fx, 0x10000n, 3, (e) => e & ~LPAE_AF);
    assert.equal(faultOf(write32(fx.m, 0x10000n)).event, 0x12);
  });

  it('F_ADDR_SIZE: an output address beyond OAS (written by someone other than io-pgtable, which refuses it)', () => {
    const fx = hwMachine({ model: 'smmuv3', oas: 40 });
    assert.throws(() => fx.m.kernelMap('nic0', 0x10000n, 1n << 41n, 0x1000n, RW), (e: KernelError) => e.errno === 'ERANGE');
    fx.m.kernelMap('nic0', 0x10000n, fx.page, 0x1000n, RW);
    poke(fx, 0x10000n, 3, (e) => e | (1n << 41n));
    const f = faultOf(read32(fx.m, 0x10000n));
    assert.equal(f.kind, 'address_size');
    assert.equal(f.event, 0x11);
  });

  it('F_TRANSLATION: a reserved descriptor (0b01 at level 3)', () => {
    const fx = hwMachine({ model: 'smmuv3' });
    fx.m.kernelMap('nic0', 0x10000n, fx.page, 0x1000n, RW);
    poke(fx, 0x10000n, 3, (e) => e & ~2n);
    const f = faultOf(read32(fx.m, 0x10000n));
    assert.equal(f.event, 0x10);
    assert.equal(f.level, 3);
  });

  it('stage-2 faults set S2 and report the IPA', () => {
    const drv = new Smmuv3Driver(new PhysMem(), { model: 'smmuv3' }, new StatementLine());
    const s2 = drv.allocPaging({} as Device, HWPT_ALLOC_FLAGS.nest_parent, undefined);
    s2.map(0x4000_0000n, 0x1_0000_0000n, 0x1000n, IOMMU_READ);
    const miss = s2.translate(0x4000_1000n, false, true);
    assert.ok(!miss.ok);
    assert.deepEqual([miss.kind, miss.stage, miss.record?.event, miss.record?.s2, miss.record?.ipa], ['translation', 2, 0x10, true, 0x4000_1000n]);
    const perm = s2.translate(0x4000_0000n, true, true);
    assert.ok(!perm.ok);
    assert.deepEqual([perm.kind, perm.record?.event, perm.record?.s2], ['permission', 0x13, true]);
  });

  it('reserves the MSI window on every device and reports its IDRs', () => {
    const { m } = hwMachine({ model: 'smmuv3' });
    assert.deepEqual(m.host.device('nic0').reserved, [SMMU_MSI_WINDOW]);
    const info = m.host.device('nic0').iommu.driver.hwInfo(m.host.device('nic0'), 0n);
    assert.equal(info.type, 2n);
    assert.equal(info.data.length, 40);
    // IDR5 (bytes 28..31): OAS 48 = encoding 5, GRAN4K|16K|64K = 0x70.
    assert.equal(info.data[28], 0x75);
  });
});
