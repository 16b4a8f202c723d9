import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createMachine } from '../../emulator/engine/machine.js';
import { LiveRunner, type LiveResult } from '../../server/language/live-results.js';
import { WorkerLiveRunner, type WorkerLiveOptions } from '../../server/language/live-worker-runner.js';
import { analyseText, SETUP } from './analyse-text.js';

// The worker runs the TypeScript source through tsx, as the unit tests do.
const OPTS: WorkerLiveOptions = {
  createMachine, script: join(__dirname, 'live-worker-tsx.cjs'),
  maxMemoryMb: 40, openTexts: () => [],
};

const TEXT = `${SETUP}ioas = ioas_alloc => 1
nic = bind nic0
hwpt = attach nic ioas
ioas_map ioas ram 4K
destroy ioas => ok
`;

/** A trace whose run allocates without bound: every write touches a new page of a huge region. */
export const UNBOUNDED = `iommu iommu0 model=mock\nmemory big 64G\nrepeat i in 0 .. 10000000 {\n  write (big + i * 4096) u64 1\n}\n`;

const runIn = (runner: { start: (a: ReturnType<typeof analyseText>, done: (r: LiveResult) => void) => void }, text: string): Promise<LiveResult> =>
  new Promise((res) => runner.start(analyseText(text), res));

test('live worker: gives the same results and mismatches as the in-process run', async () => {
  const inWorker = await runIn(new WorkerLiveRunner(OPTS), TEXT);
  const inProcess = await runIn(new LiveRunner({ createMachine }), TEXT);
  assert.deepEqual([...inWorker.results], [...inProcess.results]);
  assert.deepEqual(inWorker.mismatches, inProcess.mismatches);
  assert.deepEqual(inWorker.mismatches.map((m) => m.actual), ['EBUSY']);
  assert.equal(inWorker.stoppedEarly, undefined);
});

test('live worker: a trace allocating without bound is stopped at the memory limit, keeping the results so far', async () => {
  const r = await runIn(new WorkerLiveRunner({ ...OPTS, maxSteps: 100_000_000 }), UNBOUNDED);
  assert.match(r.stoppedEarly ?? '', /the live run stopped: it needed more than 40 MB of memory/);
  const write = [...r.results.values()].find((x) => x.kind === 'command' && x.range.start.line === 3);
  assert.ok(write && write.count > 1000, `the writes before the limit are kept (${write?.count})`);
});

test('live worker: a newer start terminates the older run, which never reports', async () => {
  const runner = new WorkerLiveRunner({ ...OPTS, maxSteps: 100_000_000 });
  const reports: string[] = [];
  runner.start(analyseText(UNBOUNDED), () => reports.push('old'));
  const r = await runIn(runner, TEXT);
  assert.deepEqual(reports, []);
  assert.equal(r.mismatches.length, 1);
});

test('live worker: falls back to the sliced in-process run when no worker can start', async () => {
  const r = await runIn(new WorkerLiveRunner({ ...OPTS, execArgv: ['--no-such-node-flag'] }), TEXT);
  assert.deepEqual(r.mismatches.map((m) => m.actual), ['EBUSY']);
});
