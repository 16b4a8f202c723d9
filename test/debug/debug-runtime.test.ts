// The protocol-free pieces the adapter is built on: breakpoint option
// parsing, hit counts, the empty-loop shortcut, and Last DMA after going back.
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { createMachine } from '../../emulator/engine/machine.js';
import { checkFile, checkText } from '../../emulator/language/index.js';
import { parseHitCondition, parseLogMessage } from '../../emulator/runtime/breakpoints.js';
import { DebugRuntime, type Stop } from '../../emulator/runtime/debug-runtime.js';
import { Run } from '../../emulator/runtime/interpreter.js';
import { parseExpression } from '../../emulator/runtime/parse-expression.js';

function parseExpr(text: string) {
  const p = parseExpression(text);
  assert.ok(p.ok);
  return p.expr;
}

function runtimeFor(text: string): DebugRuntime {
  const { program, diagnostics } = checkText('/ws/t.iotrace', text, { workspaceRoot: '/ws', readFile: () => '' });
  assert.deepEqual(diagnostics.filter((d) => d.severity === 'error'), []);
  return new DebugRuntime(program, createMachine);
}

const nextStop = (rt: DebugRuntime) => new Promise<Stop>((r) => rt.once('stopped', r));

describe('breakpoint options', () => {
  it('parses hit conditions and refuses others', () => {
    assert.deepEqual(parseHitCondition('3'), { op: '>=', n: 3 });
    assert.deepEqual(parseHitCondition('>= 2'), { op: '>=', n: 2 });
    assert.deepEqual(parseHitCondition('%4'), { op: '%', n: 4 });
    assert.deepEqual(parseHitCondition('== 2'), { error: 'hit count "== 2" is not N, >= N or % N' });
  });

  it('parses log messages with {expr} parts and reports a bad part', () => {
    const parts = parseLogMessage('a={a} b');
    assert.ok(Array.isArray(parts) && parts.length === 3 && parts[0] === 'a=' && parts[2] === ' b');
    assert.match((parseLogMessage('x={1 +}') as { error: string }).error, /^\{1 \+\}: /);
  });

  it('parses one expression, and refuses trailing text', () => {
    assert.ok(parseExpression('users(ioas) == 2').ok);
    assert.equal(parseExpression('1 2').ok, false);
  });
});

describe('DebugRuntime', () => {
  it('a "% 2" hit count stops on every second hit', async () => {
    const rt = runtimeFor('repeat i in 1..6 {\n  let x = i\n}\n');
    rt.breakpoints.setLines('/ws/t.iotrace', [{ id: 1, file: '/ws/t.iotrace', line: 1, hit: { op: '%', n: 2 } }]);
    const seen: bigint[] = [];
    rt.start(false);
    for (let k = 0; k < 3; k++) {
      await nextStop(rt);
      seen.push(rt.run.evaluate({ kind: 'name', name: 'i', range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } }) as bigint);
      rt.continue();
    }
    assert.deepEqual(seen, [2n, 4n, 6n]);
  });

  it('reverseContinue stops at exactly the hits continue stopped at, in reverse, for any hit count and condition', async () => {
    const iOf = (rt: DebugRuntime) => rt.run.evaluate(parseExpr('i')) as bigint;
    await fc.assert(fc.asyncProperty(
      fc.constantFrom<'>=' | '%'>('>=', '%'), fc.integer({ min: 1, max: 5 }), fc.constantFrom('', 'i % 3 != 0'), fc.integer({ min: 1, max: 12 }),
      async (op, n, cond, interval) => {
        const { program } = checkText('/ws/t.iotrace', 'repeat i in 0..11 {\n  let x = i\n}\nlet end = 1\n', { workspaceRoot: '/ws', readFile: () => '' });
        const rt = new DebugRuntime(program, createMachine, { interval });
        rt.breakpoints.setLines('/ws/t.iotrace', [
          { id: 1, file: '/ws/t.iotrace', line: 1, hit: { op, n }, ...(cond && { condition: parseExpr(cond) }) },
          { id: 2, file: '/ws/t.iotrace', line: 3 },
        ]);
        const forward: bigint[] = [];
        let stop = nextStop(rt);
        rt.start(false);
        while ((await stop).hit?.ids[0] === 1) {
          forward.push(iOf(rt));
          stop = nextStop(rt);
          rt.continue();
        }
        const backward: bigint[] = [];
        for (;;) {
          // Going back stops synchronously: listen first.
          stop = nextStop(rt);
          rt.reverseContinue();
          if ((await stop).reason === 'entry') break;
          backward.push(iOf(rt));
        }
        assert.deepEqual(backward, [...forward].reverse());
      },
    ), { numRuns: 30 });
  });

  it('a loop with an empty body finishes at once', () => {
    const { program } = checkText('/ws/t.iotrace', 'repeat 1000000000 {}\nlet y = 1\n', { workspaceRoot: '/ws', readFile: () => '' });
    const run = new Run(program, { machine: createMachine() });
    run.step();
    assert.equal(run.nextStatement()?.kind, 'let');
  });

  it('Last DMA after going back is the DMA before that point, with its walk', async () => {
    const file = resolve('test/debug/fixtures/nested.iotrace');
    const { program } = checkFile(file, { workspaceRoot: resolve(file, '..') });
    const rt = new DebugRuntime(program, createMachine, { interval: 4 });
    rt.breakpoints.setLines(file, [{ id: 1, file, line: 26 }]); // line 27, after the last DMA
    rt.start(false);
    await nextStop(rt);
    const last = rt.lastDma()!;
    assert.deepEqual([last.stmt.range.start.line + 1, last.iova, last.outcome.kind], [26, 0x3000000n, 'fault']);
    for (let k = 0; k < 2; k++) {
      // Going back stops synchronously: listen first.
      const stop = nextStop(rt);
      rt.stepBack();
      await stop;
    }
    const earlier = rt.lastDma()!;
    assert.deepEqual([earlier.stmt.range.start.line + 1, earlier.iova, earlier.write], [24, 0x1000000n, true]);
    assert.ok(Array.isArray(earlier.walk) && earlier.walk.length === 3, 'a successful walk reads all three levels');
  });
});
