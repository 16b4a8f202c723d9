// Target 5: the debugger on the large workload.
//  - continue to the end with 10 line breakpoints that never hit (on the
//    workload's header comment) and one conditional breakpoint that is false
//    wherever it is reached, against a plain run of the same program;
//  - stepBack at the last statement (stopped before it runs, where a user
//    who ran to the end would be) against the plain run;
//  - the checkpoints' memory against the engine's own memory at the end.
import { createMachine } from '../../emulator/engine/machine.js';
import type { Program, Stmt } from '../../emulator/language/ast.js';
import { runnable } from '../../emulator/language/index.js';
import { DebugRuntime } from '../../emulator/runtime/debug-runtime.js';
import { Run } from '../../emulator/runtime/interpreter.js';
import { parseExpression } from '../../emulator/runtime/parse-expression.js';
import { heapUsed, time, timeAsync, type BenchSettings } from '../measure.js';
import { atMost, pairedRow, type BenchResult } from '../result.js';
import { HEADER_LINES, workloadText } from '../workload.js';
import { checkWorkload, WORKLOAD_FILE } from './cli-path.js';

function debugRuntime(program: Program, conditionLine: number, checkpointInterval?: number): DebugRuntime {
  const rt = new DebugRuntime(program, createMachine, { interval: checkpointInterval });
  const never = parseExpression('exists(ioas) == 0');
  if (!never.ok) throw new Error(never.message);
  const lines = Array.from({ length: 10 }, (_, i) => ({ id: rt.breakpoints.allocateId(), file: WORKLOAD_FILE, line: i }));
  rt.breakpoints.setLines(WORKLOAD_FILE, [...lines, { id: rt.breakpoints.allocateId(), file: WORKLOAD_FILE, line: conditionLine, condition: never.expr }]);
  return rt;
}

/** Continues from the start to the end; resolves with the runtime once it has ended. */
function continueToEnd(rt: DebugRuntime): Promise<void> {
  return new Promise((resolve, reject) => {
    rt.once('end', () => resolve());
    rt.once('stopped', (s: { reason: string }) => reject(new Error(`the debugger stopped (${s.reason}) where no breakpoint should hit`)));
    rt.start(false);
  });
}

/**
 * Bytes of the distinct ArrayBuffers reachable from `root`. They live
 * outside the JS heap, and the process's own count of them lags behind
 * collections (it went negative between two measurements), so they are
 * counted by walking the graph instead.
 */
function bufferBytes(root: object, program: object): number {
  // The program (its text and statement tables) is loaded once and shared by every run: it is not a run's memory.
  const seen = new Set<object>([program]);
  const buffers = new Set<ArrayBufferLike>();
  const stack: object[] = [root];
  const visit = (v: unknown): void => {
    if (typeof v === 'object' && v !== null && !seen.has(v)) {
      seen.add(v);
      stack.push(v);
    }
  };
  while (stack.length > 0) {
    const v = stack.pop()!;
    if (v instanceof ArrayBuffer) buffers.add(v);
    // A typed array's buffer is behind a prototype getter; its own keys are its elements.
    else if (ArrayBuffer.isView(v)) buffers.add(v.buffer);
    else {
      if (v instanceof Map) {
        for (const [k, x] of v) {
          visit(k);
          visit(x);
        }
      } else if (v instanceof Set) for (const x of v) visit(x);
      for (const key of Reflect.ownKeys(v)) visit((v as Record<PropertyKey, unknown>)[key]);
    }
  }
  let bytes = 0;
  for (const b of buffers) bytes += b.byteLength;
  return bytes;
}

/** Goes (untimed) to the program's last statement, about to run: `stepBack` is timed from there. */
function toLastStatement(rt: DebugRuntime, last: Stmt): Promise<void> {
  return new Promise((resolve) => {
    rt.once('stopped', () => resolve());
    rt.goto(last);
  });
}

