// Target 5: the debugger on the large workload.
//  - continue to the end with 10 line breakpoints that never hit (on the
//    workload's header comment) and one conditional breakpoint that is false
//    wherever it is reached, against a plain run of the same program;
//  - stepBack from the last statement against the plain run;
//  - the checkpoints' heap against the engine's own heap at the end.
import { createMachine } from '../../emulator/engine/machine.js';
import type { Program } from '../../emulator/language/ast.js';
import { DebugRuntime } from '../../emulator/runtime/debug-runtime.js';
import { Run } from '../../emulator/runtime/interpreter.js';
import { parseExpression } from '../../emulator/runtime/parse-expression.js';
import { heapUsed, median, time, timeAsync, type BenchSettings } from '../measure.js';
import { atMost, type BenchResult } from '../result.js';
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

export async function debuggerBench(s: BenchSettings): Promise<BenchResult[]> {
  if (HEADER_LINES < 10) throw new Error('the workload header must have room for 10 breakpoints');
  const program = checkWorkload(workloadText({ statements: s.debugStatements }));
  const conditionLine = HEADER_LINES + Math.floor(s.debugStatements / 2);
  // Memory first, on a heap the timed runs have not churned (measured after
  // them, the heap shrank while a run was held). The engine's own state is
  // what a finished plain run holds; the checkpoints are what a finished
  // debug run holds beyond an identical one whose checkpoint interval is
  // longer than the run (so it takes none).
  const held = async (make: () => Promise<unknown>): Promise<number> => {
    const before = heapUsed();
    const keep = await make();
    const after = heapUsed();
    // Using `keep` after the second measurement keeps it reachable through it.
    return keep === undefined ? NaN : after - before;
  };
  const engine = await held(async () => {
    const run = new Run(program, { machine: createMachine() });
    run.runToEnd();
    return run;
  });
  const finishedDebugRun = async (interval?: number): Promise<DebugRuntime> => {
    const rt = debugRuntime(program, conditionLine, interval);
    await continueToEnd(rt);
    return rt;
  };
  const checkpoints = (await held(() => finishedDebugRun())) - (await held(() => finishedDebugRun(Number.MAX_SAFE_INTEGER)));
  const plain: number[] = [];
  const debug: number[] = [];
  const back: number[] = [];
  for (let i = 0; i < s.runs; i++) {
    plain.push(time(() => void new Run(program, { machine: createMachine() }).runToEnd()));
    const rt = debugRuntime(program, conditionLine);
    debug.push(await timeAsync(() => continueToEnd(rt)));
    back.push(time(() => rt.stepBack()));
  }
  const tPlain = median(plain);

  return [
    atMost({ id: '5 debug continue', description: 'continue to the end with 10 idle line breakpoints and 1 false conditional vs a plain run', measured: median(debug), baseline: tPlain, unit: 'ms' }, 1.5),
    atMost({ id: '5 stepBack', description: 'stepBack at the last statement vs the full plain run', measured: median(back), baseline: tPlain, unit: 'ms' }, 1 / 100),
    atMost({ id: '5 checkpoints', description: "checkpoints' heap vs the engine's own heap at the end of the run", measured: checkpoints / 1024, baseline: engine / 1024, unit: 'KiB' }, 2),
  ];
}
