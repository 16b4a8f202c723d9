// Fault injection (issue 9 §2), as the kernel's iommufd_fail_nth selftest:
// every allocation point of every ioctl fails in turn, and each failure is a
// clean ENOMEM with nothing changed and nothing leaked (fail-nth.ts). A
// property then arms fail_nth on the ops of random ioctl sequences, with a
// random n per op, and checks the same after every op.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { AllocationPoint } from '../../emulator/engine/fault-injection.js';
import { errnoOf, ioasAlloc, ioctl, type Machine } from '../engine/machine-harness.js';
import { FAIL_NTH_CASES } from './fail-nth-cases.js';
import { checkUsers, closeAndCheckNothingLeft, failNthMachine, rollbackPicture, runFailNth } from './fail-nth.js';
import { applyOp, BUF, preparePayload, sequenceArbitrary, type DriverState } from './ioctl-ops.js';
import { checkProperty } from './property-budget.js';
import { firstDifference } from './state-snapshot.js';

describe('fail_nth: every allocation point of every ioctl', () => {
  const seen = new Map<AllocationPoint, number>();
  let injected = 0;
  for (const c of FAIL_NTH_CASES) {
    it(c.name, () => {
      const { failures } = runFailNth(c);
      injected += failures.length;
      for (const p of failures) seen.set(p, (seen.get(p) ?? 0) + 1);
    });
  }

  it('failed at every kind of allocation point at least once (and prints the counts)', () => {
    const summary = [...seen].map(([p, n]) => `${p} ${n}`).join(', ');
    console.log(`fail_nth: ${FAIL_NTH_CASES.length} calls, ${injected} injected failures, leaks 0 (${summary})`);
    for (const p of [
      'object allocation',
      'iommufd group allocation',
      'iopt pages allocation',
      'iopt pages list allocation',
      'iopt area allocation',
      'pin user pages',
      'access pin record',
      'reserved range allocation',
      'allowed range allocation',
      'domain allocation',
      'page table page',
      'attach handle allocation',
      'event fd allocation',
      'vdevice id allocation',
      'dirty bitmap allocation',
      'sva handle allocation',
    ] satisfies AllocationPoint[]) {
      assert.ok(seen.has(p), `no case failed at ${p}`);
    }
  });
});

describe('fail_nth: the loop sees what it checks', () => {
  it('reports a call that changes the state before its failure (two ioctls, the second one failing)', () => {
    const leaky = {
      name: 'IOAS_ALLOC then IOAS_MAP',
      prepare: (m: Machine) => {
        ioasAlloc(m);
        return () => {
          const first = ioctl(m, 'IOMMU_IOAS_ALLOC', {});
          const r = first.error ? first : ioctl(m, 'IOMMU_IOAS_MAP', { ioas_id: 1, user_va: BUF, length: 0x1000n, flags: 6 });
          return { errno: r.error?.errno ?? 'ok', reason: r.error?.reason };
        };
      },
    };
    assert.throws(() => runFailNth(leaky), /IOAS_ALLOC then IOAS_MAP, fail_nth=2: the failure at iopt pages allocation changed the state: object \d+:/);
  });

  it('names the point and n in the reason, and fires once', () => {
    const m = failNthMachine();
    m.faults.failNth(2);
    assert.equal(errnoOf(ioctl(m, 'IOMMU_IOAS_ALLOC', {})), 'ok');
    const r = ioctl(m, 'IOMMU_IOAS_ALLOC', {});
    assert.equal(r.error?.message, 'ENOMEM: injected ENOMEM at object allocation (fail_nth=2)');
    assert.equal(errnoOf(ioctl(m, 'IOMMU_IOAS_ALLOC', {})), 'ok', 'the hook disarms itself after firing');
    assert.deepEqual(m.faults.disarm(), { passed: 2, failedAt: 'object allocation' });
    assert.deepEqual(m.faults.disarm(), { passed: 0, failedAt: undefined });
  });
});

/** fail_nth for each op in turn (cycled; 0: not armed). */
const plan = fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 12 });

describe('fail_nth in random ioctl sequences', () => {
  it('an injected failure at any point of any op is an ENOMEM that changes nothing; users stay equal to holders; close leaves nothing', () => {
    let injected = 0;
    checkProperty(
      'fail_nth in sequences',
      fc.property(sequenceArbitrary(30), plan, (ops, nths) => {
        const m = failNthMachine();
        const driver: DriverState = { bound: new Map(), accesses: new Set() };
        const held = { accesses: driver.accesses, svaHandles: [] };
        ops.forEach((op, i) => {
          const payload = preparePayload(m, op);
          const n = nths[i % nths.length]!;
          const armed = n > 0;
          const before = armed ? rollbackPicture(m) : '';
          if (armed) m.faults.failNth(n);
          const out = applyOp(m, driver, op, payload);
          const { failedAt } = m.faults.disarm();
          const what = `op ${i} ${op.op} with fail_nth=${n}`;
          if (failedAt !== undefined) {
            injected++;
            assert.equal(out.errno, 'ENOMEM', `${what}: the failure at ${failedAt} came out as ${out.errno} (${out.reason})`);
            const after = rollbackPicture(m);
            if (out.atomic) assert.ok(after === before, `${what}: the failure at ${failedAt} changed the state: ${firstDifference(before, after)}`);
          }
          checkUsers(m, held, what);
          m.resetScratch();
        });
        closeAndCheckNothingLeft(m, held, 'the end of the sequence');
      }),
      60,
    );
    console.log(`fail_nth in sequences: ${injected} failures injected`);
  });
});
