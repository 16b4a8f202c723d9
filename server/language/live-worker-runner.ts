// Live runs in a worker thread: the run cannot slow the server's requests
// (it has its own event loop), it is bounded in memory (the worker's heap
// limit; a trace that allocates without bound kills only the worker) and in
// statements (the step budget), and a newer text terminates it at once. Where
// workers are unavailable it falls back to the in-process sliced runner.
import { Worker, type ResourceLimits } from 'node:worker_threads';
import type { Analysis } from './analysis.js';
import { outOfMemory, type LiveJob, type LiveMessage } from './live-worker.js';
import { LiveRunner, type LiveOptions, type LiveResult } from './live-results.js';

export interface WorkerLiveOptions extends LiveOptions {
  /** The worker's script: dist/live-worker.js (the unit tests start the .ts source through tsx). */
  script: string;
  execArgv?: string[];
  /** The worker's heap limit (maxOldGenerationSizeMb), and its emulated memory's too (see live-worker.ts). */
  maxMemoryMb: number;
  /** The open editors' texts, which the worker's includes read before the disk. */
  openTexts: () => [string, string][];
}

export class WorkerLiveRunner {
  private readonly running = new Map<string, Worker>();
  private readonly fallback: LiveRunner;

  constructor(private readonly opts: WorkerLiveOptions) {
    this.fallback = new LiveRunner(opts);
  }

  /** Runs `a` (if it has no errors); `done` is called unless a newer run of the file replaces it. */
  start(a: Analysis, done: (r: LiveResult) => void): void {
    this.cancel(a.file);
    if (a.diagnostics.some((d) => d.severity === 'error')) return;
    const job: LiveJob = {
      file: a.file, text: a.text, workspaceRoot: a.workspaceRoot, files: this.opts.openTexts(),
      sliceSteps: this.opts.sliceSteps ?? 500, maxSteps: this.opts.maxSteps ?? 200_000, maxMemoryMb: this.opts.maxMemoryMb,
    };
    const limits: ResourceLimits = { maxOldGenerationSizeMb: this.opts.maxMemoryMb };
    let worker: Worker;
    try {
      worker = new Worker(this.opts.script, { workerData: job, resourceLimits: limits, execArgv: this.opts.execArgv, stdout: true });
    } catch {
      this.fallback.start(a, done);
      return;
    }
    this.running.set(a.file, worker);
    const result: LiveResult = { analysis: a, results: new Map(), mismatches: [] };
    const finish = (stoppedEarly: string | undefined): void => {
      if (this.running.get(a.file) !== worker) return;
      this.running.delete(a.file);
      void worker.terminate();
      if (stoppedEarly) result.stoppedEarly = stoppedEarly;
      done(result);
    };
    worker.on('message', (m: LiveMessage) => {
      if (m.type === 'done') return finish(m.stoppedEarly);
      for (const [key, r] of m.results) result.results.set(key, r);
      result.mismatches.push(...m.mismatches);
    });
    worker.on('error', (e: Error & { code?: string }) => {
      finish(e.code === 'ERR_WORKER_OUT_OF_MEMORY' ? outOfMemory(this.opts.maxMemoryMb) : `the live run stopped: ${e.message}`);
    });
    worker.on('exit', (code) => finish(`the live run ended unexpectedly (exit code ${code})`));
  }

  cancel(file: string): void {
    this.fallback.cancel(file);
    const w = this.running.get(file);
    this.running.delete(file);
    if (w) void w.terminate();
  }
}
