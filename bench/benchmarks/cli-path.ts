// Targets 1 and 2: what `iotrace check` and `iotrace run` do with the large
// workload, in process (the file is already read: the figure is the front
// end's and the engine's, not the disk's).
//  1. check's bytes per second against JSON.parse's on the same statements
//     as a JSON array of arrays (the floor a hand-written front end can hope
//     for is a fraction of the engine's native JSON parser);
//  2. a full run (runText: check and execute, as `iotrace run` does) against
//     check alone.
// Each repetition times the three back to back, and each target judges the
// median of the repetitions' own ratios: a burst of load on this shared
// machine (a check took anywhere from 1.1 to 2.1 s in one minute) then
// slows both halves of the ratio it lands in, where a ratio of the medians
// can pair a quiet run with a loaded check. The table shows each side's
// median.
import { createMachine } from '../../emulator/engine/machine.js';
import { checkText } from '../../emulator/language/index.js';
import { runText } from '../../emulator/runtime/run-file.js';
import { mismatchMessage } from '../../emulator/runtime/outcome.js';
import { time, type BenchSettings } from '../measure.js';
import { atLeast, atMost, pairedRow, type BenchResult } from '../result.js';
import { workloadJson, workloadText } from '../workload.js';

/** The path the workload is checked under (it is never read from disk). */
export const WORKLOAD_FILE = '/bench/workload.iotrace';

export function checkWorkload(text: string) {
  const r = checkText(WORKLOAD_FILE, text, { workspaceRoot: '/bench', readFile: () => '' });
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) throw new Error(`the workload does not check: ${errors[0]!.message} (line ${errors[0]!.range.start.line + 1})`);
  return r.program;
}

export function cliPath(s: BenchSettings): BenchResult[] {
  const text = workloadText({ statements: s.statements });
  const json = workloadJson({ statements: s.statements });
  const check: number[] = [];
  const parse: number[] = [];
  const run: number[] = [];
  for (let i = 0; i < s.runs; i++) {
    parse.push(time(() => JSON.parse(json)));
    check.push(time(() => checkWorkload(text)));
    run.push(
      time(() => {
        const r = runText(WORKLOAD_FILE, text, { workspaceRoot: '/bench', readFile: () => '', createMachine });
        if (r.hasErrors || r.statements < s.statements) throw new Error(`the workload did not run: ${r.diagnostics[0]?.message}`);
        if (r.mismatches.length > 0) throw new Error(`the workload mismatched: ${mismatchMessage(r.mismatches[0]!)}`);
      }),
    );
  }
  const mb = (bytes: number, ms: number): number => bytes / 1e6 / (ms / 1e3);
  const speeds = (ms: readonly number[], bytes: number): number[] => ms.map((t) => mb(bytes, t));
  return [
    pairedRow(
      atLeast,
      {
        id: '1 parse+check',
        description: `check ${s.statements} statements (${(text.length / 1e6).toFixed(1)} MB) vs JSON.parse of them (${(json.length / 1e6).toFixed(1)} MB)`,
        unit: 'MB/s',
      },
      speeds(check, text.length),
      speeds(parse, json.length),
      1 / 3,
    ),
    pairedRow(atMost, { id: '2 run', description: `run (check + execute) the ${s.statements}-statement trace vs check alone`, unit: 'ms' }, run, check, 3),
  ];
}
