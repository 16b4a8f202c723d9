// SVA (iommufd-reference §7): the mm's PASID for its whole life, the same
// handle on rebind, EOVERFLOW/ENOSPC/EBUSY, and DMA at the PASID through the
// process's page table until it exits (the table itself: sva-cpu-table.test.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { attachOk, bind, createMachine, errnoOf, hwptAllocOk, ioasAlloc } from '../engine/machine-harness.js';

function machine() {
  const m = createMachine();
  m.declareDevice('acc', { pasidBits: 20 });
  m.declareDevice('acc2', { pasidBits: 20 });
  m.declareDevice('old', {});
  m.declareProcess('app');
  m.declareProcess('other');
  return m;
}

describe('sva_bind', () => {
  it('allocates the mm a PASID from 1; a rebind returns the same handle with one more user', () => {
    const m = machine();
    const a = m.svaBind('acc', 'app');
    assert.equal(a.pasid, 1);
    assert.deepEqual(m.svaBind('acc', 'app'), a);
    assert.equal(m.svaBind('acc', 'other').pasid, 2);
    assert.equal(m.svaBind('acc2', 'app').pasid, 1, 'another device gets the mm\'s PASID');
    m.svaUnbind(a.handle);
    assert.ok('fault' in m.translate('acc', 0x1000n, 1));
    // Still bound once: the PASID is still attached.
    assert.equal(m.dma('acc', { write: false, iova: 0x1000n, width: 4, pasid: 1 }).ok, false);
    assert.equal(m.lastFault('acc')?.kind, 'translation', 'the SVA domain is there; the address is not mapped');
    m.svaUnbind(a.handle);
    m.dma('acc', { write: false, iova: 0x1000n, width: 4, pasid: 1 });
    assert.equal(m.lastFault('acc')?.kind, 'blocked', 'unbound: nothing at PASID 1');
    assert.throws(() => m.svaUnbind(a.handle), /no SVA handle/);
  });

  it('ENOSPC for a device without PASIDs when the mm has none yet, EOVERFLOW once it has one', () => {
    const m = machine();
    assert.equal(errnoOf(() => m.svaBind('old', 'app')), 'ENOSPC');
    m.svaBind('acc', 'app');
    assert.equal(errnoOf(() => m.svaBind('old', 'app')), 'EOVERFLOW');
  });

  it('EBUSY when the mm\'s PASID of the group holds another domain', () => {
    const m = machine();
    const ioas = ioasAlloc(m);
    const dev = bind(m, 'acc');
    const hwpt = hwptAllocOk(m, dev, ioas, { flags: 8 });
    attachOk(m, 'acc', hwpt);
    attachOk(m, 'acc', hwpt, 1);
    assert.equal(errnoOf(() => m.svaBind('acc', 'app')), 'EBUSY');
    assert.equal(m.svaBind('acc2', 'app').pasid, 1, 'the PASID was still allocated to the mm');
  });

  it('the PASID is the mm\'s until the process exited and its last binding went', () => {
    const m = machine();
    const h = m.svaBind('acc', 'app');
    m.svaUnbind(h.handle);
    assert.equal(m.svaBind('acc', 'app').pasid, 1, 'unbind keeps the PASID');
    m.processExit('app');
    assert.equal(m.svaBind('acc', 'other').pasid, 2, 'the dead mm still holds PASID 1 through its SVA domain');
    m.svaUnbind(h.handle + 1);
    m.declareProcess('late');
    assert.equal(m.svaBind('acc2', 'late').pasid, 1, 'freed with the mm');
  });
});

describe('DMA at the PASID', () => {
  it('reaches the process\'s memory through its page table, and faults once it exited', () => {
    const m = machine();
    const buf = m.declareMemory('buf', 0x2000n, { process: 'app' });
    m.cpuStore(buf, 4, 0xcafen, 'app');
    const { pasid } = m.svaBind('acc', 'app');
    const r = m.dma('acc', { write: false, iova: buf, width: 4, pasid });
    assert.deepEqual(r.ok && [r.value, r.pa], [0xcafen, m.pa(buf, 'app')]);
    assert.equal(m.dma('acc', { write: true, iova: buf + 0x1004n, width: 4, value: 0xbeefn, pasid }).ok, true);
    assert.equal(m.cpuLoad(buf + 0x1004n, 4, 'app'), 0xbeefn, 'a page the CPU never touched is faulted in');
    assert.equal(m.dma('acc', { write: false, iova: 0x1000n, width: 4, pasid }).ok, false);
    m.processExit('app');
    assert.equal(m.dma('acc', { write: false, iova: buf, width: 4, pasid }).ok, false);
    assert.match(m.lastFault('acc')!.detail, /exited/);
  });
});
