// The worker thread side of a live run (live-worker-runner.ts starts it with
// a memory limit): it checks the same texts the server has, runs them on a
// fresh engine and posts each slice's new results, so whatever ran before the
// worker is stopped (out of memory, or a newer edit) is already with the server.
import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { createMachine } from '../../emulator/engine/machine.js';
import { checkText, runnable } from '../../emulator/language/index.js';
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
  /** The memory bound of the run, in MB: the worker's heap and, separately, the emulated host memory. */
  maxMemoryMb: number;
}

/** Why a live run stopped when it reached its memory bound (the worker's heap or the emulated frames). */
export function outOfMemory(mb: number): string {
  return `the live run stopped: it needed more than ${mb} MB of memory (results up to there are shown)`;
}

export type LiveMessage =
  | { type: 'batch'; results: [string, StatementResult][]; mismatches: LiveMismatch[] }
  | { type: 'done'; stoppedEarly?: string };

function runJob(job: LiveJob, post: (m: LiveMessage) => void): void {
  const open = new Map(job.files);
  const readFile = (path: string): string => open.get(path) ?? readFileSync(path, 'utf8');
  const { program } = checkText(job.file, job.text, { workspaceRoot: job.workspaceRoot, readFile });
  const result: Omit<LiveResult, 'analysis'> = { results: new Map(), mismatches: [] };
  // Emulated frames live in ArrayBuffers outside the worker's JS heap, which
  // its resource limit does not count: they get a bound of their own.
  const machine = createMachine();
  const phys = machine.host.phys;
  phys.frameLimit = Math.max(1, Math.floor((job.maxMemoryMb * 1024 * 1024) / 4096));
  let run: Run;
  try {
    run = new Run(runnable(program), { machine });
  } catch (e) {
    return post({ type: 'done', stoppedEarly: `the run could not start: ${(e as Error).message}` });
  }
  for (;;) {
    const changed = new Set<string>();
    const state = runSteps(run, result, job.sliceSteps, job.maxSteps, changed);
    post({ type: 'batch', results: [...changed].map((k) => [k, result.results.get(k)!]), mismatches: result.mismatches.splice(0) });
    if (phys.touchedFrames >= phys.frameLimit) return post({ type: 'done', stoppedEarly: outOfMemory(job.maxMemoryMb) });
    if (state === 'done') return post({ type: 'done', stoppedEarly: result.stoppedEarly });
  }
}

if (parentPort) {
  const port = parentPort;
  runJob(workerData as LiveJob, (m) => port.postMessage(m));
}
