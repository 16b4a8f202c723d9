// SVA over the process's real CPU page table (issue 7, scope item 7): the
// table is built in host memory in the format of the IOMMU's CPU (x86-64
// 4-level for VT-d and the mock, Arm LPAE stage 1 for SMMUv3), kept in step
// with faults, munmap and exit, walked by the IOMMU's own stage-1 walker and
// cached in its IOTLB under the domain's tag, and freed frame by frame.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { HwDriverBase } from '../../emulator/engine/drivers/hw-driver-base.js';
import { F_TRANSLATION } from '../../emulator/engine/drivers/smmuv3/smmuv3-events.js';
import { FR_FS_NOT_PRESENT } from '../../emulator/engine/drivers/vtd/vtd-faults.js';
import type { IommuModel, WalkStep } from '../../emulator/engine/machine-api.js';
import type { CpuArch } from '../../emulator/engine/memory/cpu-page-table.js';
import { createMachine, errnoOf, type Machine } from '../engine/machine-harness.js';
import { attachedGuest } from './arm-harness.js';

const X86_TABLE = 0x27n; // P | RW | US | A
const X86_LEAF = 0x67n; // P | RW | US | A | D
const X86_PS = 0x80n;
const X86_ADDR = ((1n << 52n) - 1n) & ~0xfffn;
const ARM_TABLE = 0x3n;
const ARM_PAGE = 0xf47n; // nG | AF | SH inner | AP[1] (EL0) | AttrIndx 1 | page
const ARM_BLOCK = 0xf45n; // the same as a level-2 block
const ARM_ADDR = ((1n << 48n) - 1n) & ~0xfffn;

function machine(model: IommuModel): Machine {
  const m = createMachine();
  m.declareIommu('iommu0', { model });
  m.declareDevice('acc', { pasidBits: 20 });
  m.declareDevice('acc2', { pasidBits: 20 });
  m.declareProcess('app');
  return m;
}

function iotlb(m: Machine, iommu = 'iommu0') {
  const driver = m.host.iommus.get(iommu)!.driver;
  assert.ok(driver instanceof HwDriverBase);
  return driver.iotlb;
}

function arch(model: IommuModel): CpuArch {
  return model === 'smmuv3' ? 'arm64' : 'x86_64';
}

/** Checks a successful walk's descriptors against the CPU format: tables chain from the mm's root, the leaf maps `pa`. */
function assertCpuWalk(steps: WalkStep[], a: CpuArch, root: bigint, pa: bigint, leafLevel: number): void {
  const levels = a === 'x86_64' ? [4, 3, 2, 1] : [0, 1, 2, 3];
  const upto = levels.indexOf(leafLevel) + 1;
  assert.deepEqual(steps.map((s) => s.level), levels.slice(0, upto));
  assert.equal(steps[0]!.table, root, 'the walk starts at the mm\'s top table');
  const addr = a === 'x86_64' ? X86_ADDR : ARM_ADDR;
  for (let i = 0; i + 1 < steps.length; i++) {
    const s = steps[i]!;
    assert.equal(s.kind, 'table');
    assert.equal(s.descriptor, steps[i + 1]!.table | (a === 'x86_64' ? X86_TABLE : ARM_TABLE), `level ${s.level}`);
  }
  const leaf = steps.at(-1)!;
  const size = leafLevel === 1 || leafLevel === 3 ? 0x1000n : 0x200000n;
  const base = pa & ~(size - 1n);
  assert.equal(leaf.descriptor & addr, base);
  const block = size > 0x1000n;
  const bits = a === 'x86_64' ? X86_LEAF | (block ? X86_PS : 0n) : block ? ARM_BLOCK : ARM_PAGE;
  assert.equal(leaf.descriptor & ~addr, bits, `leaf 0x${leaf.descriptor.toString(16)}`);
  assert.equal(leaf.kind, block ? 'block' : 'page');
}

