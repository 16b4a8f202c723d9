// Breakpoints over DAP: verification and moving to the next statement,
// conditions in the trace's expression language, hit counts, logpoints,
// function breakpoints, exception filters with conditions and exceptionInfo.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { resolve } from 'node:path';
import { FIXTURES, NESTED, evaluate, launch, setLines, startClient, stopped } from './dap-client.js';

describe('debug adapter: breakpoints', () => {
  let dc: DebugClient;
  beforeEach(async () => (dc = await startClient()));
  afterEach(async () => dc.stop());

  it('verifies line breakpoints; one on a comment or blank line moves to the next statement', async () => {
    let res!: DebugProtocol.SetBreakpointsResponse;
    await launch(dc, {}, async () => (res = await setLines(dc, [1, 15, 27, 40])));
    assert.deepEqual(res.body.breakpoints.map((b) => [b.verified, b.line]), [[true, 3], [true, 16], [true, 27], [false, undefined]]);
    assert.equal(res.body.breakpoints[3]!.message, 'no statement at or after this line');
    assert.equal((await stopped(dc)).line, 3);
    const locs = await dc.customRequest('breakpointLocations', { source: { path: NESTED }, line: 10, endLine: 14 });
    assert.deepEqual((locs.body as DebugProtocol.BreakpointLocationsResponse['body']).breakpoints.map((b) => b.line), [11, 12, 13]);
  });

  it('stops only where the condition holds, evaluated in the frame', async () => {
    await launch(dc, {}, () => setLines(dc, [{ line: 12, condition: 'at == 0x2000' }]));
    const s = await stopped(dc);
    assert.deepEqual([s.reason, s.line], ['breakpoint', 12]);
    assert.equal(await evaluate(dc, 'at'), '0x2000');
    assert.equal(s.frames[1]!.name, 'repeat i in 0..2 (i = 2)');
  });

  it('counts hits: ">= 2" stops from the second time on, "% 3" every third', async () => {
    await launch(dc, {}, () => setLines(dc, [{ line: 17, hitCondition: '2' }]));
    let s = await stopped(dc);
    assert.equal(await evaluate(dc, 'i'), '0x1');
    dc.continueRequest({ threadId: 1 });
    s = await stopped(dc);
    assert.equal(s.line, 17);
    assert.equal(await evaluate(dc, 'i'), '0x2');
  });

  it('logpoints print {expr} interpolated, with their location, and do not stop', async () => {
    const logs: DebugProtocol.OutputEvent[] = [];
    dc.on('output', (e: DebugProtocol.OutputEvent) => e.body.category === 'console' && e.body.source && logs.push(e));
    await launch(dc, {}, () => setLines(dc, [{ line: 13, logMessage: 'mapped {at} users={users(ioas)}' }]));
    await dc.waitForEvent('terminated');
    assert.deepEqual(logs.map((l) => [l.body.output, l.body.line]), [
      ['mapped 0 users=2\n', 13], ['mapped 0x1000 users=2\n', 13], ['mapped 0x2000 users=2\n', 13],
    ]);
  });

  it('reports a bad condition as an unverified breakpoint', async () => {
    let res!: DebugProtocol.SetBreakpointsResponse;
    await launch(dc, { stopOnEntry: true }, async () => (res = await setLines(dc, [{ line: 12, condition: 'at ==' }])));
    assert.equal(res.body.breakpoints[0]!.verified, false);
    assert.match(res.body.breakpoints[0]!.message!, /^condition: /);
  });

  it('function breakpoints stop before a command and inside a procedure', async () => {
    await launch(dc, {}, () => dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'map_page', condition: 'at == 0x1000' }, { name: 'destroy' }] }));
    let s = await stopped(dc);
    assert.deepEqual([s.reason, s.line, s.frames[0]!.name], ['function breakpoint', 12, 'proc map_page']);
    assert.equal(await evaluate(dc, 'at'), '0x1000');
    dc.continueRequest({ threadId: 1 });
    s = await stopped(dc);
    assert.deepEqual([s.reason, s.line, s.text], ['function breakpoint', 22, 'destroy']);
  });

  it('an errno filter with `errno == EBUSY` stops at the refused call; exceptionInfo gives the kernel reason', async () => {
    await launch(dc, {}, () => dc.setExceptionBreakpointsRequest({ filters: [], filterOptions: [{ filterId: 'errno', condition: 'errno == EBUSY' }] }));
    const s = await stopped(dc);
    assert.deepEqual([s.reason, s.line], ['exception', 22]);
    const info = await dc.exceptionInfoRequest({ threadId: 1 });
    assert.equal(info.body.exceptionId, 'errno');
    assert.match(info.body.description!, /^EBUSY: IOAS 1 has users 2: used by HWPT_PAGING 3$/);
  });

  it('an errno condition that never holds never stops', async () => {
    await launch(dc, {}, () => dc.setExceptionBreakpointsRequest({ filters: [], filterOptions: [{ filterId: 'errno', condition: 'errno == ENOENT' }] }));
    await dc.waitForEvent('terminated');
  });

  it('fault and mismatch filters: kind == "translation", then the failed expect', async () => {
    await launch(dc, {}, () => dc.setExceptionBreakpointsRequest({ filters: ['mismatch'], filterOptions: [{ filterId: 'fault', condition: 'kind == "translation"' }] }));
    let s = await stopped(dc);
    assert.deepEqual([s.reason, s.line], ['exception', 23]);
    assert.match((await dc.exceptionInfoRequest({ threadId: 1 })).body.description!, /^mismatch: expected non-zero, got 0/);
    dc.continueRequest({ threadId: 1 });
    s = await stopped(dc);
    assert.deepEqual([s.reason, s.line], ['exception', 25]);
    assert.match((await dc.exceptionInfoRequest({ threadId: 1 })).body.description!, /^DMA fault translation at 0x2000000 \(read\)/);
  });

  it('the stale filter stops at each DMA that used a stale IOTLB entry, forwards and backwards', async () => {
    const program = resolve(FIXTURES, 'stale.iotrace');
    await launch(dc, { program }, () => dc.setExceptionBreakpointsRequest({ filters: ['stale'] }));
    let s = await stopped(dc);
    assert.deepEqual([s.reason, s.line], ['exception', 11]);
    assert.match((await dc.exceptionInfoRequest({ threadId: 1 })).body.description!, /^stale IOTLB hit: /);
    dc.continueRequest({ threadId: 1 });
    s = await stopped(dc);
    assert.deepEqual([s.reason, s.line], ['exception', 12]);
    dc.reverseContinueRequest({ threadId: 1 });
    s = await stopped(dc);
    assert.deepEqual([s.reason, s.line], ['exception', 11]);
  });
});
