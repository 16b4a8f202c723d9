// The timeline's checkpoint policy (timeline.ts): a bounded number of
// checkpoints, dense near the current position; the newest close to the end
// of a long run, so going back from there replays little; and, whatever was
// thinned out, every position restores to exactly the forward run's state,
// host memory (shared copy-on-write with checkpoints) included.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { workloadText } from '../../bench/workload.js';
import { createMachine } from '../../emulator/engine/machine.js';
import { PhysMem } from '../../emulator/engine/memory/physmem.js';
import { checkText } from '../../emulator/language/index.js';
import { deepClone } from '../../emulator/runtime/deep-clone.js';
import { DebugRuntime } from '../../emulator/runtime/debug-runtime.js';
import { Run } from '../../emulator/runtime/interpreter.js';
import { Timeline } from '../../emulator/runtime/timeline.js';
import { snapshot } from '../reliability/state-snapshot.js';
import { fingerprint } from './state-fingerprint.js';

function program(text: string) {
  const r = checkText('/ws/t.iotrace', text, { workspaceRoot: '/ws', readFile: () => '' });
  assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'error'), []);
  return r.program;
}

/** One statement per position, 20001 positions, a machine with nothing in it. */
const longLoop = () => program('repeat i in 1..20000 {\n  let x = i\n}\n');
/** The benchmark's workload, small: maps, unmaps and DMA writes into host memory frames. */
const workload = (statements: number) => program(workloadText({ statements, devices: 2, ring: 16 }));

/** A clock where every timed thing (a sampled step, a copy) takes 1 ms: spacing follows the run's length alone. */
function tickClock(): () => number {
  let t = 0;
  return () => t++;
}

/** What a restore must reproduce: the debugger's view and the machine's private state (the copy-on-write bookkeeping aside). */
const picture = (run: Run) => `${fingerprint(run)}\n${snapshot(run.machine, { ignore: new Set(['PhysMem.copyOnWrite']) })}`;

/** The forward run's pictures at `positions`. */
function forwardStates(prog: ReturnType<typeof program>, positions: number[]): Map<number, string> {
  const run = new Run(prog, { machine: createMachine() });
  const out = new Map<number, string>();
  do if (positions.includes(run.statements)) out.set(run.statements, picture(run));
  while (run.step());
  return out;
}

/** Counts the statements run (replays included) while `fn` runs. */
function countSteps(fn: () => void): number {
  const original = Run.prototype.step;
  let n = 0;
  Run.prototype.step = function (this: Run) {
    n++;
    return original.call(this);
  };
  try {
    fn();
  } finally {
    Run.prototype.step = original;
  }
  return n;
}