for (const model of ['vtd', 'smmuv3', 'mock'] as const) {
  describe(`SVA DMA through the CPU page table (${model})`, () => {
    it('walks the process\'s table: every descriptor in the format, the leaf at the page the CPU uses', () => {
      const m = machine(model);
      const buf = m.declareMemory('buf', 0x4000n, { process: 'app' });
      m.cpuStore(buf + 0x10n, 8, 0x1122334455667788n, 'app');
      const { pasid } = m.svaBind('acc', 'app');
      const app = m.host.process('app');
      const root = app.pageTable(arch(model)).root;
      // The page the CPU touched before the bind is already in the table: no DMA needed to see it.
      assertCpuWalk(m.walk('acc', buf, pasid), arch(model), root, m.pa(buf, 'app')!, model === 'smmuv3' ? 3 : 1);
      const r = m.dma('acc', { write: false, iova: buf + 0x10n, width: 8, pasid });
      assert.deepEqual(r.ok && [r.value, r.pa], [0x1122334455667788n, m.pa(buf + 0x10n, 'app')]);
      // A page the CPU never touched: the DMA faults it in (the SVA fault handler), then it is in the table too.
      assert.equal(m.pa(buf + 0x3000n, 'app'), undefined);
      assert.ok(m.dma('acc', { write: true, iova: buf + 0x3008n, width: 4, value: 0xfeedn, pasid }).ok);
      assert.equal(m.cpuLoad(buf + 0x3008n, 4, 'app'), 0xfeedn);
      assertCpuWalk(m.walk('acc', buf + 0x3008n, pasid), arch(model), root, m.pa(buf + 0x3000n, 'app')!, model === 'smmuv3' ? 3 : 1);
    });

    it('maps huge-page memory with blocks', () => {
      const m = machine(model);
      const huge = m.declareMemory('huge', 0x400000n, { process: 'app', hugepage: 0x200000n });
      const { pasid } = m.svaBind('acc', 'app');
      assert.ok(m.dma('acc', { write: true, iova: huge + 0x201000n, width: 4, value: 1n, pasid }).ok);
      const root = m.host.process('app').pageTable(arch(model)).root;
      assertCpuWalk(m.walk('acc', huge + 0x201000n, pasid), arch(model), root, m.pa(huge + 0x200000n, 'app')!, 2);
    });

    it('after exit the table is empty: the walk stops at the top level, and the frames go back', () => {
      const m = machine(model);
      const buf = m.declareMemory('buf', 0x2000n, { process: 'app' });
      m.cpuStore(buf, 4, 7n, 'app');
      const before = m.host.phys.touchedFrames;
      const h = m.svaBind('acc', 'app');
      const table = m.host.process('app').pageTable(arch(model));
      for (const off of [0n, 0x1000n]) assert.ok(m.dma('acc', { write: false, iova: buf + off, width: 4, pasid: h.pasid }).ok);
      assert.equal(table.framesInUse, 4, 'a top table and three below it');
      assert.equal(m.host.phys.touchedFrames, before + 4);
      m.processExit('app');
      assert.equal(table.framesInUse, 1, 'the top table waits for the SVA domain to drop the mm');
      const r = m.dma('acc', { write: false, iova: buf, width: 4, pasid: h.pasid });
      assert.equal(r.ok, false);
      const f = m.lastFault('acc')!;
      assert.equal(f.kind, 'translation');
      assert.equal(f.level, model === 'smmuv3' ? 0 : 4);
      assert.match(f.detail, /process app has exited, its page table is empty/);
      if (model === 'smmuv3') assert.equal(f.event, F_TRANSLATION);
      if (model === 'vtd') assert.equal(f.reason, FR_FS_NOT_PRESENT);
      assert.deepEqual(m.walk('acc', buf, h.pasid).map((s) => [s.table, s.kind]), [[table.root, 'invalid']]);
      m.svaUnbind(h.handle);
      assert.equal(table.framesInUse, 0, 'mmdrop freed the top table');
      assert.equal(m.host.phys.touchedFrames, before, 'no table frame is left holding data');
    });
  });
}

