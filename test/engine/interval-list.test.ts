// The blocked interval list against a plain sorted array: every insert,
// remove and lookup must agree, with enough intervals that blocks split and
// empty out (a block holds up to 128), for disjoint lists (binary search)
// and for lists that come to overlap (scans).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { IntervalList, type Interval } from '../../emulator/engine/iommufd/interval-list.js';

type Op = { kind: 'insert'; start: number; len: number } | { kind: 'remove'; pick: number } | { kind: 'first'; start: number; len: number };

const op = (maxStart: number): fc.Arbitrary<Op> =>
  fc.oneof(
    { weight: 5, arbitrary: fc.record({ kind: fc.constant('insert' as const), start: fc.nat(maxStart), len: fc.integer({ min: 1, max: 4 }) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('remove' as const), pick: fc.nat() }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('first' as const), start: fc.nat(maxStart), len: fc.integer({ min: 1, max: 64 }) }) },
  );

function check(ops: Op[], disjoint: boolean, base = 0n): void {
  const list = new IntervalList<Interval>();
  // The model: insertion order among equal starts, as the list keeps it.
  let model: Interval[] = [];
  for (const o of ops) {
    if (o.kind === 'insert') {
      const it = { start: base + BigInt(o.start * 4), last: base + BigInt(o.start * 4 + o.len - 1) };
      if (disjoint && model.some((m) => m.start <= it.last && it.start <= m.last)) continue;
      list.insert(it);
      const at = model.findIndex((m) => m.start > it.start);
      model.splice(at < 0 ? model.length : at, 0, it);
    } else if (o.kind === 'remove') {
      if (model.length === 0) continue;
      const it = model[o.pick % model.length]!;
      list.remove(it);
      model = model.filter((m) => m !== it);
    } else {
      const start = base + BigInt(o.start * 4);
      const last = start + BigInt(o.len) - 1n;
      const hits = model.filter((m) => m.start <= last && start <= m.last);
      assert.equal(list.first(start, last), hits[0]);
      assert.deepEqual(list.intersecting(start, last), hits);
    }
    assert.equal(list.size, model.length);
  }
  assert.deepEqual(list.all(), model);
}

describe('IntervalList', () => {
  it('agrees with a sorted array on disjoint intervals, across block splits and removals', () => {
    fc.assert(fc.property(fc.array(op(2000), { minLength: 300, maxLength: 900 }), (ops) => check(ops, true)), { numRuns: 40 });
  });

  it('agrees with a sorted array once intervals overlap', () => {
    fc.assert(fc.property(fc.array(op(400), { minLength: 300, maxLength: 700 }), (ops) => check(ops, false)), { numRuns: 30 });
  });

  // Past 2^53 a double cannot tell neighbouring addresses apart (near 2^64
  // its step is 4096), so the list's number keys tie and the bigints decide.
  it('agrees with a sorted array near the top of the 64-bit space, where its number keys tie', () => {
    const base = (1n << 64n) - 0x10000n;
    fc.assert(fc.property(fc.array(op(2000), { minLength: 300, maxLength: 900 }), (ops) => check(ops, true, base)), { numRuns: 30 });
    fc.assert(fc.property(fc.array(op(400), { minLength: 300, maxLength: 700 }), (ops) => check(ops, false, base)), { numRuns: 20 });
  });

  it('removes and finds in a list of thousands inserted in order (the churn of an rx ring)', () => {
    const list = new IntervalList<Interval>();
    const items = Array.from({ length: 3000 }, (_, i) => ({ start: BigInt(i) * 0x1000n, last: BigInt(i) * 0x1000n + 0xfffn }));
    for (const it of items) list.insert(it);
    for (let i = 0; i < 3000; i += 2) list.remove(items[i]!);
    assert.equal(list.size, 1500);
    assert.equal(list.first(0n, 0xfffn), undefined);
    assert.equal(list.first(0n, 0x1fffn), items[1]);
    assert.equal(list.first(0x5_0000n, 0xbb8_0000n), items[81]);
    assert.deepEqual(list.all(), items.filter((_, i) => i % 2 === 1));
  });
});
