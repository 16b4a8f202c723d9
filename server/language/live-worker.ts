// The worker thread side of a live run (live-worker-runner.ts starts it with
// a memory limit): it checks the same texts the server has, runs them on a
// fresh engine and posts each slice's new results, so whatever ran before the
// worker is stopped (out of memory, or a newer edit) is already with the server.
import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { createMachine } from '../../emulator/engine/machine.js';
import { checkText } from '../../emulator/language/index.js';
import { Run } from '../../emulator/runtime/interpreter.js';
import { runSteps, type LiveMismatch, type LiveResult, type StatementResult } from './live-results.js';

export interface LiveJob {
  file: string;
  text: string;
  workspaceRoot: string;
  /** The open editors' texts, read before the disk by includes. */
  files: [string, string][];
  sliceSteps: number;
  maxSteps: number;
}

export type LiveMessage =
  | { type: 'batch'; results: [string, StatementResult][]; mismatches: LiveMismatch[] }
  | { type: 'done'; stoppedEarly?: string };

function runJob(job: LiveJob, post: (m: LiveMessage) => void): void {
  const open = new Map(job.files);
  const readFile = (path: string): string => open.get(path) ?? readFileSync(path, 'utf8');
  const { program } = checkText(job.file, job.text, { workspaceRoot: job.workspaceRoot, readFile });
  const result: Omit<LiveResult, 'analysis'> = { results: new Map(), mismatches: [] };
  let run: Run;
  try {
    run = new Run(program, { machine: createMachine() });
  } catch (e) {
    return post({ type: 'done', stoppedEarly: `the run could not start: ${(e as Error).message}` });
  }
  for (;;) {
    const changed = new Set<string>();
    const state = runSteps(run, result, job.sliceSteps, job.maxSteps, changed);
    post({ type: 'batch', results: [...changed].map((k) => [k, result.results.get(k)!]), mismatches: result.mismatches.splice(0) });
    if (state === 'done') return post({ type: 'done', stoppedEarly: result.stoppedEarly });
  }
}

if (parentPort) {
  const port = parentPort;
  runJob(workerData as LiveJob, (m) => port.postMessage(m));
}
