import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkText } from '../../emulator/language/index.js';
import { Run } from '../../emulator/runtime/interpreter.js';
import { fakeMachine, refuse, writeBack } from './fake-machine.js';
import { mismatchesOf, runText } from './helpers.js';

const lineOf = (run: Run) => run.frames()[0]?.statement?.range.start.line;

test('step() enters loops: one frame per loop with its variable, locals end with the iteration', () => {
  const run = runText(`let base = 0x1000
repeat i in 1..2 {
  let x = base + i
  expect x > base
}
let done = 1
`);
  run.step(); // let base
  assert.equal(run.frames().length, 1);
  const enter = run.step()!; // repeat
  assert.equal(enter.entered, true);
  let frames = run.frames();
  assert.deepEqual(frames.map((f) => f.kind), ['loop', 'file']);
  assert.equal(frames[0]!.name, 'repeat i in 1..2 (i = 1)');
  assert.deepEqual(frames[0]!.locals, [['i', 1n]]);
  assert.equal(frames[1]!.statement?.kind, 'repeat', 'the outer frame shows the statement that opened the loop');
  run.step(); // let x
  assert.deepEqual(run.frames()[0]!.locals, [['i', 1n], ['x', 0x1001n]]);
  run.step(); // expect
  frames = run.frames();
  assert.equal(frames[0]!.name, 'repeat i in 1..2 (i = 2)');
  assert.deepEqual(frames[0]!.locals, [['i', 2n]], 'x of the first iteration is gone');
  run.step();
  run.step();
  assert.deepEqual(run.frames().map((f) => f.kind), ['file']);
  assert.equal(lineOf(run), 5);
  assert.equal(run.done, false);
  run.step();
  assert.equal(run.done, true);
  assert.equal(run.step(), undefined);
  assert.equal(run.statements, 7);
});

test('procedure calls: a frame with the parameters as locals; definitions are hoisted and not steps', () => {
  const run = runText(`proc check(a, b) {
  let sum = a + b
  expect sum == 5
}
check(2, 3)
check(1, 1)
`);
  assert.equal(lineOf(run), 4, 'the proc definition is skipped');
  run.step();
  const frames = run.frames();
  assert.deepEqual(frames.map((f) => [f.kind, f.name]), [['proc', 'proc check'], ['file', '/ws/t.iotrace']]);
  assert.deepEqual(frames[0]!.locals, [['a', 2n], ['b', 3n]]);
  run.step();
  assert.deepEqual(run.frames()[0]!.locals, [['a', 2n], ['b', 3n], ['sum', 5n]]);
  assert.deepEqual(mismatchesOf(run), ['3: expected non-zero, got 0 (sum == 5: 2 == 5)']);
});

test('repeat N and an empty range: zero iterations open no frame', () => {
  const run = runText(`repeat 0 {
  expect 0
}
repeat i in 3..2 {
  expect 0
}
repeat 3 {
  let k = 1
}
`);
  assert.equal(run.step()!.entered, false);
  assert.equal(run.step()!.entered, false);
  assert.equal(run.step()!.entered, true);
  assert.equal(run.frames()[0]!.name, 'repeat 3');
  assert.deepEqual(mismatchesOf(run), []);
});

test('an include runs in a frame of its own and leaves its names and procedures behind', () => {
  const files: Record<string, string> = { '/ws/lib.iotrace': 'let shared = 7\nproc twice(v) {\n  expect v * 2 == 14\n}\n' };
  const { program, diagnostics } = checkText('/ws/main.iotrace', 'include "lib.iotrace"\ntwice(shared)\n', {
    workspaceRoot: '/ws',
    readFile: (p) => files[p] ?? '',
  });
  assert.deepEqual(diagnostics, []);
  const run = new Run(program, { machine: fakeMachine() });
  assert.equal(run.step()!.entered, true);
  assert.deepEqual(run.frames().map((f) => [f.kind, f.file]), [['include', '/ws/lib.iotrace'], ['file', '/ws/main.iotrace']]);
  assert.deepEqual(mismatchesOf(run), []);
});

test('outcomes: errno, value and ok expectations; a mismatch says what came instead and why', () => {
  const m = fakeMachine([
    refuse('EBUSY', 'IOAS 1 is used by HWPT 3'), // destroy 1 (expects ok)
    refuse('EBUSY', 'IOAS 1 is used by HWPT 3'), // destroy 1 => EBUSY
    (c) => ({ arg: c.arg }), // destroy 2 => ENOENT, but it succeeds
    writeBack({ 8: 3 }), // ioas_alloc => 2, but it is 3
    writeBack({ 8: 4 }), // ioas_alloc => 4
  ]);
  const run = runText(`destroy 1
destroy 1 => EBUSY
destroy 2 => ENOENT
ioas_alloc => 2
ioas_alloc => 4
`, m);
  assert.deepEqual(mismatchesOf(run), [
    '1: expected ok, got EBUSY (IOAS 1 is used by HWPT 3)',
    '3: expected ENOENT, got ok',
    '4: expected 2, got 3',
  ]);
});

test('DMA: a fault outcome, a value, and a read without => passing for any value', () => {
  const fault = { kind: 'translation' as const, addr: 0x4000n, write: false, detail: 'IOVA 0x4000 is not mapped in HWPT 3' };
  const results = [{ ok: false as const, fault }, { ok: true as const, pa: 0x1000n, value: 0xdeadbeefn }, { ok: true as const, pa: 0x1000n, value: 5n }, { ok: false as const, fault }];
  const m = fakeMachine([], { dma: () => results.shift()!, declareDevice: () => undefined });
  const run = runText(`device nic0
dma nic0 read 0x4000 u32 => fault translation
dma nic0 read 0x1000 u32 => 0xdeadbeef
dma nic0 read 0x1000 u32
dma nic0 read 0x4000 u32 => 0
`, m);
  assert.deepEqual(mismatchesOf(run), ['5: expected 0, got fault translation (IOVA 0x4000 is not mapped in HWPT 3)']);
});

test('a bug inside the engine is an internal-error mismatch, and the run goes on', () => {
  const m = fakeMachine([() => {
    throw new TypeError('x is undefined');
  }]);
  const run = runText('destroy 1\nexpect 1 == 1\nexpect 2 == 3\n', m);
  assert.deepEqual(mismatchesOf(run), ['1: expected ok, got internal error (x is undefined)', '3: expected non-zero, got 0 (2 == 3: 2 == 3)']);
});

test('a query the machine refuses is an error value that the expect reports', () => {
  const m = fakeMachine([], {
    pte: () => {
      throw new Error('level 3 is not reached: the walk ends at level 2 (a block)');
    },
  });
  const run = runText('expect pte(1, 0x1000, 3) == 0\n', m);
  assert.deepEqual(mismatchesOf(run), [
    '1: expected non-zero, got error (pte(1, 0x1000, 3) == 0: pte(): level 3 is not reached: the walk ends at level 2 (a block))',
  ]);
});

test('evaluate() reads the innermost frame, as a watch expression does', () => {
  const run = runText('let a = 1\nrepeat i in 5..6 {\n  let b = a + i\n}\n');
  run.step();
  run.step();
  const { program } = checkText('/ws/w.iotrace', 'let w = a + i', { workspaceRoot: '/ws' });
  const stmt = program.statements[0]!;
  assert.equal(stmt.kind, 'let');
  if (stmt.kind === 'let') assert.equal(run.evaluate(stmt.value), 6n);
});
