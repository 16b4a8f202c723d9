// Launch and control over DAP: entry, stepping through loops, procedures and
// includes, running to the end with mismatch output, pause, restart, errors.
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { FIXTURES, NESTED, evaluate, launch, setLines, startClient, stopped } from './dap-client.js';

describe('debug adapter: launch and control', () => {
  let dc: DebugClient;
  beforeEach(async () => (dc = await startClient()));
  afterEach(async () => dc.stop());

  it('stops on entry at the first statement, with the file as the only frame', async () => {
    await launch(dc, { stopOnEntry: true });
    const s = await stopped(dc);
    assert.equal(s.reason, 'entry');
    assert.equal(s.line, 3);
    assert.deepEqual(s.frames.map((f) => f.name), [NESTED]);
    assert.deepEqual((await dc.threadsRequest()).body.threads.map((t) => t.name), ['trace']);
  });

  it('runs to the end, printing each mismatch with its source location and a summary', async () => {
    const outputs: DebugProtocol.OutputEvent[] = [];
    dc.on('output', (e: DebugProtocol.OutputEvent) => outputs.push(e));
    await launch(dc, {});
    await dc.waitForEvent('terminated');
    const located = outputs.filter((o) => o.body.source && o.body.category === 'stderr');
    assert.ok(located.some((o) => o.body.line === 23 && o.body.output.includes('expected non-zero, got 0 (users(ioas) == 1: 2 == 1)')));
    assert.ok(located.some((o) => o.body.line === 26 && o.body.output.includes('fault translation')));
    assert.ok(outputs.some((o) => /end of trace: \d+ statements, 2 mismatches/.test(o.body.output)));
  });

  it('steps in to a loop body, a procedure and an include; out and over them', async () => {
    await launch(dc, {}, () => setLines(dc, [16]));
    assert.equal((await stopped(dc)).line, 16);
    dc.stepInRequest({ threadId: 1 });
    let s = await stopped(dc);
    assert.equal(s.line, 17);
    assert.deepEqual(s.frames.map((f) => f.name), ['repeat i in 0..2 (i = 0)', NESTED]);
    dc.stepInRequest({ threadId: 1 });
    s = await stopped(dc);
    assert.equal(s.line, 12);
    assert.deepEqual(s.frames.map((f) => f.name), ['proc map_page', 'repeat i in 0..2 (i = 0)', NESTED]);
    assert.equal(await evaluate(dc, 'at'), '0x0');
    dc.stepOutRequest({ threadId: 1 });
    s = await stopped(dc);
    assert.deepEqual([s.line, s.frames[0]!.name], [17, 'repeat i in 0..2 (i = 1)']);
    dc.nextRequest({ threadId: 1 });
    s = await stopped(dc);
    assert.deepEqual([s.line, s.frames[0]!.name], [17, 'repeat i in 0..2 (i = 2)']);
    dc.stepOutRequest({ threadId: 1 });
    s = await stopped(dc);
    assert.deepEqual([s.line, s.frames.length], [20, 1]);
    dc.stepInRequest({ threadId: 1 });
    s = await stopped(dc);
    assert.deepEqual([s.line, s.frames[0]!.name, s.frames[0]!.source?.path], [2, 'include "helper.iotrace"', resolve(FIXTURES, 'helper.iotrace')]);
    dc.nextRequest({ threadId: 1 });
    s = await stopped(dc);
    assert.equal(s.line, 22);
    assert.equal(await evaluate(dc, 'helper_value'), '0x1234');
  });

  it('pauses an endless loop quickly', async () => {
    await launch(dc, { program: resolve(FIXTURES, 'endless.iotrace') });
    await new Promise((r) => setTimeout(r, 200));
    const t0 = Date.now();
    await dc.pauseRequest({ threadId: 1 });
    const s = await stopped(dc);
    assert.equal(s.reason, 'pause');
    assert.ok(Date.now() - t0 < 500, 'the pause took effect within half a second');
    assert.match(s.frames[0]!.name, /^repeat 0x3b9aca00/);
  });

  it('reports progress on a long run to a client that asked, ending it at the stop', async () => {
    await dc.initializeRequest({ adapterID: 'iotrace', pathFormat: 'path', linesStartAt1: true, columnsStartAt1: true, supportsProgressReporting: true });
    const started = dc.waitForEvent('progressStart');
    const launched = dc.launchRequest({ program: resolve(FIXTURES, 'endless.iotrace') } as DebugProtocol.LaunchRequestArguments);
    await dc.waitForEvent('initialized');
    await dc.configurationDoneRequest();
    await launched;
    const start = (await started) as DebugProtocol.ProgressStartEvent;
    assert.match(start.body.message!, /^\d+ statements run$/);
    const ended = dc.waitForEvent('progressEnd');
    await dc.pauseRequest({ threadId: 1 });
    assert.equal(((await ended) as DebugProtocol.ProgressEndEvent).body.progressId, start.body.progressId);
    assert.equal((await stopped(dc)).reason, 'pause');
  });

  it('restarts from the beginning', async () => {
    await launch(dc, { stopOnEntry: true });
    await stopped(dc);
    dc.nextRequest({ threadId: 1 });
    await stopped(dc);
    const again = dc.waitForEvent('initialized').then(() => dc.configurationDoneRequest());
    await dc.restartRequest({});
    await again;
    const s = await stopped(dc);
    assert.deepEqual([s.reason, s.line], ['entry', 3]);
  });

  it('refuses to launch a file with errors, saying why', async () => {
    await dc.initializeRequest();
    await assert.rejects(dc.launchRequest({ program: resolve(FIXTURES, 'broken.iotrace') } as DebugProtocol.LaunchRequestArguments), /error/);
  });

  it('terminates on request', async () => {
    await launch(dc, { stopOnEntry: true });
    await stopped(dc);
    const term = dc.waitForEvent('terminated');
    await dc.terminateRequest();
    await term;
  });
});
