// Protocol-level tests: dist/server.js runs as its own process and every
// feature is exercised over JSON-RPC, as an editor would use it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Diagnostic } from 'vscode-languageserver-protocol/node';
import { startServer, uriOf, type Client } from './lsp-client.js';

const ROOT = join(__dirname, 'fixtures');
const MAIN = join(ROOT, 'main.iotrace');
const TEXT = readFileSync(MAIN, 'utf8');
const lineOf = (needle: string): number => TEXT.split('\n').findIndex((l) => l.includes(needle));
const pos = (needle: string, offset = 0) => ({ line: lineOf(needle), character: TEXT.split('\n')[lineOf(needle)]!.indexOf(needle) + offset });

let c: Client;
let uri: string;
let live: Diagnostic[];

before(async () => {
  c = await startServer(ROOT);
  uri = c.open(MAIN, TEXT);
  live = await c.diagnostics(uri, (d) => d.some((x) => x.code === 'mismatch'));
});

after(async () => {
  await c.close();
});

const td = () => ({ textDocument: { uri } });

test('protocol: diagnostics are pushed, with live mismatches and unused hints', () => {
  const mismatch = live.find((d) => d.code === 'mismatch')!;
  assert.equal(mismatch.range.start.line, lineOf('destroy ioas'));
  assert.match(mismatch.message as string, /expected ok, got EBUSY/);
  assert.deepEqual(mismatch.data, { actual: 'EBUSY' });
  assert.ok(live.some((d) => d.code === 'unused' && (d.message as string).includes("'hwpt'")));
});

test('protocol: inlay hints show each statement live result', async () => {
  const hints = await c.request<{ position: { line: number }; label: string }[]>('textDocument/inlayHint', { ...td(), range: { start: { line: 0, character: 0 }, end: { line: 20, character: 0 } } });
  const at = (needle: string) => hints.find((h) => h.position.line === lineOf(needle))?.label;
  assert.equal(at('ioas = ioas_alloc'), '→ 1');
  assert.equal(at('ioas_map'), '→ 0x1000000');
  assert.equal(at('destroy ioas'), '→ EBUSY');
  assert.equal(at('dma nic0 read'), '→ 0xcafef00d (×2, last)');
});

test('protocol: completion and resolve', async () => {
  const items = await c.request<{ label: string; data?: unknown }[]>('textDocument/completion', { ...td(), position: { line: lineOf('hwpt = attach'), character: 'hwpt = attach nic '.length } });
  const labels = items.map((i) => i.label);
  assert.ok(labels.includes('ioas') && !labels.includes('nic0'));
  const start = await c.request<{ label: string; data?: unknown }[]>('textDocument/completion', { ...td(), position: { line: 1, character: 0 } });
  const item = start.find((i) => i.label === 'ioas_map')!;
  const resolved = await c.request<{ documentation?: { value: string } }>('completionItem/resolve', item);
  assert.match(resolved.documentation!.value, /IOMMU_IOAS_MAP/);
});

test('protocol: hover on a command and on a name with its live value', async () => {
  const h1 = await c.request<{ contents: { value: string } }>('textDocument/hover', { ...td(), position: pos('attach', 2) });
  assert.match(h1.contents.value, /VFIO_DEVICE_ATTACH_IOMMUFD_PT/);
  const h2 = await c.request<{ contents: { value: string } }>('textDocument/hover', { ...td(), position: pos('hwpt', 1) });
  assert.match(h2.contents.value, /Live: => 3/);
});

test('protocol: signature help', async () => {
  const s = await c.request<{ signatures: { label: string }[]; activeParameter: number }>('textDocument/signatureHelp', { ...td(), position: { line: lineOf('ioas_map'), character: 'ioas_map ioas '.length } });
  assert.equal(s.signatures[0]!.label, 'ioas_map ioas_id user_va length [iova] [flags]');
  assert.equal(s.activeParameter, 1);
});

test('protocol: definition across the include, references, highlights', async () => {
  const def = await c.request<{ uri: string; range: { start: { line: number } } }>('textDocument/definition', { ...td(), position: pos('nic0', 1) });
  assert.equal(def.uri, uriOf(join(ROOT, 'setup.iotrace')));
  assert.equal(def.range.start.line, 2);
  const refs = await c.request<unknown[]>('textDocument/references', { ...td(), position: pos('ioas = ', 1), context: { includeDeclaration: true } });
  assert.equal(refs.length, 4);
  const hl = await c.request<{ kind: number }[]>('textDocument/documentHighlight', { ...td(), position: pos('ioas = ', 1) });
  assert.deepEqual(hl.map((h) => h.kind), [3, 2, 2, 2]);
});