describe('the SVA domain\'s IOTLB entries', () => {
  for (const model of ['vtd', 'smmuv3'] as const) {
    it(`are tagged by the ${model === 'vtd' ? 'mm\'s PASID' : 'domain\'s ASID'} and hit on the next DMA (${model})`, () => {
      const m = machine(model);
      const buf = m.declareMemory('buf', 0x1000n, { process: 'app' });
      const { pasid } = m.svaBind('acc', 'app');
      assert.ok(m.dma('acc', { write: false, iova: buf, width: 4, pasid }).ok);
      const entries = iotlb(m).list();
      assert.equal(entries.length, 1);
      assert.match(entries[0]!.tag, model === 'vtd' ? new RegExp(`^PASID ${pasid}$`) : /^ASID \d+$/);
      assert.deepEqual([entries[0]!.iova, entries[0]!.pa, entries[0]!.size, entries[0]!.stage], [buf, m.pa(buf, 'app'), 0x1000n, 1]);
      assert.equal(m.walk('acc', buf, pasid).at(-1)!.iotlb, 'hit');
    });
  }

  it('are invalidated by munmap (the mm\'s notifier), so the next DMA faults instead of hitting a stale entry', () => {
    const m = machine('smmuv3');
    const buf = m.declareMemory('buf', 0x3000n, { process: 'app' });
    const { pasid } = m.svaBind('acc', 'app');
    for (const off of [0n, 0x1000n, 0x2000n]) assert.ok(m.dma('acc', { write: false, iova: buf + off, width: 4, pasid }).ok);
    assert.equal(iotlb(m).list().length, 3);
    m.munmap(buf + 0x1000n, 0x1000n, 'app');
    assert.deepEqual(iotlb(m).list().map((e) => e.iova), [buf, buf + 0x2000n], 'only the unmapped page went');
    const r = m.dma('acc', { write: false, iova: buf + 0x1000n, width: 4, pasid });
    assert.equal(r.ok, false);
    assert.equal(m.lastFault('acc')!.kind, 'translation');
    assert.equal(m.walk('acc', buf + 0x1000n, pasid).at(-1)!.kind, 'invalid', 'the leaf was cleared');
    assert.equal(m.lastStaleHit?.('acc'), undefined);
    assert.ok(m.dma('acc', { write: false, iova: buf + 0x2000n, width: 4, pasid }).ok);
  });

  it('are dropped when the process exits and when the domain is freed', () => {
    const m = machine('vtd');
    const buf = m.declareMemory('buf', 0x1000n, { process: 'app' });
    const h = m.svaBind('acc', 'app');
    assert.ok(m.dma('acc', { write: false, iova: buf, width: 4, pasid: h.pasid }).ok);
    m.processExit('app');
    assert.equal(iotlb(m).list().length, 0);
    m.svaUnbind(h.handle);
    m.declareProcess('next');
    const buf2 = m.declareMemory('buf2', 0x1000n, { process: 'next' });
    const h2 = m.svaBind('acc', 'next');
    assert.equal(h2.pasid, h.pasid, 'the PASID (and so the tag) is reused by the next mm');
    assert.ok(m.dma('acc', { write: false, iova: buf2, width: 4, pasid: h2.pasid }).ok);
    m.svaUnbind(h2.handle);
    assert.equal(iotlb(m).list().length, 0, 'freeing the domain flushed its tag');
  });
});