export async function debuggerBench(s: BenchSettings): Promise<BenchResult[]> {
  if (HEADER_LINES < 10) throw new Error('the workload header must have room for 10 breakpoints');
  const program = checkWorkload(workloadText({ statements: s.debugStatements }));
  const conditionLine = HEADER_LINES + Math.floor(s.debugStatements / 2);
  const last = program.statementAt(program.statementCount - 1);
  // Memory first, on a heap the timed runs have not churned. The engine's
  // own state is what a finished plain run holds; the checkpoints are what a
  // finished debug run holds (the spare run prepared for going back
  // included) beyond an identical one whose checkpoint interval is longer
  // than the run (so it takes none) and which prepares none. Both count, besides
  // the heap, the ArrayBuffers outside it: the engine's host memory frames
  // live there, and are most of its state on this workload (a checkpoint
  // that copied them would not show in the heap at all). Each figure is per
  // instance of HELD kept at once, after one warm-up of each kind: a single
  // instance measured alone was off by whole runs (the interpreter's dead
  // registers kept the previous one alive, and the first one included
  // compiling the code it runs), down to negative figures.
  const HELD = 4;
  const held = async (make: () => Promise<object>): Promise<number> => {
    const before = heapUsed();
    const keep: object[] = [];
    for (let i = 0; i < HELD; i++) keep.push(await make());
    const after = heapUsed();
    // Reading `keep` after the second measurement keeps it reachable through it.
    // Without --expose-gc (the smoke test) nothing is collected first and the
    // heap's delta can come out negative: then the buffers alone count.
    return (Math.max(0, after - before) + bufferBytes(keep, program)) / keep.length;
  };
  const plainRun = async (): Promise<Run> => {
    const run = new Run(runnable(program), { machine: createMachine() });
    run.runToEnd();
    return run;
  };
  /** Without time travel: no checkpoints (an interval longer than the run), nor the spare run prepared at the end. */
  const finishedDebugRun = async (timeTravel = true): Promise<DebugRuntime> => {
    const rt = debugRuntime(program, conditionLine, timeTravel ? undefined : Number.MAX_SAFE_INTEGER);
    await continueToEnd(rt);
    // Stopped at the end, the runtime prepares for going back (Timeline.prepareBack): that copy counts too.
    if (timeTravel) await new Promise((resolve) => setImmediate(resolve));
    else rt.cancel();
    return rt;
  };
  // In a frame of its own: a suspended async frame keeps its dead temporaries alive.
  const warmUp = async (): Promise<void> => {
    await plainRun();
    await finishedDebugRun();
  };
  await warmUp();
  const engine = await held(plainRun);
  const checkpoints = (await held(() => finishedDebugRun())) - (await held(() => finishedDebugRun(false)));
  const plain: number[] = [];
  const debug: number[] = [];
  const back: number[] = [];
  for (let i = 0; i < s.runs; i++) {
    // The plain CLI run: `iotrace run` steps through the program's text (runnable), as runFile does.
    plain.push(time(() => void new Run(runnable(program), { machine: createMachine() }).runToEnd()));
    const rt = debugRuntime(program, conditionLine);
    debug.push(await timeAsync(() => continueToEnd(rt)));
    await toLastStatement(rt, last);
    // A user's stepBack comes as a request of its own, after the stop is on
    // screen; the runtime prepares for it meanwhile (Timeline.prepareBack).
    await new Promise((resolve) => setImmediate(resolve));
    back.push(time(() => rt.stepBack()));
    // Not to prepare the next step back during the next iteration's timings.
    rt.cancel();
  }
  // Each repetition times the plain run, the continue and the step back in turn: judged on their own ratios (pairedRow).
  return [
    pairedRow(atMost, { id: '5 debug continue', description: 'continue to the end with 10 idle line breakpoints and 1 false conditional vs a plain run', unit: 'ms' }, debug, plain, 1.5),
    pairedRow(atMost, { id: '5 stepBack', description: 'stepBack at the last statement vs the full plain run', unit: 'ms' }, back, plain, 1 / 100),
    atMost({ id: '5 checkpoints', description: "checkpoints' memory (heap and buffers) vs the engine's own at the end of the run", measured: checkpoints / 1024, baseline: engine / 1024, unit: 'KiB' }, 2),
  ];
}