test('protocol: prepareRename and rename across the include', async () => {
  const prep = await c.request<{ placeholder: string }>('textDocument/prepareRename', { ...td(), position: pos('nic0') });
  assert.equal(prep.placeholder, 'nic0');
  const edit = await c.request<{ changes: Record<string, unknown[]> }>('textDocument/rename', { ...td(), position: pos('nic0'), newName: 'eth0' });
  assert.deepEqual(Object.keys(edit.changes).sort(), [uriOf(MAIN), uriOf(join(ROOT, 'setup.iotrace'))].sort());
  await assert.rejects(c.request('textDocument/prepareRename', { ...td(), position: { line: 0, character: 0 } }).then((r) => r ?? Promise.reject(new Error('null'))));
});

test('protocol: document symbols and workspace symbols', async () => {
  const syms = await c.request<{ name: string }[]>('textDocument/documentSymbol', td());
  assert.deepEqual(syms.map((s) => s.name), ['ioas', 'nic', 'hwpt', 'repeat i']);
  const ws = await c.request<{ name: string; location: { uri: string } }[]>('workspace/symbol', { query: 'nic0' });
  assert.ok(ws.some((s) => s.name === 'nic0' && s.location.uri.endsWith('setup.iotrace')));
});

test('protocol: semantic tokens, full and range', async () => {
  const full = await c.request<{ data: number[] }>('textDocument/semanticTokens/full', td());
  assert.equal(full.data.length % 5, 0);
  assert.ok(full.data.length > 50);
  const range = await c.request<{ data: number[] }>('textDocument/semanticTokens/range', { ...td(), range: { start: { line: 2, character: 0 }, end: { line: 2, character: 99 } } });
  assert.deepEqual(range.data.slice(0, 5), [2, 0, 4, 3, 1]);
});

test('protocol: folding and selection ranges', async () => {
  const folds = await c.request<{ startLine: number; endLine: number }[]>('textDocument/foldingRange', td());
  assert.deepEqual(folds.map((f) => [f.startLine, f.endLine]), [[lineOf('repeat'), lineOf('repeat') + 1]]);
  const sel = await c.request<{ range: { start: { line: number; character: number } }; parent?: unknown }[]>('textDocument/selectionRange', { ...td(), positions: [pos('ram', 1)] });
  let depth = 0;
  for (let s: { parent?: unknown } | undefined = sel[0]; s; s = s.parent as typeof s) depth++;
  assert.equal(depth, 3, 'the word, its statement, the document');
});

test('protocol: formatting (document and range) and code actions', async () => {
  const doc = 'ioas  =  ioas_alloc\nrepeat 2 {\nioas_alloc\n}\n';
  const furi = c.open(join(ROOT, 'fmt.iotrace'), doc);
  const edits = await c.request<{ range: { start: { line: number } }; newText: string }[]>('textDocument/formatting', { textDocument: { uri: furi }, options: { tabSize: 2, insertSpaces: true } });
  assert.deepEqual(edits.map((e) => [e.range.start.line, e.newText]), [[0, 'ioas = ioas_alloc'], [2, '  ioas_alloc']]);
  const ranged = await c.request<unknown[]>('textDocument/rangeFormatting', { textDocument: { uri: furi }, range: { start: { line: 2, character: 0 }, end: { line: 2, character: 5 } }, options: { tabSize: 2, insertSpaces: true } });
  assert.equal(ranged.length, 1);
  const mismatch = live.find((d) => d.code === 'mismatch')!;
  const actions = await c.request<{ title: string; edit: { changes: Record<string, { newText: string }[]> } }[]>('textDocument/codeAction', { ...td(), range: mismatch.range, context: { diagnostics: [mismatch] } });
  const accept = actions.find((a) => a.title.startsWith('Accept'))!;
  assert.equal(accept.edit.changes[uri]![0]!.newText, 'EBUSY');
  assert.ok(actions.some((a) => a.title.startsWith('Insert teardown')));
});

test('protocol: incremental edits are applied and rechecked', async () => {
  const euri = c.open(join(ROOT, 'edit.iotrace'), 'ioas = ioas_alloc\n');
  await c.diagnostics(euri);
  c.change(euri, 10, [{ range: { start: { line: 0, character: 7 }, end: { line: 0, character: 17 } }, text: 'ioas_aloc' }]);
  const ds = await c.diagnostics(euri, (d) => d.some((x) => x.severity === 1));
  assert.match(ds.find((d) => d.severity === 1)!.message as string, /unknown command 'ioas_aloc'; did you mean 'ioas_alloc'\?/);
});
