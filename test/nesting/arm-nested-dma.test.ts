// DMA through an arm_smmuv3 nested HWPT: the guest's CD and stage-1 tables
// are read through stage 2; faults carry S2/CLASS/IPA as iommu-hardware §3
// tabulates; stage-1 events reach the vEVENTQ with the vSID.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { attachOk, ioctl } from '../engine/machine-harness.js';
import { out } from './nesting-harness.js';
import { ARM_VEVENTQ, attachedGuest, cd0, faultOf, nestedAlloc, read32, ste0, type ArmGuest } from './arm-harness.js';

function veventq(g: ArmGuest): number {
  return out(ioctl(g.m, 'IOMMU_VEVENTQ_ALLOC', { viommu_id: g.viommu, type: ARM_VEVENTQ, veventq_depth: 8 }), 'IOMMU_VEVENTQ_ALLOC').num('out_veventq_id');
}

function events(g: ArmGuest, q: number): bigint[][] {
  return g.m.veventqRead('iommufd', BigInt(q), 4096).events.map((e) => {
    const v = new DataView(e.data.buffer, e.data.byteOffset, e.data.length);
    return [0, 1, 2, 3].map((i) => v.getBigUint64(i * 8, true));
  });
}

/** Replaces the attachment by a nested HWPT on vSTE (s0). */
function reattach(g: ArmGuest, s0: bigint): void {
  attachOk(g.m, 'nic0', out(nestedAlloc(g, s0), 'IOMMU_HWPT_ALLOC').num('out_hwpt_id'));
}

describe('nested DMA on a vSMMUv3', () => {
  it('walks the guest stage 1 through stage 2, every table read at an IPA', () => {
    const g = attachedGuest();
    g.m.guestMap!('g', 0x10000n, g.ram, 0x1000n, 'rw');
    const r = read32(g.m, 0x10004n);
    assert.ok(r.ok);
    assert.equal(r.pa, g.m.pa(g.ram)! + 4n);
    const steps = g.m.walk('nic0', 0x10004n);
    // Four stage-1 levels (L0..L3 of a 48-bit 4K table), then stage 2's walk of the final IPA.
    assert.deepEqual(steps.slice(0, 4).map((s) => [s.stage, s.level]), [[1, 0], [1, 1], [1, 2], [1, 3]]);
    assert.equal(steps[0]!.table, g.gpt, 'the stage-1 root is the CD\'s TTB0, an IPA');
    assert.ok(steps.slice(4).every((s) => s.stage === 2) && steps.length > 4);
  });

  it('a stage-1 fault is S2=0 CLASS IN, recorded and forwarded as a vEVENT with the vSID', () => {
    const g = attachedGuest();
    const q = veventq(g);
    const f = faultOf(read32(g.m, 0x20000n));
    assert.deepEqual([f.kind, f.event, f.stage, f.s2, f.class], ['translation', 0x10, 1, false, 2]);
    // dword0: F_TRANSLATION | physical StreamID 0x20600 << 32.
    assert.equal(f.raw![0], 0x10n | (0x20600n << 32n));
    const [ev] = events(g, q);
    // The same record with the vSID (8) in the StreamID field, RnW (bit 35) and CLASS IN (bit 41) in dword1.
    assert.deepEqual(ev, [0x10n | (8n << 32n), (1n << 35n) | (2n << 40n), 0x20000n, 0n]);
  });

  it('a stage-2 fault on the final IPA is S2=1 CLASS IN with the IPA, and no vEVENT', () => {
    const g = attachedGuest();
    const q = veventq(g);
    g.m.guestMap!('g', 0x30000n, 0x4000_0000n, 0x1000n, 'r');
    const f = faultOf(read32(g.m, 0x30010n));
    assert.deepEqual([f.event, f.stage, f.s2, f.class, f.ipa], [0x10, 2, true, 2, 0x4000_0010n]);
    assert.equal(f.raw![3], 0x4000_0000n, 'dword3 holds IPA[51:12]');
    assert.equal(events(g, q).length, 0, 'stage-2 events stay with the host');
  });

  it('a stage-2 fault fetching the CD is CLASS CD, fetching a stage-1 table CLASS TT', () => {
    const g = attachedGuest();
    reattach(g, ste0(0x5000_0000n));
    const cd = faultOf(read32(g.m, 0x10000n));
    assert.deepEqual([cd.stage, cd.s2, cd.class, cd.ipa], [2, true, 0, 0x5000_0000n]);
    // A CD whose TTB0 is an IPA stage 2 does not map.
    g.m.cpuStore(g.cdt + 0x40n, 8, cd0(2n));
    g.m.cpuStore(g.cdt + 0x48n, 8, 0x6000_0000n);
    reattach(g, ste0(g.cdt + 0x40n));
    const tt = faultOf(read32(g.m, 0x10000n));
    assert.deepEqual([tt.stage, tt.s2, tt.class, tt.ipa, tt.event], [2, true, 1, 0x6000_0000n, 0x10]);
  });

  it('an illegal CD is C_BAD_CD; with CD.R clear a stage-1 fault is not recorded', () => {
    const g = attachedGuest();
    const q = veventq(g);
    g.m.cpuStore(g.cdt + 0x40n, 8, cd0(2n, { valid: false }));
    reattach(g, ste0(g.cdt + 0x40n));
    const bad = faultOf(read32(g.m, 0x10000n));
    assert.deepEqual([bad.kind, bad.event], ['bad_cd', 0x0a]);
    g.m.cpuStore(g.cdt + 0x80n, 8, cd0(3n, { record: false }));
    g.m.cpuStore(g.cdt + 0x88n, 8, g.gpt);
    reattach(g, ste0(g.cdt + 0x80n));
    const quiet = faultOf(read32(g.m, 0x20000n));
    assert.deepEqual([quiet.kind, quiet.event, quiet.raw], ['translation', undefined, undefined]);
    assert.deepEqual(events(g, q).map((e) => Number(e[0]! & 0xffn)), [0x0a], 'only the C_BAD_CD was forwarded');
  });

  it('the SubstreamID selects the guest\'s CD; beyond S1CDMax it is C_BAD_SUBSTREAMID', () => {
    const g = attachedGuest();
    g.m.guestMap!('g', 0x10000n, g.ram, 0x1000n, 'rw');
    assert.equal(faultOf(read32(g.m, 0x10000n, 1)).event, 0x08, 'S1CDMax 0: no SubstreamIDs');
    // Two CDs (S1CDMax 1): CD 1 with ASID 2 walks the same table.
    g.m.cpuStore(g.cdt + 0x40n, 8, cd0(2n));
    g.m.cpuStore(g.cdt + 0x48n, 8, g.gpt);
    reattach(g, ste0(g.cdt, 1n));
    const r = read32(g.m, 0x10000n, 1);
    assert.ok(r.ok && 'value' in r && r.value === 0xfeedfacen);
    assert.equal(faultOf(read32(g.m, 0x10000n, 2)).event, 0x08);
    // S1DSS 0 (terminate): DMA without a SubstreamID is F_STREAM_DISABLED once SSIDs are on.
    assert.equal(faultOf(read32(g.m, 0x10000n)).event, 0x06);
  });
});
