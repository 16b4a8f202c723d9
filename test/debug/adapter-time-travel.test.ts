// Going back over DAP: stepBack, reverseContinue and goto land on exactly the
// state a forward run had there (the whole variable tree is compared), and
// data breakpoints stop where a watched value changes, in both directions.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import { NESTED, evaluate, launch, setLines, startClient, stopped, variableTree } from './dap-client.js';

describe('debug adapter: time travel', () => {
  let dc: DebugClient;
  beforeEach(async () => (dc = await startClient()));
  afterEach(async () => dc.stop());

  it('stepBack retraces the forward steps, with identical variable trees and stacks', async () => {
    await launch(dc, { stopOnEntry: true });
    let s = await stopped(dc);
    const forward: string[] = [];
    const state = async (line: number) => `line ${line}\n${await variableTree(dc)}`;
    forward.push(await state(s.line));
    while (s.line !== 27) {
      dc.nextRequest({ threadId: 1 });
      s = await stopped(dc);
      forward.push(await state(s.line));
    }
    assert.equal(forward.length, 14);
    for (let i = forward.length - 2; i >= 0; i--) {
      dc.stepBackRequest({ threadId: 1 });
      s = await stopped(dc);
      assert.equal(await state(s.line), forward[i], `step back to stop ${i}`);
    }
    // Back at the start, going back stays there.
    dc.stepBackRequest({ threadId: 1 });
    s = await stopped(dc);
    assert.deepEqual([s.reason, s.line], ['entry', 3]);
  });

  it('reverseContinue stops at breakpoints on the way back, then forwards again', async () => {
    await launch(dc, {}, () => setLines(dc, [13, 24]));
    const firstHits: string[] = [];
    for (let i = 0; i < 3; i++) {
      assert.equal((await stopped(dc)).line, 13);
      firstHits.push(await variableTree(dc));
      dc.continueRequest({ threadId: 1 });
    }
    assert.equal((await stopped(dc)).line, 24);
    const at24 = await variableTree(dc);
    for (const i of [2, 1, 0]) {
      dc.reverseContinueRequest({ threadId: 1 });
      const s = await stopped(dc);
      assert.deepEqual([s.reason, s.line], ['breakpoint', 13]);
      assert.equal(await variableTree(dc), firstHits[i], `hit ${i} going back`);
    }
    dc.reverseContinueRequest({ threadId: 1 });
    assert.equal((await stopped(dc)).reason, 'entry');
    dc.continueRequest({ threadId: 1 });
    assert.equal(await variableTree(dc).then(() => stopped(dc)).then((s) => s.line), 13);
    await setLines(dc, [24]);
    dc.continueRequest({ threadId: 1 });
    assert.equal((await stopped(dc)).line, 24);
    assert.equal(await variableTree(dc), at24);
  });

  it('hit counts hold going back: reverseContinue stops only at hits the count allows', async () => {
    // Line 13 runs once per loop turn, at = 0, 0x1000, 0x2000: hits 1, 2, 3.
    await launch(dc, {}, () => setLines(dc, [{ line: 13, hitCondition: '2' }]));
    assert.equal((await stopped(dc)).line, 13);
    assert.equal(await evaluate(dc, 'at'), '0x1000');
    dc.continueRequest({ threadId: 1 });
    assert.equal((await stopped(dc)).line, 13);
    assert.equal(await evaluate(dc, 'at'), '0x2000');
    dc.reverseContinueRequest({ threadId: 1 });
    let s = await stopped(dc);
    assert.deepEqual([s.reason, s.line], ['breakpoint', 13]);
    assert.equal(await evaluate(dc, 'at'), '0x1000');
    // The first hit does not satisfy ">= 2": going back passes it, to the start.
    dc.reverseContinueRequest({ threadId: 1 });
    s = await stopped(dc);
    assert.equal(s.reason, 'entry');
    // Forwards again the numbering is the same (hits are counted from the start, not per pass).
    dc.continueRequest({ threadId: 1 });
    assert.equal((await stopped(dc)).line, 13);
    assert.equal(await evaluate(dc, 'at'), '0x1000');
  });

  it('a hit count set after running past its hits counts them from the start of the trace', async () => {
    await launch(dc, {}, () => setLines(dc, [24]));
    assert.equal((await stopped(dc)).line, 24);
    await setLines(dc, [{ line: 13, hitCondition: '% 2' }, 24]);
    dc.reverseContinueRequest({ threadId: 1 });
    let s = await stopped(dc);
    assert.deepEqual([s.reason, s.line], ['breakpoint', 13]);
    assert.equal(await evaluate(dc, 'at'), '0x1000', 'the 2nd hit, not the 3rd');
    dc.reverseContinueRequest({ threadId: 1 });
    assert.equal((await stopped(dc)).reason, 'entry');
    // After a goto (which does not count), the count still holds forwards.
    const targets = await dc.gotoTargetsRequest({ source: { path: NESTED }, line: 20 });
    dc.gotoRequest({ threadId: 1, targetId: targets.body.targets[0]!.id });
    assert.equal((await stopped(dc)).line, 20);
    dc.continueRequest({ threadId: 1 });
    assert.equal((await stopped(dc)).line, 24, 'the 3rd hit is not a multiple of 2');
  });

  it('hits passed by a goto (which does not stop at breakpoints) are still counted going back', async () => {
    await launch(dc, { stopOnEntry: true }, () => setLines(dc, [{ line: 13, hitCondition: '2' }]));
    assert.equal((await stopped(dc)).reason, 'entry');
    const targets = await dc.gotoTargetsRequest({ source: { path: NESTED }, line: 22 });
    dc.gotoRequest({ threadId: 1, targetId: targets.body.targets[0]!.id });
    assert.equal((await stopped(dc)).line, 22);
    dc.reverseContinueRequest({ threadId: 1 });
    const s = await stopped(dc);
    assert.deepEqual([s.reason, s.line], ['breakpoint', 13]);
    assert.equal(await evaluate(dc, 'at'), '0x2000', 'the 3rd hit is the last that satisfies ">= 2"');
    dc.reverseContinueRequest({ threadId: 1 });
    assert.equal((await stopped(dc)).line, 13);
    assert.equal(await evaluate(dc, 'at'), '0x1000');
  });

  it('goto jumps backwards and forwards to a statement', async () => {
    await launch(dc, {}, () => setLines(dc, [8]));
    await stopped(dc);
    const at8 = await variableTree(dc);
    await setLines(dc, [24]);
    dc.continueRequest({ threadId: 1 });
    await stopped(dc);
    const at24 = await variableTree(dc);
    const back = await dc.gotoTargetsRequest({ source: { path: NESTED }, line: 8 });
    assert.equal(back.body.targets.length, 1);
    dc.gotoRequest({ threadId: 1, targetId: back.body.targets[0]!.id });
    let s = await stopped(dc);
    assert.deepEqual([s.reason, s.line], ['goto', 8]);
    assert.equal(await variableTree(dc), at8);
    assert.equal(await evaluate(dc, 'exists(3)'), '0x0');
    const fwd = await dc.gotoTargetsRequest({ source: { path: NESTED }, line: 24 });
    dc.gotoRequest({ threadId: 1, targetId: fwd.body.targets[0]!.id });
    s = await stopped(dc);
    assert.deepEqual([s.reason, s.line], ['goto', 24]);
    assert.equal(await variableTree(dc), at24);
  });

  it('a data breakpoint on users(ioas) stops where it changes, forwards and backwards', async () => {
    await launch(dc, {}, async () => {
      const info = await dc.dataBreakpointInfoRequest({ name: 'users(ioas)' });
      assert.equal(info.body.dataId, 'expr users(ioas)');
      await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: info.body.dataId! }] });
    });
    let s = await stopped(dc);
    assert.deepEqual([s.reason, s.line], ['data breakpoint', 8]);
    assert.equal(await evaluate(dc, 'users(ioas)'), '0x1');
    dc.continueRequest({ threadId: 1 });
    s = await stopped(dc);
    assert.deepEqual([s.reason, s.line], ['data breakpoint', 16]);
    assert.match(s.text!, /users\(ioas\): 1 -> 2/);
    dc.reverseContinueRequest({ threadId: 1 });
    s = await stopped(dc);
    assert.deepEqual([s.reason, s.line], ['data breakpoint', 8]);
    assert.equal(await evaluate(dc, 'users(ioas)'), '0x1');
  });

  it('a data breakpoint on an IOVA\'s mapping stops after the map that created it, and going back before it', async () => {
    await launch(dc, {}, () => setLines(dc, [22]));
    await stopped(dc);
    await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: 'expr mapped(ioas, 0x1001000)' }] });
    dc.reverseContinueRequest({ threadId: 1 });
    const s = await stopped(dc);
    assert.deepEqual([s.reason, s.line, s.frames[0]!.name], ['data breakpoint', 13, 'proc map_page']);
    assert.equal(await evaluate(dc, 'at'), '0x1000');
    assert.match(s.text!, /mapped\(ioas, 0x1001000\): 0 -> 1/);
  });

  it('a data breakpoint on an object\'s users variable, and one on a range of process memory', async () => {
    await launch(dc, {}, () => setLines(dc, [16]));
    await stopped(dc);
    const scopes = (await dc.scopesRequest({ frameId: 0 })).body.scopes;
    const objects = (await dc.variablesRequest({ variablesReference: scopes.find((x) => x.name === 'Objects')!.variablesReference })).body.variables;
    const ioas = objects.find((v) => v.name === 'IOAS 1')!;
    const info = await dc.dataBreakpointInfoRequest({ name: 'users', variablesReference: ioas.variablesReference });
    assert.equal(info.body.dataId, 'expr users(1)');
    const ram = await evaluate(dc, 'ram');
    const mem = await dc.dataBreakpointInfoRequest({ name: `process:vmm@${ram}`, bytes: 4, asAddress: true });
    await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: mem.body.dataId! }] });
    dc.continueRequest({ threadId: 1 });
    let s = await stopped(dc);
    // The device's write to IOVA 0x1000000 lands in ram.
    assert.deepEqual([s.reason, s.line], ['data breakpoint', 25]);
    // Going back, memory did not change before the write: the line breakpoint is the last stop.
    dc.reverseContinueRequest({ threadId: 1 });
    s = await stopped(dc);
    assert.deepEqual([s.reason, s.line], ['breakpoint', 16]);
    dc.continueRequest({ threadId: 1 });
    s = await stopped(dc);
    assert.deepEqual([s.reason, s.line], ['data breakpoint', 25]);
  });
});
