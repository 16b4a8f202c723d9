// HWPT_INVALIDATE on an arm_smmuv3 vIOMMU: which guest commands are
// accepted (arm_vsmmu_convert_user_cmd), what each drops from the SMMU's
// caches, entry_num, and the batch quirk of arm_vsmmu_cache_invalidate.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errnoOf, ioctl, mapFixed } from '../engine/machine-harness.js';
import { attachedGuest, cd0, faultOf, invalidate, read32, type ArmGuest } from './arm-harness.js';

const NH_ALL = 0x10n;
const NH_ASID = 0x11n;
const NH_VA = 0x12n;
const NH_VAA = 0x13n;
const NSNH_ALL = 0x30n;
const CFGI_CD = 0x05n;
const ATC_INV = 0x40n;
const ASID1 = 1n << 48n;

/** A guest with IOVA 0x10000 cached (ASID 1), then unmapped in its table without a TLBI. */
function staleGuest(): ArmGuest {
  const g = attachedGuest();
  g.m.guestMap!('g', 0x10000n, g.ram, 0x1000n, 'rw');
  assert.ok(read32(g.m, 0x10000n).ok);
  g.m.guestUnmap!('g', 0x10000n, 0x1000n);
  const stale = read32(g.m, 0x10000n);
  assert.ok(stale.ok && stale.stale, 'the IOTLB still answers');
  return g;
}

function entryNum(r: ReturnType<typeof invalidate>): number {
  return new DataView(r.arg!.buffer, r.arg!.byteOffset).getUint32(24, true);
}

describe('vSMMUv3 invalidation commands', () => {
  for (const [name, cmd] of [
    ['TLBI_NH_VA (ASID 1, the page)', [NH_VA | ASID1, 0x10000n]],
    ['TLBI_NH_VA range (TG 4K, NUM 1: two pages)', [NH_VA | ASID1 | (1n << 12n), 0xf000n | (1n << 10n)]],
    ['TLBI_NH_VAA (every ASID)', [NH_VAA, 0x10000n]],
    ['TLBI_NH_ASID', [NH_ASID | ASID1, 0n]],
    ['TLBI_NH_ALL', [NH_ALL, 0n]],
    ['TLBI_NSNH_ALL (converted to NH_ALL)', [NSNH_ALL, 0n]],
  ] as const) {
    it(`${name} drops the stale entry`, () => {
      const g = staleGuest();
      const r = invalidate(g, [[cmd[0], cmd[1]]]);
      assert.equal(errnoOf(r), 'ok');
      assert.equal(entryNum(r), 1);
      assert.equal(faultOf(read32(g.m, 0x10000n)).event, 0x10);
    });
  }

  it('NH_VA of another ASID or page, CFGI_CD and ATC_INV leave the entry', () => {
    const g = staleGuest();
    const r = invalidate(g, [[NH_VA | (2n << 48n), 0x10000n], [NH_VA | ASID1, 0x11000n], [CFGI_CD | (8n << 32n), 0n], [ATC_INV | (8n << 32n), 0n]]);
    assert.equal(entryNum(r), 4);
    assert.ok(read32(g.m, 0x10000n).ok);
  });

  it('CFGI_CD makes a changed CD take effect; without it the SMMU keeps the cached one', () => {
    const g = attachedGuest();
    g.m.guestMap!('g', 0x10000n, g.ram, 0x1000n, 'rw');
    assert.ok(read32(g.m, 0x10000n).ok);
    g.m.cpuStore(g.cdt, 8, cd0(1n, { valid: false }));
    invalidate(g, [[NH_ALL, 0n]]);
    assert.ok(read32(g.m, 0x10000n).ok, 'the cached CD still translates');
    invalidate(g, [[CFGI_CD | (8n << 32n), 0n]]);
    assert.equal(faultOf(read32(g.m, 0x10000n)).event, 0x0a);
  });

  it('an opcode outside the list or an unknown vSID is EIO, counted at the bad entry', () => {
    const g = attachedGuest();
    for (const bad of [0x2an /* TLBI_S2_IPA */, 0x03n /* CFGI_STE */, 0x46n /* CMD_SYNC */]) {
      const r = invalidate(g, [[NH_ALL, 0n], [bad, 0n]]);
      assert.equal(errnoOf(r), 'EIO');
      assert.equal(entryNum(r), 1);
    }
    const r = invalidate(g, [[CFGI_CD | (9n << 32n), 0n]]);
    assert.deepEqual([errnoOf(r), entryNum(r)], ['EIO', 0]);
  });

  it('entries converted before a bad one in the same batch are counted but never issued (kernel quirk)', () => {
    const g = staleGuest();
    const r = invalidate(g, [[NH_VA | ASID1, 0x10000n], [0x2an, 0n]]);
    assert.deepEqual([errnoOf(r), entryNum(r)], ['EIO', 1]);
    assert.ok(read32(g.m, 0x10000n).ok, 'the TLBI of entry 0 was dropped with its batch');
  });

  it('copies the whole array first: type mismatch EINVAL, non-zero tail E2BIG, both with entry_num 0', () => {
    const g = staleGuest();
    const wrongType = invalidate(g, [[NH_ALL, 0n]], { data_type: 0 });
    assert.deepEqual([errnoOf(wrongType), entryNum(wrongType)], ['EINVAL', 0]);
    const b = new Uint8Array(48);
    b[0] = Number(NH_ALL);
    b[47] = 1;
    const tail = ioctl(g.m, 'IOMMU_HWPT_INVALIDATE', { hwpt_id: g.viommu, data_uptr: g.m.userScratch(b), data_type: 1, entry_len: 24, entry_num: 2 });
    assert.deepEqual([errnoOf(tail), entryNum(tail)], ['E2BIG', 0]);
    assert.ok(read32(g.m, 0x10000n).ok, 'nothing was issued');
  });

  it('a change of the stage-2 parent flushes the nested entries of its VMID (TLBI_NH_ALL)', () => {
    const g = attachedGuest();
    g.m.guestMap!('g', 0x10000n, g.ram, 0x1000n, 'rw');
    assert.ok(read32(g.m, 0x10000n).ok);
    ioctl(g.m, 'IOMMU_IOAS_UNMAP', { ioas_id: g.ioas, iova: g.ram, length: 0x100000n });
    const f = faultOf(read32(g.m, 0x10000n));
    assert.deepEqual([f.stage, f.s2], [2, true], 'the combined entry is gone: stage 2 now faults');
    mapFixed(g.m, g.ioas, g.ram, 0x100000n, g.ram);
    assert.ok(read32(g.m, 0x10000n).ok);
  });
});
