// The server over Node IPC, with pulled diagnostics, and staying responsive
// while a long live run is going on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { createProtocolConnection, IPCMessageReader, IPCMessageWriter } from 'vscode-languageserver-protocol/node';
import { SERVER, startServer, uriOf } from './lsp-client.js';

const ROOT = join(__dirname, 'fixtures');

test('transport: --node-ipc serves the same protocol', async () => {
  const child = fork(SERVER, ['--node-ipc'], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const conn = createProtocolConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
  conn.listen();
  try {
    const init = await conn.sendRequest('initialize', { processId: process.pid, rootUri: uriOf(ROOT), capabilities: {} }) as { serverInfo: { name: string } };
    assert.equal(init.serverInfo.name, 'iotrace-language-server');
    await conn.sendNotification('initialized', {});
    const uri = uriOf(join(ROOT, 'ipc.iotrace'));
    await conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'iotrace', version: 1, text: 'ioas = ioas_alloc\n' } });
    const h = await conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 8 } }) as { contents: { value: string } };
    assert.match(h.contents.value, /IOMMU_IOAS_ALLOC/);
    await conn.sendRequest('shutdown');
  } finally {
    conn.dispose();
    child.kill();
  }
});

test('transport: a client that pulls diagnostics gets them on request, not pushed', async () => {
  const c = await startServer(ROOT, { textDocument: { diagnostic: { dynamicRegistration: false } } });
  try {
    let pushed = 0;
    c.conn.onNotification('textDocument/publishDiagnostics', () => {
      pushed++;
    });
    const uri = c.open(join(ROOT, 'pull.iotrace'), 'ioas = ioas_aloc\n');
    const report = await c.request<{ kind: string; items: { message: string }[] }>('textDocument/diagnostic', { textDocument: { uri } });
    assert.equal(report.kind, 'full');
    assert.match(report.items[0]!.message, /did you mean 'ioas_alloc'/);
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(pushed, 0);
  } finally {
    await c.close();
  }
});

test('transport: requests are answered while a long live run is still going', async () => {
  const c = await startServer(ROOT);
  try {
    const text = 'repeat 150000 {\n  x = ioas_alloc\n  destroy x\n}\n';
    const uri = c.open(join(ROOT, 'long.iotrace'), text);
    const liveDone = c.diagnostics(uri, (d) => d.some((x) => /live results stop after/.test(x.message as string))).then(() => Date.now());
    await c.diagnostics(uri);
    const started = Date.now();
    const h = await c.request<{ contents: { value: string } }>('textDocument/hover', { textDocument: { uri }, position: { line: 1, character: 8 } });
    const answered = Date.now();
    assert.match(h.contents.value, /IOMMU_IOAS_ALLOC/);
    assert.ok(answered - started < 1000, `hover took ${answered - started} ms`);
    assert.ok(answered <= (await liveDone), 'the hover came back before the run finished');
  } finally {
    await c.close();
  }
});