describe('checkpoint policy', () => {
  it('keeps at most maxCheckpoints on a long run: the start, the newest near the end, sparser further back', () => {
    const tl = new Timeline(longLoop(), createMachine, { interval: 10, maxCheckpoints: 6 });
    let most = 0;
    while (tl.step()) most = Math.max(most, tl.checkpointPositions.length);
    const cps = tl.checkpointPositions;
    assert.equal(most, 6);
    assert.equal(cps[0], 0);
    assert.ok(tl.position - cps.at(-1)! <= 10, `the newest (${cps.at(-1)}) is within one interval of the end (${tl.position})`);
    const gaps = cps.slice(1).map((p, i) => p - cps[i]!);
    for (let i = 1; i < gaps.length; i++) assert.ok(gaps[i - 1]! >= gaps[i]!, `gaps grow going back: ${cps.join(', ')}`);
  });

  it('spaces checkpoints by the run so far: the newest stays within 1/256 of the position', () => {
    const tl = new Timeline(longLoop(), createMachine, { clock: tickClock() });
    while (tl.step()) {
      const newest = tl.checkpointPositions.at(-1)!;
      assert.ok(tl.position - newest <= Math.max(64, tl.position / 256), `at ${tl.position} the newest is ${newest}`);
    }
    assert.ok(tl.checkpointPositions.length <= 2, 'by default, one copy besides the start');
  });

  it('stepBack at the last statement replays one gap, not the run, and lands on the forward state', async () => {
    const prog = workload(3000);
    const states = forwardStates(prog, [2998]);
    const rt = new DebugRuntime(prog, createMachine, { clock: tickClock() });
    await new Promise<void>((res) => {
      rt.once('end', () => res());
      rt.start(false);
    });
    const last = prog.statements.at(-1)!;
    rt.goto(last);
    assert.equal(rt.timeline.position, 2999);
    const replayed = countSteps(() => rt.stepBack());
    assert.ok(replayed <= 64, `stepBack replayed ${replayed} statements`);
    assert.equal(picture(rt.run), states.get(2998));
  });

  it('waiting at a stop prepares the step back: then it replays one statement, each time, and lands on the forward states', async () => {
    const prog = workload(3000);
    const states = forwardStates(prog, [2995, 2996, 2997, 2998, 3000]);
    const rt = new DebugRuntime(prog, createMachine, { clock: tickClock() });
    const idle = () => new Promise((resolve) => setImmediate(resolve));
    await new Promise<void>((res) => {
      rt.once('end', () => res());
      rt.start(false);
    });
    rt.goto(prog.statements.at(-1)!);
    for (const p of [2998, 2997, 2996, 2995]) {
      await idle();
      const replayed = countSteps(() => rt.stepBack());
      assert.equal(replayed, 1, `stepBack to ${p}`);
      assert.equal(picture(rt.run), states.get(p), `position ${p}`);
    }
    // Stepping forwards in between moves the prepared run along instead of copying one again.
    await idle();
    rt.stepIn();
    await new Promise((resolve) => rt.once('stopped', resolve));
    await idle();
    assert.equal(countSteps(() => rt.stepBack()), 1);
    assert.equal(picture(rt.run), states.get(2995));
    rt.continue();
    await new Promise((resolve) => rt.once('end', resolve));
    assert.equal(picture(rt.run), states.get(3000), 'running on from an adopted run reaches the forward end');
  });

  it('goto and seek far back, with few checkpoints kept, give the forward states, and so does running on from there', () => {
    const prog = workload(3000);
    const positions = [2999, 7, 1500, 2950, 1, 2400, 3000];
    const states = forwardStates(prog, positions);
    const tl = new Timeline(prog, createMachine, { interval: 50, maxCheckpoints: 3 });
    while (tl.step());
    for (const p of positions) {
      tl.seek(p);
      assert.equal(picture(tl.run), states.get(p), `position ${p}`);
    }
    tl.seek(1200);
    while (tl.step());
    assert.equal(picture(tl.run), states.get(3000), 'the end again, after going back');
  });
});

describe('copies share what cannot change', () => {
  it('host memory frames are shared copy-on-write: a write on either side stays on that side', () => {
    const mem = new PhysMem();
    const pa = mem.allocPage();
    mem.store(pa, 4, 0x11111111n);
    const copy = deepClone(mem);
    mem.store(pa, 4, 0x22222222n);
    assert.equal(copy.load(pa, 4), 0x11111111n);
    copy.store(pa + 4n, 4, 0x33333333n);
    assert.equal(mem.load(pa + 4n, 4), 0n);
    assert.equal(mem.load(pa, 4), 0x22222222n);
    // A frame first written after the copy belongs to one side only.
    const other = mem.allocPage();
    copy.store(other, 1, 7n);
    assert.equal(mem.load(other, 1), 0n);
  });

  it('keeps deeply frozen objects (shared constants stay one object) and copies the rest', () => {
    const window = Object.freeze({ start: 1n, last: 2n, nested: Object.freeze({ a: 1 }) });
    const shallow = Object.freeze({ inner: { a: 1 } });
    const frozenMap = Object.freeze(new Map([[1, 2]]));
    const src = { a: [window], b: [window], shallow, frozenMap };
    const c = deepClone(src);
    assert.equal(c.a[0], window);
    assert.equal(c.b[0], window);
    assert.notEqual(c.shallow, shallow, 'a frozen object holding a mutable one is copied');
    assert.notEqual(c.frozenMap, frozenMap, 'a frozen Map can still change');
  });
});
