// Protocol-level tests of the server's bounds: a live run that allocates
// without bound is stopped with a diagnostic while requests are answered, and
// a request right after an edit of a 100k-line trace does not wait for the
// re-analysis.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { workloadText } from '../../bench/workload.js';
import { startServer } from './lsp-client.js';

const ROOT = join(__dirname, 'fixtures');
const UNBOUNDED = `iommu iommu0 model=mock\nmemory big 64G\nrepeat i in 0 .. 10000000 {\n  write (big + i * 4096) u64 1\n}\n`;

test('protocol: a live run allocating without bound stops at the memory limit with a diagnostic; the server keeps answering', { timeout: 300_000 }, async () => {
  const c = await startServer(ROOT, {}, { liveMemoryMb: 48 });
  try {
    const uri = c.open(join(ROOT, 'unbounded.iotrace'), UNBOUNDED);
    const stopped = c.diagnostics(uri, (d) => d.some((x) => /needed more than 48 MB/.test(x.message as string)));
    const h = await c.request<{ contents: { value: string } } | null>('textDocument/hover', { textDocument: { uri }, position: { line: 3, character: 3 } });
    assert.match(h!.contents.value, /write/, 'answered while the run is going');
    const d = await stopped;
    assert.equal(d.find((x) => /MB/.test(x.message as string))!.severity, 3, 'an information diagnostic');
    const after = await c.request<{ contents: { value: string } } | null>('textDocument/hover', { textDocument: { uri }, position: { line: 1, character: 8 } });
    assert.match(after!.contents.value, /big/, 'still answering after the worker died');
  } finally {
    await c.close();
  }
});

test('protocol: a hover right after an edit of a 100k-line trace is answered before the re-analysis finishes', { timeout: 600_000 }, async () => {
  const text = workloadText({ statements: 100_000 });
  const lines = text.split('\n');
  const c = await startServer(ROOT);
  try {
    const opened = Date.now();
    const uri = c.open(join(ROOT, 'big.iotrace'), text);
    await c.diagnostics(uri);
    const fullAnalysis = Date.now() - opened;
    // Let the open's live run finish (its results are published again) so only the edit is measured.
    await c.diagnostics(uri);
    // One character of the middle line's first argument changes (a name becomes another name).
    const line = lines.length >> 1;
    const character = lines[line]!.indexOf(' ') + 1;
    const order: string[] = [];
    const reanalysed = c.diagnostics(uri).then(() => order.push('diagnostics'));
    const sent = Date.now();
    c.change(uri, 2, [{ range: { start: { line, character }, end: { line, character: character + 1 } }, text: 'q' }]);
    const ioasLine = lines.findIndex((l) => l.startsWith('ioas = ioas_alloc'));
    const h = await c.request<{ contents: { value: string } } | null>('textDocument/hover', { textDocument: { uri }, position: { line: ioasLine, character: 1 } });
    const latency = Date.now() - sent;
    order.push('hover');
    assert.match(h!.contents.value, /`ioas`: ioas_alloc/);
    await reanalysed;
    assert.deepEqual(order, ['hover', 'diagnostics']);
    assert.ok(latency < fullAnalysis / 4, `hover took ${latency} ms; a full analysis takes ${fullAnalysis} ms`);
  } finally {
    await c.close();
  }
});
