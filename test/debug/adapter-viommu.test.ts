// The vIOMMUs and Faults and events scopes over DAP: a vIOMMU's virt_id <->
// device links both ways, its nested HWPTs, vEVENTQs and HW queues; a fault
// queue's queued and outstanding groups with their cookies; a vEVENTQ's
// vEVENTs. The whole tree of the scenario is a golden text, reviewed by hand.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import { FIXTURES, launch, setLines, startClient, stopped, variableTree } from './dap-client.js';

const VIOMMU = resolve(FIXTURES, 'viommu.iotrace');
const GOLDEN = resolve('test/debug/golden/viommu-variables.txt');

describe('debug adapter: vIOMMUs, faults and events', () => {
  let dc: DebugClient;
  beforeEach(async () => (dc = await startClient()));
  afterEach(async () => dc.stop());

  async function stopAt(line: number): Promise<void> {
    await launch(dc, { program: VIOMMU }, () => setLines(dc, [line], VIOMMU));
    assert.equal((await stopped(dc)).line, line);
  }

  /** One scope, expanded fully, as indented text. */
  async function scopeText(name: string): Promise<string> {
    const scopes = (await dc.scopesRequest({ frameId: 0 })).body.scopes;
    const s = scopes.find((x) => x.name === name);
    assert.ok(s, `scope ${name}`);
    let out = '';
    const expand = async (ref: number, indent: string): Promise<void> => {
      for (const v of (await dc.variablesRequest({ variablesReference: ref })).body.variables) {
        out += `${indent}${v.name}: ${v.value}\n`;
        if (v.variablesReference) await expand(v.variablesReference, `${indent}  `);
      }
    };
    await expand(s.variablesReference, '');
    return out;
  }

  it('shows the variable tree of the vIOMMU scenario (golden)', async () => {
    await stopAt(33);
    const text = (await variableTree(dc)).replaceAll(resolve('.'), '<repo>');
    if (process.env.UPDATE_GOLDEN) writeFileSync(GOLDEN, text);
    assert.equal(text, readFileSync(GOLDEN, 'utf8'));
  });

  it('links virt_ids and devices both ways, with nested HWPTs, vEVENTQs and HW queues', async () => {
    await stopAt(33);
    const text = await scopeText('vIOMMUs');
    assert.match(text, /^VIOMMU 6: type 0x\w+ on iommu0, parent HWPT_PAGING 5, 2 vDEVICEs$/m);
    assert.match(text, /virt_id -> device: 2 items\n {4}0x10: DEVICE 2 \(gpu\) \(VDEVICE 7\)\n {4}0x20: DEVICE 3 \(nic\) \(VDEVICE 8\)\n/);
    assert.match(text, /device -> virt_id: 2 items\n {4}DEVICE 2 \(gpu\): 0x10 \(VDEVICE 7\)\n {4}DEVICE 3 \(nic\): 0x20 \(VDEVICE 8\)\n/);
    assert.match(text, /nested HWPTs: 1 item\n {4}HWPT_NESTED 10: /);
    assert.match(text, /vEVENTQs: 1 item\n {4}VEVENTQ 4: type 0x\w+, 2 of depth 4 queued\n/);
    assert.match(text, /HW queues: 1 item\n {4}HW_QUEUE 11: iova 0x1000000, length 0x1000\n/);
  });

  it('shows fault groups queued, then outstanding under their cookie, and vEVENTs; going back undoes them', async () => {
    await stopAt(29);
    const before = await scopeText('Faults and events');
    assert.match(before, /^FAULT 9: 2 queued, 0 outstanding$/m);
    assert.match(before, /queued: 2 items\n {4}\[0\]: DEVICE 2 via HWPT 10 at the RID, 1 fault\n {6}\[0\]: addr 0x5000 pasid 0 grpid 1 perm 0x1 flags 0x2\n {4}\[1\]: DEVICE 3 via HWPT 10 at the RID, 1 fault\n {6}\[0\]: addr 0x7000 pasid 0 grpid 2 perm 0x3 flags 0x2\n/);
    assert.match(before, /VEVENTQ 4: vIOMMU 6, type 0x\w+, 0 of depth 4 queued/);

    await setLines(dc, [33], VIOMMU);
    dc.continueRequest({ threadId: 1 });
    assert.equal((await stopped(dc)).line, 33);
    const after = await scopeText('Faults and events');
    assert.match(after, /^FAULT 9: 1 queued, 1 outstanding$/m);
    assert.match(after, /outstanding: 1 item\n {4}cookie 1: DEVICE 2 via HWPT 10 at the RID, 1 fault\n {6}\[0\]: addr 0x5000 /);
    // The vEVENTs carry the guest's ids (virt_id 0x20 for nic, then 0x10 for gpu), in sequence order.
    assert.match(after, /VEVENTQ 4: vIOMMU 6, type 0x\w+, 2 of depth 4 queued\n {2}fd: iommufd\n {2}queued: 2 items\n {4}sequence 0: 4 bytes: 0x20\n {4}sequence 1: 4 bytes: 0x10\n/);

    await setLines(dc, [29], VIOMMU);
    dc.reverseContinueRequest({ threadId: 1 });
    assert.equal((await stopped(dc)).line, 29);
    assert.equal(await scopeText('Faults and events'), before);
  });
});
