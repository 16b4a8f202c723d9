// Where a DMA fault goes (trace-language §3 "Where a fault goes"): a stage-1
// fault under a vIOMMU-nested HWPT becomes a vEVENT when the vIOMMU's driver
// turns it into one; a pri device with a fault queue asks with a page
// request instead. The mock vIOMMU has no stage-1 format, so a driver hook
// is lent to it here.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { NestedFault } from '../../emulator/engine/core/viommu-ops.js';
import { MockViommu } from '../../emulator/engine/drivers/mock/mock-viommu.js';
import { attachOk, hwptAllocOk } from '../engine/machine-harness.js';
import { FAULT_ID_VALID, faultAlloc, nestedData, out, SELFTEST_VEVENTQ, vdeviceAllocOk, veventqAlloc, viommuFixture } from './nesting-harness.js';

const proto = MockViommu.prototype as { stage1Event?: (f: NestedFault) => { type: bigint; data: Uint8Array } };

function setup(pri: boolean, withFaultQueue: boolean) {
  proto.stage1Event = (f) => ({ type: BigInt(SELFTEST_VEVENTQ), data: Uint8Array.of(Number(f.addr >> 20n) & 0xff, f.write ? 1 : 0, 0, 0) });
  const f = viommuFixture({ pri });
  const q = out(veventqAlloc(f.m, f.viommu, 4), 'IOMMU_VEVENTQ_ALLOC').num('out_veventq_id');
  const fq = withFaultQueue ? faultAlloc(f.m) : undefined;
  const n = hwptAllocOk(f.m, f.dev, f.viommu, { ...nestedData(f.m), ...(fq ? { flags: FAULT_ID_VALID, fault_id: fq.id } : {}) });
  vdeviceAllocOk(f.m, f.viommu, f.dev, 5);
  attachOk(f.m, 'm0', n);
  return { ...f, q, fq };
}

describe('DMA fault routing', () => {
  afterEach(() => delete proto.stage1Event);

  it('a stage-1 fault of a vIOMMU-nested HWPT is queued as the driver\'s vEVENT', () => {
    const { m, q } = setup(false, false);
    assert.equal(m.dma('m0', { write: true, iova: 0x3000000n, width: 4, value: 0n }).ok, false);
    const { events } = m.veventqRead('iommufd', BigInt(q), 64);
    assert.deepEqual(events.map((e) => [...e.data]), [[0x30, 1, 0, 0]]);
  });

  it('a pri device whose HWPT has a fault queue asks with a page request instead', () => {
    const { m, q, fq } = setup(true, true);
    m.dma('m0', { write: false, iova: 0x3000000n, width: 4 });
    assert.equal(m.veventqRead('iommufd', BigInt(q), 64).events.length, 0);
    assert.deepEqual(m.faultRead('iommufd', BigInt(fq!.id), 40).map((r) => r.addr), [0x3000000n]);
  });
});
