// The fail_nth loop of the kernel's iommufd_fail_nth selftest, on the
// emulator: a call runs with fail_nth = 1, 2, 3, ... on a freshly built
// state until no allocation point is left to fail. Each injected failure
// must come out as that ENOMEM, leave the machine as it was (a deep
// snapshot), keep every object's users equal to its holders, and closing
// every fd afterwards must leave no object, id, pin or DMA ownership; the
// final, undisturbed run must succeed and close as cleanly.
import assert from 'node:assert/strict';
import type { AllocationPoint } from '../../emulator/engine/fault-injection.js';
import { IommufdDevice } from '../../emulator/engine/iommufd/device.js';
import type { HwptPaging } from '../../emulator/engine/iommufd/hwpt.js';
import type { IommufdFile } from '../../emulator/engine/iommufd/iommufd-file.js';
import type { Machine } from '../engine/machine-harness.js';
import { expectedUsers } from './expected-users.js';
import type { FailNthCase, Holdings, Outcome } from './fail-nth-cases.js';
import { BUF, BUF_PAGES, DEVICES, iommufdFile, testMachine, type DeviceName, type DriverState } from './ioctl-ops.js';
import { firstDifference, freeSlot, snapshot } from './state-snapshot.js';

/**
 * State the kernel does not roll back after a failed call either: frames
 * handed out (io-pgtable keeps the tables a failed map added; the bump
 * allocator does not reuse), user and memfd pages faulted in by a pin that
 * then failed (GUP and the page cache keep them), and the HWPT creation
 * counter (only the order of live HWPTs is visible). Search aids derived
 * from compared data are left out too: the object table's by-type index and
 * an interval list's sticky "has held overlapping intervals" hint.
 */
export const NOT_ROLLED_BACK = new Set([
  'PhysMem.nextFree',
  'PhysMem.frames',
  // How frames are stored (the slab they are carved from, those shared with a checkpoint): not kernel state.
  'PhysMem.slabs',
  'PhysMem.copyOnWrite',
  'Process.anon',
  'MemFile.pages',
  'IommufdFile.seq',
  'ObjectTable.byType',
  'IntervalList.overlapping',
]);

/** The IOVAs the tests map lie in the 4 MiB from here (the IOVA base of ioctl-ops.ts and the cases). */
const WINDOW = { start: 0x100_0000n, length: 0x40_0000n };
/** The mock domains' smallest page. */
const GRANULE = 0x800n;

/**
 * What every live paging HWPT translates in the test's IOVA window, as runs
 * of IOVA -> PA. The page tables live in host frames, which the snapshot
 * leaves out (a failed map keeps the tables it added), so a leaf a failed
 * call forgot to clear is caught here instead.
 */
export function translations(m: Machine): string {
  const out: string[] = [];
  for (const o of iommufdFile(m).objects.liveOfType('HWPT_PAGING')) {
    const domain = (o as HwptPaging).domain;
    let run: { iova: bigint; pa: bigint; end: bigint } | undefined;
    const flush = () => run && out.push(`HWPT ${o.id} 0x${run.iova.toString(16)}..0x${(run.end - 1n).toString(16)} -> 0x${run.pa.toString(16)}`);
    for (let iova = WINDOW.start; iova < WINDOW.start + WINDOW.length; iova += GRANULE) {
      const pa = domain.iovaToPhys(iova);
      if (run && pa === run.pa + (iova - run.iova)) {
        run.end = iova + GRANULE;
        continue;
      }
      flush();
      run = pa === undefined ? undefined : { iova, pa, end: iova + GRANULE };
    }
    flush();
  }
  return out.join('\n');
}

/** The state a failed call must leave as it found: the snapshot, and the domains' translations. */
export function rollbackPicture(m: Machine): string {
  return `${snapshot(m, { ignore: NOT_ROLLED_BACK, omitEntry: freeSlot })}\n${translations(m)}`;
}

/** The test machine with every device file open (the VMM's doing, before any call). */
export function failNthMachine(): Machine {
  const m = testMachine();
  for (const d of DEVICES) m.vfioIoctl(d, 0, null);
  return m;
}

