// Inspection over DAP: the variable tree of a nested scenario (golden text,
// reviewed by hand), paging, evaluate and completions, setVariable refused,
// and memory read through an IOVA, a process and host physical memory.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { evaluate, launch, setLines, startClient, stopped, variableTree } from './dap-client.js';

const GOLDEN = resolve('test/debug/golden/nested-variables.txt');

describe('debug adapter: inspection', () => {
  let dc: DebugClient;
  beforeEach(async () => (dc = await startClient()));
  afterEach(async () => dc.stop());

  async function stopAt(line: number): Promise<void> {
    await launch(dc, {}, () => setLines(dc, [line]));
    assert.equal((await stopped(dc)).line, line);
  }

  async function scope(name: string): Promise<DebugProtocol.Variable[]> {
    const scopes = (await dc.scopesRequest({ frameId: 0 })).body.scopes;
    const s = scopes.find((x) => x.name === name);
    assert.ok(s, `scope ${name}`);
    return (await dc.variablesRequest({ variablesReference: s.variablesReference })).body.variables;
  }

  it('shows the variable tree of the nested scenario (golden)', async () => {
    await stopAt(27);
    const text = `${await variableTree(dc).then((t) => t.replaceAll(resolve('.'), '<repo>'))}`;
    if (process.env.UPDATE_GOLDEN) writeFileSync(GOLDEN, text);
    assert.equal(text, readFileSync(GOLDEN, 'utf8'));
  });

  it('locals of an outer frame are that frame\'s', async () => {
    await stopAt(13);
    const scopes = (await dc.scopesRequest({ frameId: 1 })).body.scopes;
    const locals = (await dc.variablesRequest({ variablesReference: scopes[0]!.variablesReference })).body.variables;
    assert.deepEqual(locals.map((v) => `${v.name}=${v.value}`), ['i=0x0']);
    assert.equal(await evaluate(dc, 'i', 1), '0x0');
  });

  it('evaluates expressions and queries, reports errors, completes names', async () => {
    await stopAt(24);
    assert.equal(await evaluate(dc, 'users(ioas) + 1'), '0x3');
    assert.equal(await evaluate(dc, 'hwpt'), '3 {flags=0, pt_id=3, pasid=0}');
    const rec = await dc.evaluateRequest({ expression: 'nic', frameId: 0, context: 'repl' });
    assert.ok(rec.body.variablesReference > 0, 'a record result expands');
    await assert.rejects(dc.evaluateRequest({ expression: 'nosuch + 1', frameId: 0 }), /nosuch is not defined/);
    await assert.rejects(dc.evaluateRequest({ expression: '1 +', frameId: 0 }), /./);
    const c = await dc.completionsRequest({ text: 'us', column: 3, frameId: 0 });
    assert.deepEqual(c.body.targets.map((t) => t.label), ['users']);
    const h = await dc.completionsRequest({ text: 'h', column: 2, frameId: 0 });
    assert.ok(h.body.targets.some((t) => t.label === 'hwpt' && t.type === 'variable'));
  });

  it('toggles numbers between hex and decimal, invalidating the views', async () => {
    await stopAt(24);
    assert.equal(await evaluate(dc, 'ram'), '0x7f0000000000');
    const invalidated = dc.waitForEvent('invalidated');
    assert.deepEqual((await dc.customRequest('toggleFormatting')).body, { hex: false });
    await invalidated;
    assert.equal(await evaluate(dc, 'ram'), String(0x7f0000000000));
    const areas = (await scope('IOAS'))[0]!;
    assert.equal(areas.value, 'fd iommufd, 3 areas');
    await dc.customRequest('toggleFormatting');
    assert.equal(await evaluate(dc, 'ram'), '0x7f0000000000');
  });

  it('answers machineSnapshot with the engine snapshot and the last DMA, bigints as hex strings', async () => {
    await stopAt(25);
    const snap = (await dc.customRequest('machineSnapshot')).body;
    assert.deepEqual(snap.objects.map((o: { type: string; id: number; users: number }) => `${o.type} ${o.id} users=${o.users}`), [
      'IOAS 1 users=2', 'DEVICE 2 users=3', 'HWPT_PAGING 3 users=2',
    ]);
    assert.equal(snap.ioas[0].info.areas[0].start, '0x1000000');
    assert.deepEqual(snap.lastDma, { device: 'nic0', iova: '0x1000000' });
  });

  it('refuses setVariable, saying why', async () => {
    await stopAt(24);
    const locals = await scope('Locals');
    await assert.rejects(dc.setVariableRequest({ variablesReference: 1, name: locals[0]!.name, value: '1' }), /a trace is history/);
  });

  it('reads memory through a HWPT\'s IOVA space (unmapped holes unreadable), a process and host memory', async () => {
    await stopAt(25);
    const hwpt = (await scope('Objects')).find((v) => v.name === 'HWPT_PAGING 3')!;
    assert.equal(hwpt.memoryReference, 'iova:iommufd:3@0x0');
    const r = await dc.customRequest('readMemory', { memoryReference: hwpt.memoryReference, offset: 0x1000000, count: 8 });
    assert.deepEqual([...Buffer.from(r.body.data, 'base64')], [7, 0, 0, 0, 0, 0, 0, 0]);
    assert.equal(r.body.address, '0x1000000');
    const hole = await dc.customRequest('readMemory', { memoryReference: hwpt.memoryReference, offset: 0x2000000, count: 16 });
    assert.deepEqual([hole.body.data, hole.body.unreadableBytes], [undefined, 16]);
    const edge = await dc.customRequest('readMemory', { memoryReference: 'iova:iommufd:3@0x1002ffc', count: 8 });
    assert.deepEqual([Buffer.from(edge.body.data, 'base64').length, edge.body.unreadableBytes], [4, 4]);
    const ram = await evaluate(dc, 'ram');
    const p = await dc.customRequest('readMemory', { memoryReference: `process:vmm@${ram}`, count: 4 });
    assert.deepEqual([...Buffer.from(p.body.data, 'base64')], [7, 0, 0, 0]);
    const pa = await evaluate(dc, 'pa(ram)');
    const h = await dc.customRequest('readMemory', { memoryReference: `phys@${pa}`, count: 4 });
    assert.deepEqual([...Buffer.from(h.body.data, 'base64')], [7, 0, 0, 0]);
    await assert.rejects(dc.customRequest('readMemory', { memoryReference: 'nowhere@0x0', count: 4 }), /unknown address space/);
  });

  it('pages a large collection with indexedVariables', async () => {
    await launch(dc, { program: resolve('test/debug/fixtures/many-areas.iotrace') }, () => setLines(dc, [7], resolve('test/debug/fixtures/many-areas.iotrace')));
    await stopped(dc);
    const ioas = (await scope('IOAS'))[0]!;
    const areas = (await dc.variablesRequest({ variablesReference: ioas.variablesReference })).body.variables.find((v) => v.name === 'areas')!;
    assert.equal(areas.indexedVariables, 150);
    const page = await dc.variablesRequest({ variablesReference: areas.variablesReference, filter: 'indexed', start: 140, count: 5 });
    assert.deepEqual(page.body.variables.map((v) => v.name), [140, 141, 142, 143, 144].map((i) => {
      const start = 0x1000000 + i * 0x1000;
      return `0x${start.toString(16)}..0x${(start + 0xfff).toString(16)}`;
    }));
  });

  it('writes process memory; the trace then sees it', async () => {
    await stopAt(25);
    const ram = await evaluate(dc, 'ram');
    const w = await dc.customRequest('writeMemory', { memoryReference: `process:vmm@${ram}`, offset: 0x10, data: Buffer.from([0xaa, 0xbb]).toString('base64') });
    assert.equal(w.body.bytesWritten, 2);
    assert.equal(await evaluate(dc, 'read16(ram + 0x10)'), '0xbbaa');
  });
});
