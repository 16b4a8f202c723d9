// Replay equivalence (issue 9 §3): for random traces, the CLI's run, the
// debugger stepping forwards, and the debugger going back (step back,
// reverse continue, goto) then forwards again all show the same state at the
// same position. The reference is one plain forward run, as runFile does it;
// each position's picture is the debugger's view (frames, locals,
// mismatches, the machine's inspection snapshot) plus a deep snapshot of the
// machine's private state, so a restore that forgets an internal counter is
// caught even when no view shows it yet. Small checkpoint intervals make
// every move back go through a restored checkpoint; the DebugRuntime is
// driven through its public API only.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { createMachine } from '../../emulator/engine/machine.js';
import type { Stmt } from '../../emulator/language/ast.js';
import { checkFile } from '../../emulator/language/index.js';
import { DebugRuntime, type Output, type Stop } from '../../emulator/runtime/debug-runtime.js';
import { Run } from '../../emulator/runtime/interpreter.js';
import { mismatchMessage, type Mismatch } from '../../emulator/runtime/outcome.js';
import { runFile } from '../../emulator/runtime/run-file.js';
import { fingerprint } from '../debug/state-fingerprint.js';
import { checkAsyncProperty } from './property-budget.js';
import { firstDifference, snapshot } from './state-snapshot.js';
import { traceProgram } from './trace-program.js';

