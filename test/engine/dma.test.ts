// Device DMA (iommufd-reference §4.4): which domain applies, walking the
// mock page table into host memory, faults and the last fault record.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ioctlDef } from '../../emulator/engine/uapi/iommufd.js';
import { attachOk, bind, createMachine, detach, errnoOf, hwptAllocOk, ioasAlloc, ioctl, mapFixed, ok } from './machine-harness.js';

const BUF = 0x40000000n;
const IOVA = 0x1000000n;

function attachedMachine(flags = 7) {
  const m = createMachine();
  m.declareDevice('m0', {});
  m.declareMemory('buf', 0x10000n, { at: BUF });
  const ioas = ioasAlloc(m);
  const dev = bind(m, 'm0');
  const hwpt = attachOk(m, 'm0', ioas);
  assert.equal(errnoOf(mapFixed(m, ioas, BUF, 0x10000n, IOVA, flags)), 'ok');
  return { m, ioas, dev, hwpt };
}

describe('DMA', () => {
  it('is blocked for an unowned mock device (its default domain is the blocked domain)', () => {
    const m = createMachine();
    m.declareDevice('m0', {});
    const r = m.dma('m0', { write: false, iova: IOVA, width: 4 });
    assert.ok(!r.ok);
    assert.equal(r.fault.kind, 'blocked');
    assert.equal(m.lastFault('m0')?.kind, 'blocked');
  });

  it('is blocked while bound but not attached, and again after detach', () => {
    const { m } = attachedMachine();
    assert.ok(m.dma('m0', { write: false, iova: IOVA, width: 4 }).ok);
    detach(m, 'm0');
    const r = m.dma('m0', { write: false, iova: IOVA, width: 4 });
    assert.ok(!r.ok && r.fault.kind === 'blocked');
  });

  it('reads what the CPU wrote and writes what the CPU reads, through the IOAS mapping', () => {
    const { m } = attachedMachine();
    m.cpuStore(BUF + 0x1230n, 4, 0xdeadbeefn);
    const r = m.dma('m0', { write: false, iova: IOVA + 0x1230n, width: 4 });
    assert.ok(r.ok);
    assert.equal(r.value, 0xdeadbeefn);
    assert.equal(r.pa, m.pa(BUF + 0x1230n));
    assert.ok(m.dma('m0', { write: true, iova: IOVA + 0x2000n, width: 8, value: 0x1122334455667788n }).ok);
    assert.equal(m.cpuLoad(BUF + 0x2000n, 8), 0x1122334455667788n);
  });

  it('moves a burst across granules, filling bytes', () => {
    const { m } = attachedMachine();
    assert.ok(m.dma('m0', { write: true, iova: IOVA + 0x700n, len: 0x1000, fill: 0xab }).ok);
    assert.equal(m.cpuLoad(BUF + 0x700n, 1), 0xabn);
    assert.equal(m.cpuLoad(BUF + 0x16ffn, 1), 0xabn);
    assert.equal(m.cpuLoad(BUF + 0x1700n, 1), 0n);
    const r = m.dma('m0', { write: false, iova: IOVA + 0x6f0n, len: 0x20 });
    assert.ok(r.ok);
    assert.deepEqual([...r.data!.subarray(0x0f, 0x11)], [0, 0xab]);
  });

  it('faults with translation where nothing is mapped, and records where the walk stopped', () => {
    const { m } = attachedMachine();
    const r = m.dma('m0', { write: false, iova: IOVA + 0x10000n, width: 4 });
    assert.ok(!r.ok);
    assert.equal(r.fault.kind, 'translation');
    assert.equal(r.fault.level, 1);
    assert.equal(r.fault.addr, IOVA + 0x10000n);
    assert.deepEqual(m.lastFault('m0'), r.fault);
    assert.deepEqual(m.walk('m0', IOVA + 0x10000n).map((s) => s.level), [3, 2, 1]);
  });

  it('faults with permission when writing a read-only mapping', () => {
    const { m } = attachedMachine(5); // fixed_iova | readable
    assert.ok(m.dma('m0', { write: false, iova: IOVA, width: 4 }).ok);
    const r = m.dma('m0', { write: true, iova: IOVA, width: 4, value: 1n });
    assert.ok(!r.ok && r.fault.kind === 'permission' && r.fault.write);
  });

  it('translate() reports the address of a write-only mapping, which a DMA read cannot use', () => {
    const { m } = attachedMachine(3); // fixed_iova | writeable
    assert.deepEqual(m.translate('m0', IOVA + 4n), { pa: m.pa(BUF + 4n) });
    const r = m.dma('m0', { write: false, iova: IOVA, width: 4 });
    assert.ok(!r.ok && r.fault.kind === 'permission' && !r.fault.write);
  });

  it('answers translate/root/pte queries from the same tables', () => {
    const { m, hwpt } = attachedMachine();
    const t = m.translate('m0', IOVA + 0x804n);
    assert.deepEqual(t, { pa: m.pa(BUF + 0x804n) });
    const steps = m.walk('m0', IOVA);
    assert.equal(steps[0]!.table, m.root('iommufd', BigInt(hwpt)));
    assert.equal(m.pte('iommufd', BigInt(hwpt), IOVA, 3), steps[0]!.descriptor);
    assert.equal(m.physLoad(steps[2]!.table + BigInt(steps[2]!.index) * 8n, 8) & ~0x20n, steps[2]!.descriptor & ~0x20n);
    assert.throws(() => m.pte('iommufd', BigInt(hwpt), 0x7000_0000n, 1), /does not reach level 1/);
  });

  it('gives pasid faults for a device without PASIDs and blocked for an empty PASID', () => {
    const m = createMachine();
    m.declareDevice('m0', {});
    m.declareDevice('mp', { pasidBits: 20 });
    const r0 = m.dma('m0', { write: false, iova: IOVA, width: 4, pasid: 5 });
    assert.ok(!r0.ok && r0.fault.kind === 'pasid');
    const r1 = m.dma('mp', { write: false, iova: IOVA, width: 4, pasid: 1 << 20 });
    assert.ok(!r1.ok && r1.fault.kind === 'pasid');
    const r2 = m.dma('mp', { write: false, iova: IOVA, width: 4, pasid: 5 });
    assert.ok(!r2.ok && r2.fault.kind === 'blocked');
  });

  it('goes through the HWPT attached at a PASID', () => {
    const m = createMachine();
    m.declareDevice('mp', { pasidBits: 20 });
    m.declareMemory('buf', 0x10000n, { at: BUF });
    const ioas = ioasAlloc(m);
    const dev = bind(m, 'mp');
    const s2 = hwptAllocOk(m, dev, ioas, { flags: 8 });
    attachOk(m, 'mp', s2, 7);
    mapFixed(m, ioas, BUF, 0x10000n, IOVA);
    m.cpuStore(BUF, 4, 0x5a5an);
    const r = m.dma('mp', { write: false, iova: IOVA, width: 4, pasid: 7 });
    assert.ok(r.ok && r.value === 0x5a5an);
    // The RID is still blocked.
    assert.ok(!m.dma('mp', { write: false, iova: IOVA, width: 4 }).ok);
  });

  it('a nested mock HWPT translates as its parent', () => {
    const m = createMachine();
    m.declareDevice('m0', {});
    m.declareMemory('buf', 0x10000n, { at: BUF });
    const ioas = ioasAlloc(m);
    const dev = bind(m, 'm0');
    const parent = hwptAllocOk(m, dev, ioas, { flags: 1 });
    const b = new Uint8Array(8);
    const nested = hwptAllocOk(m, dev, parent, { data_type: 0xdead, data_len: 8, data_uptr: m.userScratch(b) });
    assert.equal(attachOk(m, 'm0', nested), nested);
    mapFixed(m, ioas, BUF, 0x10000n, IOVA);
    assert.deepEqual(m.translate('m0', IOVA + 8n), { pa: m.pa(BUF + 8n) });
    assert.equal(m.root('iommufd', BigInt(nested)), m.root('iommufd', BigInt(parent)));
  });

  it('dirty tracking: DMA writes become bits of GET_DIRTY_BITMAP, cleared unless no_clear', () => {
    const m = createMachine();
    m.declareDevice('m0', {});
    m.declareMemory('buf', 0x10000n, { at: BUF });
    m.declareMemory('bitmap', 0x1000n, { at: 0x50000000n });
    const ioas = ioasAlloc(m);
    const dev = bind(m, 'm0');
    const h = hwptAllocOk(m, dev, ioas, { flags: 2 });
    attachOk(m, 'm0', h);
    mapFixed(m, ioas, BUF, 0x10000n, IOVA);
    m.dma('m0', { write: true, iova: IOVA + 0x100n, width: 4, value: 1n }); // tracking off: not recorded
    assert.equal(errnoOf(ioctl(m, 'IOMMU_HWPT_SET_DIRTY_TRACKING', { hwpt_id: h, flags: 1 })), 'ok');
    m.dma('m0', { write: true, iova: IOVA + 0x1100n, width: 4, value: 1n });
    m.dma('m0', { write: false, iova: IOVA + 0x2100n, width: 4 });
    const get = (flags: number) =>
      ioctl(m, 'IOMMU_HWPT_GET_DIRTY_BITMAP', { hwpt_id: h, iova: IOVA, length: 0x10000, page_size: 0x1000, data: 0x50000000n, flags });
    ok(get(1), ioctlDef('IOMMU_HWPT_GET_DIRTY_BITMAP'));
    assert.equal(m.cpuLoad(0x50000000n, 8), 0b10n);
    m.cpuStore(0x50000000n, 8, 0n);
    ok(get(0), ioctlDef('IOMMU_HWPT_GET_DIRTY_BITMAP'));
    assert.equal(m.cpuLoad(0x50000000n, 8), 0b10n);
    m.cpuStore(0x50000000n, 8, 0n);
    ok(get(0), ioctlDef('IOMMU_HWPT_GET_DIRTY_BITMAP'));
    assert.equal(m.cpuLoad(0x50000000n, 8), 0n);
  });
});
