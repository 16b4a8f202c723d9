import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Workspace } from '../../server/language/workspace.js';

test('workspace: an include reads the open (unsaved) text before the disk', () => {
  const root = mkdtempSync(join(tmpdir(), 'ws-'));
  writeFileSync(join(root, 'lib.iotrace'), 'device nic0\n');
  const ws = new Workspace(root);
  const main = join(root, 'main.iotrace');
  ws.setText(main, 'include "lib.iotrace"\nnic = bind nic0\n');
  assert.deepEqual(ws.analysis(main)!.diagnostics, []);
  ws.setText(join(root, 'lib.iotrace'), 'device gpu0\n');
  assert.match(ws.analysis(main)!.diagnostics[0]!.message, /undefined name 'nic0'/);
});

test('workspace: an analysis is reused until the next edit, and redone after it', () => {
  const ws = new Workspace(undefined);
  ws.setText('/x/a.iotrace', 'ioas = ioas_alloc\n');
  const first = ws.analysis('/x/a.iotrace');
  assert.equal(ws.analysis('/x/a.iotrace'), first);
  assert.equal(first!.workspaceRoot, '/x', 'without a folder, the file\'s own folder is the root');
  ws.setText('/x/b.iotrace', '');
  assert.notEqual(ws.analysis('/x/a.iotrace'), first);
  ws.close('/x/a.iotrace');
  assert.equal(ws.analysis('/x/a.iotrace'), undefined);
});

test('workspace: a request is answered from the last analysis while the edits kept its lines, not re-analysed', () => {
  const ws = new Workspace(undefined);
  const f = '/x/a.iotrace';
  ws.setText(f, 'ioas = ioas_alloc\nhw = ioas_alloc\n');
  const first = ws.analysis(f)!;
  ws.setText(f, 'ioas = ioas_alloc\nhx = ioas_alloc\n');
  assert.equal(ws.forRequest(f, 0), first, 'line 0 is unchanged: the last analysis answers');
  assert.equal(ws.forRequest(f), first, 'whole-document requests too, while the lines stay in place');
  const edited = ws.forRequest(f, 1)!;
  assert.notEqual(edited, first, 'the edited line needs the new text');
  assert.equal(edited.text, 'ioas = ioas_alloc\nhx = ioas_alloc\n');
  ws.setText(f, 'ioas = ioas_alloc\n\nhx = ioas_alloc\n');
  assert.notEqual(ws.forRequest(f, 0), edited, 'a new line moves positions: analysed again');
});