/** The drivers' references: every bound device's VFIO file, and the live accesses the test made. */
function driverState(file: IommufdFile, held: Holdings): DriverState {
  const bound = new Map<DeviceName, number>();
  for (const o of file.objects.liveOfType('DEVICE')) bound.set((o as IommufdDevice).dev.name as DeviceName, o.id);
  return { bound, accesses: held.accesses };
}

/** users = holders for every live object (expected-users.ts); HW queues are not modelled there. */
export function checkUsers(m: Machine, held: Holdings, after: string): void {
  const file = iommufdFile(m);
  const live = file.objects.live();
  if (live.some((o) => o.type === 'HW_QUEUE')) return;
  const { expected, dangling } = expectedUsers(live, driverState(file, held));
  assert.deepEqual(dangling, [], after);
  for (const o of live) assert.equal(o.users, expected.get(o), `${after}: ${o.type} ${o.id} has users ${o.users}, its holders make ${expected.get(o)}`);
}

/**
 * Everything the test's process holds goes: its SVA bonds, the iommufd, the
 * event fds, the device files and the access driver. Then nothing may be left.
 */
export function closeAndCheckNothingLeft(m: Machine, held: Holdings, after: string): void {
  const file = iommufdFile(m);
  for (const h of held.svaHandles) m.svaUnbind(h);
  m.closeIommufd('iommufd');
  for (const o of file.objects.live()) {
    const fd = (o as { fd?: { isOpen: boolean } }).fd;
    if (o.type === 'FAULT' && fd?.isOpen) m.faultClose('iommufd', BigInt(o.id));
    if (o.type === 'VEVENTQ' && fd?.isOpen) m.veventqClose('iommufd', BigInt(o.id));
  }
  for (const d of DEVICES) m.vfioClose(d);
  for (const a of held.accesses) m.accessDestroy('iommufd', BigInt(a));
  assert.equal(file.released, true, `${after}: the iommufd was not released`);
  assert.deepEqual(file.objects.occupied(), [], `${after}: ids are left`);
  for (let p = 0n; p < BUF_PAGES; p++) assert.equal(m.pinned(BUF + p * 0x1000n), 0, `${after}: page ${p} of the buffer is still pinned`);
  assert.equal(m.host.phys.pins.holderCount, 0, `${after}: an IO page set still pins pages`);
  for (const d of DEVICES) {
    assert.equal(m.owner(d), 'none', `${after}: device ${d} is still owned`);
    assert.equal(m.host.device(d).group.pasids.size, 0, `${after}: device ${d} still has a PASID attached`);
  }
}

export interface FailNthResult {
  /** The injected failures, in fail_nth order: where each one hit. */
  failures: AllocationPoint[];
}

const MAX_POINTS = 200;

/** Runs `c` with fail_nth = 1, 2, ... until it passes every allocation point. */
export function runFailNth(c: FailNthCase): FailNthResult {
  const failures: AllocationPoint[] = [];
  for (let n = 1; n <= MAX_POINTS; n++) {
    const m = failNthMachine();
    const held: Holdings = { accesses: new Set(), svaHandles: [] };
    const run = c.prepare(m, held);
    const before = rollbackPicture(m);
    m.faults.failNth(n);
    const out: Outcome = run();
    const { failedAt } = m.faults.disarm();
    const what = `${c.name}, fail_nth=${n}`;
    if (failedAt === undefined) {
      assert.equal(out.errno, 'ok', `${what}: nothing was injected, yet the call failed: ${out.reason}`);
      checkUsers(m, held, what);
      closeAndCheckNothingLeft(m, held, what);
      return { failures };
    }
    failures.push(failedAt);
    assert.equal(out.errno, 'ENOMEM', `${what}: the injected failure at ${failedAt} came out as ${out.errno} (${out.reason})`);
    assert.equal(out.reason, `injected ENOMEM at ${failedAt} (fail_nth=${n})`, what);
    const after = rollbackPicture(m);
    assert.ok(after === before, `${what}: the failure at ${failedAt} changed the state: ${firstDifference(before, after)}`);
    checkUsers(m, held, what);
    closeAndCheckNothingLeft(m, held, what);
  }
  throw new Error(`${c.name}: still failing at fail_nth=${MAX_POINTS}; more allocation points than the test expects`);
}
