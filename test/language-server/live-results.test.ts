import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMachine } from '../../emulator/engine/machine.js';
import { inlayHints } from '../../server/language/inlay-hints.js';
import { describeLive, LiveRunner, type LiveResult } from '../../server/language/live-results.js';
import { analyseText, SETUP } from './analyse-text.js';

const TEXT = `${SETUP}ioas = ioas_alloc => 1
nic = bind nic0
hwpt = attach nic ioas
ioas_map ioas ram 4K
destroy ioas => ok
dma nic0 read 0x7000000 u32
`;
const WHOLE = { start: { line: 0, character: 0 }, end: { line: 99, character: 0 } };

/** Runs to the end, each deferred slice run by hand; returns the result and the number of slices. */
function runAll(text: string, sliceSteps: number, maxSteps?: number): { result?: LiveResult; slices: number } {
  const queue: (() => void)[] = [];
  const runner = new LiveRunner({ createMachine, sliceSteps, maxSteps, defer: (fn) => queue.push(fn) });
  const out: { result?: LiveResult; slices: number } = { slices: 0 };
  runner.start(analyseText(text), (r) => (out.result = r));
  while (queue.length) {
    queue.shift()!();
    out.slices++;
  }
  return out;
}

test('live results: each statement outcome, and mismatches with the actual outcome', () => {
  const { result } = runAll(TEXT, 100);
  assert.ok(result);
  const shown = [...result.results.values()].map((r) => r.shown);
  assert.deepEqual(shown.slice(-6), ['1', '2', '3', '0x1000000', 'EBUSY', 'fault translation @ L2']);
  assert.deepEqual(result.mismatches.map((m) => [m.range.start.line, m.actual]), [[7, 'EBUSY'], [8, 'fault translation']]);
  assert.match(result.mismatches[0]!.message, /expected ok, got EBUSY \(.*HWPT/);
});

test('live results: the run is sliced (one slice per step budget) and bounded', () => {
  assert.equal(runAll(TEXT, 2).slices, 5);
  const loop = `${SETUP}repeat 1000 {\n  x = ioas_alloc\n  destroy x\n}\n`;
  const { result } = runAll(loop, 50, 300);
  assert.equal(result?.stoppedEarly, 'live results stop after 300 statements');
});

test('live results: a newer start cancels the older run; files with errors do not run', () => {
  const queue: (() => void)[] = [];
  const runner = new LiveRunner({ createMachine, sliceSteps: 1, defer: (fn) => queue.push(fn) });
  const done: string[] = [];
  runner.start(analyseText(TEXT), () => done.push('old'));
  queue.shift()!();
  runner.start(analyseText(TEXT), () => done.push('new'));
  runner.start(analyseText('ioas_aloc\n'), () => done.push('error'));
  while (queue.length) queue.shift()!();
  assert.equal(done.length, 0, 'neither the replaced run nor the one with errors reported');
  runner.start(analyseText(TEXT), () => done.push('last'));
  while (queue.length) queue.shift()!();
  assert.deepEqual(done, ['last']);
});

test('inlay hints: the live outcome after each command of this text only', () => {
  const queue: (() => void)[] = [];
  const a = analyseText(TEXT);
  let result: LiveResult | undefined;
  new LiveRunner({ createMachine, defer: (fn) => queue.push(fn) }).start(a, (r) => (result = r));
  while (queue.length) queue.shift()!();
  const hints = inlayHints(a, result, WHOLE);
  assert.deepEqual(hints.slice(3, 6).map((h) => [h.position.line, h.label]), [[3, '→ 1'], [4, '→ 2'], [5, '→ 3']]);
  assert.equal(hints.find((h) => h.label === '→ EBUSY')?.tooltip?.includes('HWPT'), true);
  assert.deepEqual(inlayHints(analyseText(TEXT), result, WHOLE), [], 'another analysis (newer text) shows none');
});

test('live results: hover text gives a binding its outcome and its object users right after it', () => {
  const queue: (() => void)[] = [];
  const a = analyseText(TEXT);
  let result: LiveResult | undefined;
  new LiveRunner({ createMachine, defer: (fn) => queue.push(fn) }).start(a, (r) => (result = r));
  while (queue.length) queue.shift()!();
  const describe = describeLive(result, a)!;
  const def = (name: string) => a.index.definitions.find((d) => d.name === name)!;
  assert.equal(describe(def('ioas')), '=> 1; its object has 1 user after this statement');
  assert.equal(describe(def('hwpt')), '=> 3; its object has 2 users after this statement');
  assert.equal(describeLive(result, analyseText(TEXT)), undefined);
});
