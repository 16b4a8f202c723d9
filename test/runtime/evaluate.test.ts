import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { arith } from '../../emulator/runtime/evaluate.js';
import { isError, U64_MAX } from '../../emulator/runtime/values.js';
import { mismatchesOf, runText } from './helpers.js';

const u64 = fc.bigInt({ min: 0n, max: U64_MAX });

test('u64 arithmetic never wraps: an out-of-range result is an overflow error', () => {
  fc.assert(fc.property(u64, u64, (a, b) => {
    for (const [op, exact] of [['+', a + b], ['-', a - b], ['*', a * b]] as const) {
      const r = arith(op, a, b);
      if (exact < 0n || exact > U64_MAX) assert.ok(isError(r) && r.message.startsWith('overflow'), `${a} ${op} ${b}`);
      else assert.equal(r, exact);
    }
  }));
});

test('shifts: bits shifted out of 64 are an overflow, right shifts past 63 give 0', () => {
  fc.assert(fc.property(u64, fc.bigInt({ min: 0n, max: 200n }), (a, n) => {
    const l = arith('<<', a, n);
    if (a << n > U64_MAX) assert.ok(isError(l));
    else assert.equal(l, a << n);
    assert.equal(arith('>>', a, n), a >> n);
  }));
});

test('division and remainder by zero are errors, not crashes', () => {
  assert.ok(isError(arith('/', 5n, 0n)));
  assert.ok(isError(arith('%', 5n, 0n)));
  assert.equal(arith('/', 7n, 2n), 3n);
});

test('expressions in a trace: precedence, comparisons, logic, bytes as lists', () => {
  const run = runText(`
let a = 2 + 3 * 4
expect a == 14
expect (1 << 12) == 4K
expect 0x1_0000 == 64K
expect 1 < 2 && !(2 < 1)
expect 0 || 5
expect ~0 == 0xffffffffffffffff
let b = h"de ad be ef"
expect len(b) == 4
expect b[1] == 0xad
expect b == [0xde, 0xad, 0xbe, 0xef]
`);
  assert.deepEqual(mismatchesOf(run), []);
});

test('an overflow or a division by zero in an expect is a mismatch that says why', () => {
  // users() answers 1 in the fake machine: values the checker cannot fold.
  const run = runText(`
let one = users(1)
expect 0xffffffffffffffff + one == 0
expect 1 / (one - 1)
let x = 0 - one
expect one == 2
`);
  assert.deepEqual(mismatchesOf(run), [
    '3: expected non-zero, got error (0xffffffffffffffff + one == 0: overflow: 0xffffffffffffffff + 1 is outside 0..2^64-1)',
    '4: expected non-zero, got error (1 / (one - 1): division by zero: 1 / 0)',
    '5: expected ok, got error (overflow: 0 - 1 is outside 0..2^64-1)',
    '6: expected non-zero, got 0 (one == 2: 1 == 2)',
  ]);
});

test('an index past the end is an error value', () => {
  const run = runText(`
let l = [1, 2]
expect l[users(1) + 1] == 0
`);
  assert.deepEqual(mismatchesOf(run), ['3: expected non-zero, got error (l[users(1) + 1] == 0: index 2 is past the end (length 2))']);
});