const dir = mkdtempSync(join(tmpdir(), 'iotrace-replay-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** How a checkpoint shares host frames with the live run (copy on write): bookkeeping of the copy, not machine state. */
const NOT_STATE = new Set(['PhysMem.copyOnWrite']);

function picture(run: Run): string {
  return `${fingerprint(run)}\n${JSON.stringify(run.mismatches)}\n${snapshot(run.machine, { ignore: NOT_STATE })}`;
}

/** The plain forward run, position by position: what every debugger move is compared with. */
interface Reference {
  pictures: string[];
  /** The statement about to run at each position (undefined at the end). */
  next: (Stmt | undefined)[];
  depth: number[];
  mismatches: Mismatch[];
  program: ReturnType<typeof checkFile>['program'];
}

/** Writes the trace, runs it as the CLI does, and replays it with the Run API as runFile does, keeping every position. */
function reference(text: string): Reference {
  const file = join(dir, 'trace.iotrace');
  writeFileSync(file, text);
  const report = runFile(file, { workspaceRoot: dir, createMachine });
  assert.equal(report.hasErrors, false, `the generator made a trace the checker refuses:\n${text}\n${JSON.stringify(report.diagnostics)}`);
  const { program } = checkFile(file, { workspaceRoot: dir });
  const run = new Run(program, { machine: createMachine() });
  const ref: Reference = { pictures: [picture(run)], next: [run.nextStatement()], depth: [run.depth], mismatches: report.mismatches, program };
  while (run.step()) {
    ref.pictures.push(picture(run));
    ref.next.push(run.nextStatement());
    ref.depth.push(run.depth);
  }
  assert.equal(run.statements, report.statements, 'the CLI and the Run API run as many statements');
  assert.deepEqual(run.mismatches, report.mismatches, 'the CLI and the Run API find the same mismatches');
  return ref;
}

/** A DebugRuntime with listeners that turn each command into a promise of where it stopped. */
class Driver {
  readonly rt: DebugRuntime;
  readonly stderr: string[] = [];
  ended?: Mismatch[];

  constructor(ref: Reference, opts: { interval: number; maxCheckpoints: number }) {
    this.rt = new DebugRuntime(ref.program, createMachine, opts);
    this.rt.on('output', (o: Output) => {
      if (o.category === 'stderr') this.stderr.push(`${o.stmt?.line}: ${o.text}`);
    });
  }

  get position(): number {
    return this.rt.timeline.position;
  }

  /** Runs `command` and resolves with the stop (or 'end') it leads to; some commands stop before they return. */
  act(command: (rt: DebugRuntime) => void): Promise<Stop | 'end'> {
    return new Promise((res) => {
      const onStop = (s: Stop) => done(s);
      const onEnd = (ms: Mismatch[]) => {
        this.ended = ms;
        done('end');
      };
      const done = (r: Stop | 'end') => {
        this.rt.off('stopped', onStop);
        this.rt.off('end', onEnd);
        res(r);
      };
      this.rt.on('stopped', onStop);
      this.rt.on('end', onEnd);
      command(this.rt);
    });
  }
}

/** For the test's diagnostic line: how many states were compared, over how many moves. */
const counts = { states: 0, moves: 0, traces: 0 };

function assertAt(d: Driver, ref: Reference, expected: number, what: string): void {
  counts.states++;
  assert.equal(d.position, expected, `${what}: position`);
  const got = picture(d.rt.run);
  const want = ref.pictures[expected]!;
  if (got !== want) assert.fail(`${what}: the state at position ${expected} differs from the forward run's\n${firstDifference(want, got)}`);
}

/** Where a forward move from `here` stops: the first later position `done` accepts, or the end. */
function forwardTarget(ref: Reference, here: number, done: (p: number) => boolean): number {
  const end = ref.pictures.length - 1;
  for (let p = here + 1; p < end; p++) if (done(p)) return p;
  return end;
}

/** Where a backward move from `here` stops: the last earlier position (from 1) `hit` accepts, else the start. */
function backTarget(here: number, hit: (p: number) => boolean): number {
  for (let p = here - 1; p >= 1; p--) if (hit(p)) return p;
  return 0;
}

/** Steps in to the end (or `limit` steps), checking every position. */
async function forwardAll(d: Driver, ref: Reference, what: string, limit = Infinity): Promise<void> {
  const end = ref.pictures.length - 1;
  for (let n = 0; n < limit && d.position < end; n++) {
    const from = d.position;
    const r = await d.act((rt) => rt.stepIn());
    assert.equal(r === 'end', from + 1 === end, `${what}: step in from ${from} ends the run exactly at the end`);
    assertAt(d, ref, from + 1, `${what}, step in from ${from}`);
  }
}

type Move =
  | { kind: 'stepBack'; times: number }
  | { kind: 'goto'; target: number }
  | { kind: 'stepIn' | 'next' | 'stepOut' | 'continue' | 'reverseContinue' }
  | { kind: 'forward'; steps: number };

const move: fc.Arbitrary<Move> = fc.oneof(
  fc.record({ kind: fc.constant('stepBack' as const), times: fc.integer({ min: 1, max: 6 }) }),
  fc.record({ kind: fc.constant('goto' as const), target: fc.nat() }),
  fc.record({ kind: fc.constantFrom('stepIn' as const, 'next' as const, 'stepOut' as const, 'continue' as const, 'reverseContinue' as const) }),
  fc.record({ kind: fc.constant('forward' as const), steps: fc.integer({ min: 1, max: 40 }) }),
);

/** Performs one move and checks both where it lands (the documented semantics) and the state there. */
async function perform(d: Driver, ref: Reference, m: Move, statements: Stmt[]): Promise<void> {
  const here = d.position;
  const depth = ref.depth[here]!;
  const what = `${JSON.stringify(m)} from ${here}`;
  switch (m.kind) {
    case 'stepBack':
      for (let i = 0; i < m.times; i++) {
        const from = d.position;
        await d.act((rt) => rt.stepBack());
        assertAt(d, ref, backTarget(from, (p) => ref.depth[p]! <= ref.depth[from]!), `${what}, step back ${i + 1}`);
      }
      return forwardAll(d, ref, `${what}, then forwards`);
    case 'goto': {
      const stmt = statements[m.target % statements.length]!;
      const r = await d.act((rt) => rt.goto(stmt));
      // The last time it was about to run (now and the start included), else the next time it will.
      // A statement is known by where it starts: the debugger's run parses statements again as it reaches them.
      const isIt = (s: Stmt | undefined): boolean => s !== undefined && s.file === stmt.file && samePosition(s.range.start, stmt.range.start);
      let want = here;
      while (want >= 0 && !isIt(ref.next[want])) want--;
      if (want < 0) want = forwardTarget(ref, here, (p) => isIt(ref.next[p]));
      assertAt(d, ref, want, what);
      if (r !== 'end') assert.ok(isIt(d.rt.run.nextStatement()), `${what}: stops before the statement`);
      return forwardAll(d, ref, `${what}, then forwards`, 20);
    }
    case 'stepIn':
      await d.act((rt) => rt.stepIn());
      return assertAt(d, ref, Math.min(here + 1, ref.pictures.length - 1), what);
    case 'next':
      await d.act((rt) => rt.next());
      return assertAt(d, ref, forwardTarget(ref, here, (p) => ref.depth[p]! <= depth), what);
    case 'stepOut':
      await d.act((rt) => rt.stepOut());
      return assertAt(d, ref, forwardTarget(ref, here, (p) => ref.depth[p]! < depth), what);
    case 'continue':
      assert.equal(await d.act((rt) => rt.continue()), 'end', `${what}: without breakpoints a continue runs to the end`);
      return assertAt(d, ref, ref.pictures.length - 1, what);
    case 'reverseContinue':
      await d.act((rt) => rt.reverseContinue());
      return assertAt(d, ref, 0, `${what}: without breakpoints back to the start`);
    case 'forward':
      return forwardAll(d, ref, what, m.steps);
  }
}

/** Every statement of the program, loop and proc bodies included, in source order. */
function allStatements(stmts: Stmt[]): Stmt[] {
  return stmts.flatMap((s) => ('body' in s && Array.isArray(s.body) ? [s, ...allStatements(s.body as Stmt[])] : [s]));
}

describe('replay equivalence', () => {
  it('the CLI, stepping forwards, and going back then forwards again give the same outcomes and states', async (t) => {
    await checkAsyncProperty(
      'replay equivalence',
      fc.asyncProperty(traceProgram, fc.integer({ min: 1, max: 8 }), fc.integer({ min: 2, max: 8 }), fc.array(move, { maxLength: 8 }), (text, interval, maxCheckpoints, moves) =>
        replayCase({ text, interval, maxCheckpoints, moves }),
      ),
      25,
    );
    t.diagnostic(`${counts.traces} traces, ${counts.moves} random moves, ${counts.states} states compared`);
  });
});

async function replayCase(c: { text: string; interval: number; maxCheckpoints: number; moves: Move[] }): Promise<void> {
  counts.traces++;
  counts.moves += c.moves.length;
  const ref = reference(c.text);
  const d = new Driver(ref, c);
  const end = ref.pictures.length - 1;
  try {
    assert.equal((await d.act((rt) => rt.start(true))) !== 'end' && d.rt.lastStop?.reason, 'entry');
    assertAt(d, ref, 0, 'on entry');
    await forwardAll(d, ref, 'first pass');
    assert.equal(d.position, end);
    assert.deepEqual(d.ended, ref.mismatches, "the 'end' event lists the CLI's mismatches");
    const statements = allStatements(ref.program.statements);
    for (const m of c.moves) await perform(d, ref, m, statements);
    // Mismatches are reported once each, the first time the run passes them, in the CLI's order.
    assert.deepEqual(d.stderr, ref.mismatches.map((m) => `${m.range.start.line}: ${mismatchMessage(m)}`));
  } catch (e) {
    throw new Error(`${e instanceof Error ? e.message : String(e)}\ninterval ${c.interval}, maxCheckpoints ${c.maxCheckpoints}, moves ${JSON.stringify(c.moves)}\n--- trace ---\n${c.text}`);
  }
}

function samePosition(a: { line: number; character: number }, b: { line: number; character: number }): boolean {
  return a.line === b.line && a.character === b.character;
}
