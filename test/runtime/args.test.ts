// Which of a statement's keys its handler read: the keys left over are raw
// struct field overrides (trace-language §2), so a key read twice must count
// once, and a key the statement does not give must never count.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Expr } from '../../emulator/language/ast.js';
import { Args } from '../../emulator/runtime/args.js';
import type { EvalEnv } from '../../emulator/runtime/evaluate.js';

const at = { line: 0, character: 0 };
const int = (value: bigint): Expr => ({ kind: 'int', value, range: { start: at, end: at } }) as Expr;
const env: EvalEnv = { lookup: () => undefined, query: () => 0n };

test('unused() lists the keys not read yet, in the order given; allRead() once there are none', () => {
  const args = new Args(new Map([['a', int(1n)], ['b', int(2n)], ['c', int(3n)]]), env);
  assert.deepEqual(args.unused(), ['a', 'b', 'c']);
  assert.equal(args.int('b'), 2n);
  assert.equal(args.int('b'), 2n, 'read twice');
  assert.equal(args.int('zzz'), undefined, 'a key the statement does not give');
  assert.deepEqual(args.unused(), ['a', 'c']);
  assert.equal(args.allRead(), false);
  args.int('c');
  args.int('a');
  assert.deepEqual(args.unused(), []);
  assert.equal(args.allRead(), true);
});

test('a statement without keys has read them all', () => {
  const args = new Args(new Map(), env);
  assert.equal(args.allRead(), true);
  assert.equal(args.int('x'), undefined);
  assert.equal(args.allRead(), true);
});
