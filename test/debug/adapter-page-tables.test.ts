// The Page tables scope over DAP for the real formats: an Arm LPAE stage-1
// table (SMMUv3), an x86-64 first-stage and a VT-d second-stage table (VT-d), level by level,
// every descriptor decoded by the format's own decoder into its
// architecture fields, each entry's memoryReference reading the descriptor.
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { FIXTURES, launch, setLines, startClient, stopped } from './dap-client.js';

const REAL = resolve(FIXTURES, 'real-tables.iotrace');

describe('debug adapter: page tables of the real formats', () => {
  let dc: DebugClient;
  beforeEach(async () => (dc = await startClient()));
  afterEach(async () => dc.stop());

  async function children(ref: number): Promise<DebugProtocol.Variable[]> {
    return (await dc.variablesRequest({ variablesReference: ref })).body.variables;
  }

  /** Follows the only present entry of each table down to the leaf; returns each entry's fields by name. */
  async function walkDown(table: DebugProtocol.Variable): Promise<{ name: string; value: string; memoryReference?: string; fields: Map<string, string> }[]> {
    const out = [];
    let entries = await children(table.variablesReference);
    for (;;) {
      assert.equal(entries.length, 1, `one present entry under ${table.name}`);
      const e = entries[0]!;
      const kids = await children(e.variablesReference);
      out.push({ name: e.name, value: e.value, memoryReference: e.memoryReference, fields: new Map(kids.map((k) => [k.name, k.value])) });
      const below = kids.find((k) => / table$/.test(k.name));
      if (!below) return out;
      entries = await children(below.variablesReference);
    }
  }

  async function pageTables(): Promise<DebugProtocol.Variable[]> {
    await launch(dc, { program: REAL }, () => setLines(dc, [19], REAL));
    assert.equal((await stopped(dc)).line, 19);
    const scope = (await dc.scopesRequest({ frameId: 0 })).body.scopes.find((s) => s.name === 'Page tables')!;
    return children(scope.variablesReference);
  }

  it('decodes an Arm LPAE stage-1 table level 0 to 3 into its descriptor fields', async () => {
    const arm = (await pageTables()).find((v) => v.name === 'HWPT_PAGING 4')!;
    assert.match(arm.value, /^root 0x\w+, level 0 \(Arm LPAE stage 1/);
    const path = await walkDown(arm);
    assert.deepEqual(path.map((p) => p.name), ['L0[0]', 'L1[1]', 'L2[0]', 'L3[0]']);
    assert.deepEqual(path.slice(0, 3).map((p) => p.fields.get('kind')), ['table', 'table', 'table']);
    assert.ok(path[0]!.fields.has('APTable') && path[0]!.fields.has('NSTable'), 'table descriptors show their hierarchical attributes');
    const leafFields = path[3]!.fields;
    assert.equal(leafFields.get('kind'), 'page');
    assert.equal(leafFields.get('iova'), '0x40000000..0x40000fff');
    // The 4K page descriptor the SMMUv3 driver writes for prot=RW|cache: AP 0b01 (read/write), AF, inner shareable, nG, AttrIndx 1.
    assert.deepEqual(['AP', 'AF', 'SH', 'nG', 'AttrIndx', 'XN'].map((f) => leafFields.get(f)), ['0x1', '0x1', '0x3', '0x1', '0x1', '0x0']);
    assert.equal(leafFields.get('OA'), leafFields.get('page'));
  });

  it('decodes an x86-64 first-stage table level 4 to 1, and an entry reads back through its memoryReference', async () => {
    const x86 = (await pageTables()).find((v) => v.name === 'HWPT_PAGING 5')!;
    assert.match(x86.value, /level 4 \(x86-64 4-level first-stage table\)/);
    const path = await walkDown(x86);
    assert.deepEqual(path.map((p) => p.name), ['L4[0]', 'L3[1]', 'L2[0]', 'L1[0]']);
    const leaf = path[3]!;
    assert.deepEqual(['P', 'RW', 'US', 'D', 'PS', 'XD'].map((f) => leaf.fields.get(f)), ['0x1', '0x1', '0x1', '0x1', '0x0', '0x0']);
    // The entry's memoryReference is where the descriptor lives: its 8 bytes are the descriptor.
    const mem = await dc.customRequest('readMemory', { memoryReference: leaf.memoryReference, count: 8 }) as DebugProtocol.ReadMemoryResponse;
    const bytes = Buffer.from(mem.body!.data!, 'base64');
    assert.equal(`0x${bytes.readBigUInt64LE(0).toString(16)}`, leaf.fields.get('descriptor'));
  });

  it('decodes a VT-d second-stage table (no present bit: R or W makes an entry)', async () => {
    const ss = (await pageTables()).find((v) => v.name === 'HWPT_PAGING 6')!;
    assert.match(ss.value, /level 4 \(VT-d 4-level second-stage table\)/);
    const path = await walkDown(ss);
    assert.deepEqual(path.map((p) => p.name), ['L4[0]', 'L3[1]', 'L2[0]', 'L1[0]']);
    assert.deepEqual(['R', 'W', 'X'].map((f) => path[0]!.fields.get(f)), ['0x1', '0x1', '0x0']);
    const leaf = path[3]!.fields;
    assert.deepEqual(['kind', 'R', 'W', 'PS', 'SNP'].map((f) => leaf.get(f)), ['page', '0x1', '0x1', '0x0', '0x1']);
  });
});
