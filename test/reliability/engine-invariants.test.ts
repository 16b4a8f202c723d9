// Property: random ioctl sequences (most of them failing) keep the engine's
// invariants (issue 9 §1): every object's `users` equals the references that
// hold it, new ids are the lowest free ones, a failed all-or-nothing call
// changes nothing, only KernelErrors come out, and closing everything
// destroys every object and unpins every page.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { IommufdFile } from '../../emulator/engine/iommufd/iommufd-file.js';
import type { Machine } from '../engine/machine-harness.js';
import { expectedUsers } from './expected-users.js';
import { applyOp, iommufdFile, BUF, BUF_PAGES, DEVICES, preparePayload, sequenceArbitrary, testMachine, type DriverState, type Op } from './ioctl-ops.js';
import { checkProperty } from './property-budget.js';
import { firstDifference, freeSlot, snapshot } from './state-snapshot.js';

/**
 * State a failed call may change in the kernel too: physical frames handed
 * out (the bump allocator does not reuse those of a freed page table), and
 * user pages faulted in by a pin that then failed (GUP leaves them present),
 * and the HWPT creation counter (only the order of live HWPTs is visible).
 * Search aids derived from compared data are left out too: the object
 * table's by-type index (a failed create may leave an empty bucket) and an
 * interval list's sticky "has held overlapping intervals" hint.
 */
const NOT_ROLLED_BACK = new Set([
  'PhysMem.nextFree',
  'PhysMem.frames',
  'Process.anon',
  'IommufdFile.seq',
  'ObjectTable.byType',
  'IntervalList.overlapping',
]);

function checkUsers(file: IommufdFile, driver: DriverState, after: string): void {
  const live = file.objects.live();
  const { expected, dangling } = expectedUsers(live, driver);
  assert.deepEqual(dangling, [], `after ${after}`);
  for (const o of live) assert.equal(o.users, expected.get(o), `after ${after}: ${o.type} ${o.id} has users ${o.users}, its holders make ${expected.get(o)}`);
}

/** The ids the call took must be the lowest ones that were free before it. */
function checkLowestFree(before: Set<number>, file: IommufdFile, after: string): void {
  const taken = file.objects
    .occupied()
    .map((s) => s.id)
    .filter((id) => !before.has(id));
  const lowest: number[] = [];
  for (let id = 1; lowest.length < taken.length; id++) if (!before.has(id)) lowest.push(id);
  assert.deepEqual(taken, lowest, `after ${after}: new ids ${taken.join(',')} are not the lowest free (${lowest.join(',')})`);
}

/** Runs `ops`, checking the invariants after each; returns the machine and what the driver still holds. */
function runSequence(ops: Op[]): { m: Machine; file: IommufdFile; driver: DriverState } {
  const m = testMachine();
  const file = iommufdFile(m);
  const driver: DriverState = { bound: new Map(), accesses: new Set() };
  ops.forEach((op, i) => {
    const what = `op ${i} ${JSON.stringify(op, (_, v) => (typeof v === 'bigint' ? `0x${v.toString(16)}` : v))}`;
    const payload = preparePayload(m, op);
    const ids = new Set(file.objects.occupied().map((s) => s.id));
    const before = snapshot(m, { ignore: NOT_ROLLED_BACK, omitEntry: freeSlot });
    const out = applyOp(m, driver, op, payload);
    if (out.errno !== 'ok' && out.atomic) {
      const after = snapshot(m, { ignore: NOT_ROLLED_BACK, omitEntry: freeSlot });
      assert.ok(after === before, `${what} failed with ${out.errno} but changed the state: ${firstDifference(before, after)}`);
    }
    checkUsers(file, driver, what);
    checkLowestFree(ids, file, what);
    m.resetScratch();
  });
  return { m, file, driver };
}

/** Everything the test's process holds goes: the iommufd, the event fds, the device files, the access driver. */
function closeEverything(m: Machine, file: IommufdFile, driver: DriverState): void {
  m.closeIommufd('iommufd');
  for (const o of file.objects.live()) {
    if (o.type === 'FAULT' && (o as { fd?: { isOpen: boolean } }).fd?.isOpen) m.faultClose('iommufd', BigInt(o.id));
  }
  for (const d of DEVICES) m.vfioClose(d);
  for (const a of driver.accesses) m.accessDestroy('iommufd', BigInt(a));
}

describe('engine invariants under random ioctl sequences', () => {
  it('keeps users equal to the holders, ids lowest-free, failed calls atomic, and only KernelErrors', () => {
    checkProperty(
      'engine invariants',
      fc.property(sequenceArbitrary(40), (ops) => {
        runSequence(ops);
      }),
      60,
    );
  });

  it('closing every fd destroys every object, frees every id, unpins every page and releases DMA ownership', () => {
    checkProperty(
      'close releases everything',
      fc.property(sequenceArbitrary(40), (ops) => {
        const { m, file, driver } = runSequence(ops);
        closeEverything(m, file, driver);
        assert.equal(file.released, true, 'the iommufd was not released');
        assert.deepEqual(file.objects.occupied(), []);
        for (let p = 0n; p < BUF_PAGES; p++) assert.equal(m.pinned(BUF + p * 0x1000n), 0, `page ${p} of the buffer is still pinned`);
        for (const d of DEVICES) assert.equal(m.owner(d), 'none', `device ${d} is still owned`);
      }),
      60,
    );
  });

  it('the model sees its own checks fail (a users count off by one is reported)', () => {
    const m = testMachine();
    const file = iommufdFile(m);
    const driver: DriverState = { bound: new Map(), accesses: new Set() };
    applyOp(m, driver, { op: 'ioas_alloc' }, {});
    file.objects.live()[0]!.users++;
    assert.throws(() => checkUsers(file, driver, 'a forged reference'), /IOAS 1 has users 2, its holders make 1/);
  });
});