describe('a bind the driver refuses', () => {
  it('leaves no domain holding the mm: the exit drops it and frees its whole table', () => {
    const g = attachedGuest();
    g.m.declareProcess('app');
    const buf = g.m.declareMemory('buf', 0x1000n, { process: 'app' });
    g.m.cpuStore(buf, 4, 1n, 'app');
    const before = g.m.host.phys.touchedFrames;
    // arm_smmu_set_dev_pasid: the guest owns the CD table while the RID is nested.
    assert.equal(errnoOf(() => g.m.svaBind('nic0', 'app')), 'EINVAL');
    const table = g.m.host.process('app').pageTable('arm64');
    assert.equal(table.framesInUse, 4, 'the domain was allocated, so the mm got its table');
    g.m.processExit('app');
    assert.equal(table.framesInUse, 0);
    assert.equal(g.m.host.phys.touchedFrames, before);
  });
});

describe('one mm, several IOMMUs', () => {
  it('devices behind one IOMMU share the domain and its table; an IOMMU of the other architecture gets a table in its format', () => {
    const m = createMachine();
    m.declareIommu('intel', { model: 'vtd' });
    m.declareIommu('arm', { model: 'smmuv3' });
    m.declareDevice('a', { iommu: 'intel', pasidBits: 20 });
    m.declareDevice('b', { iommu: 'intel', pasidBits: 20 });
    m.declareDevice('c', { iommu: 'arm', pasidBits: 20 });
    m.declareProcess('app');
    const buf = m.declareMemory('buf', 0x1000n, { process: 'app' });
    m.cpuStore(buf, 4, 0xabcn, 'app');
    const pasid = m.svaBind('a', 'app').pasid;
    m.svaBind('b', 'app');
    m.svaBind('c', 'app');
    const app = m.host.process('app');
    const x86 = app.pageTable('x86_64');
    const arm = app.pageTable('arm64');
    assert.notEqual(x86.root, arm.root);
    for (const dev of ['a', 'b', 'c']) {
      const r = m.dma(dev, { write: false, iova: buf, width: 4, pasid });
      assert.deepEqual(r.ok && r.value, 0xabcn, dev);
    }
    assert.equal(m.walk('a', buf, pasid)[0]!.table, x86.root);
    assert.equal(m.walk('b', buf, pasid)[0]!.table, x86.root);
    assert.equal(m.walk('c', buf, pasid)[0]!.table, arm.root);
    assert.equal(iotlb(m, 'intel').list().length, 1, 'one entry: a and b share the domain\'s tag');
  });
});

describe('the CPU table mirrors the mm', () => {
  it('after any sequence of touches and munmaps, every page translates in the table exactly as the process does', () => {
    const PAGES = 64;
    const op = fc.oneof(
      fc.record({ kind: fc.constant('touch' as const), page: fc.nat(PAGES - 1) }),
      fc.record({ kind: fc.constant('munmap' as const), page: fc.nat(PAGES - 1), count: fc.integer({ min: 1, max: 8 }) }),
    );
    fc.assert(
      fc.property(fc.constantFrom<CpuArch>('x86_64', 'arm64'), fc.boolean(), fc.array(op, { maxLength: 30 }), (a, huge, ops) => {
        const m = createMachine();
        m.declareProcess('app');
        const app = m.host.process('app');
        const base = m.declareMemory('buf', BigInt(PAGES) * 0x1000n, { process: 'app', hugepage: huge ? 0x200000n : undefined });
        const table = app.pageTable(a).table;
        for (const o of ops) {
          const va = base + BigInt(o.page) * 0x1000n;
          if (o.kind === 'touch') app.translate(va);
          else app.munmap(va, BigInt(o.count) * 0x1000n);
        }
        for (let p = 0; p < PAGES; p++) {
          const va = base + BigInt(p) * 0x1000n;
          const w = table.walk(va, 1);
          const expected = app.translate(va, false);
          // The table may lack a page the process has (never touched since the munmap split a block), never the reverse.
          if (w.ok) assert.equal(w.leaf.oa, expected, `page ${p}`);
          else if (!huge) assert.equal(expected, undefined, `page ${p}`);
        }
      }),
      { numRuns: 60 },
    );
  });
});
