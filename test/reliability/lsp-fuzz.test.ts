// Protocol fuzzing of the language server (issue 9 §5): dist/server.js over
// stdio gets random edit sequences on two open documents (incremental
// didChange with random ranges, some past the end of the text, inserting
// multi-byte text: accents, CJK, emoji, CRLF, NUL), didClose/didOpen churn, and
// random requests (hover, completion, definition, references, rename,
// semantic tokens, code actions, formatting, folding, symbols, inlay hints
// and more) at random positions, past the end and negative included, also
// for documents that are not open or not files. Requests are sent without
// waiting, so they race the edits and the debounced re-analysis.
//
// After each storm: the server process is alive, every request was answered
// (a result or an error), no error is an exception escaping a handler, no
// notification handler failed, and once both documents are brought to known
// final texts the server's diagnostics, symbols, tokens and folding ranges
// for them equal those of a fresh server given the same texts.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { createProtocolConnection, StreamMessageReader, StreamMessageWriter, type ProtocolConnection } from 'vscode-languageserver-protocol/node';
import { SERVER } from '../language-server/lsp-client.js';
import { checkAsyncProperty } from './property-budget.js';
import { within } from './dap-wire.js';

const root = mkdtempSync(join(tmpdir(), 'iotrace-lsp-fuzz-'));
after(() => rmSync(root, { recursive: true, force: true }));
const MAIN = join(root, 'main.iotrace');
const LIB = join(root, 'lib.iotrace');
const FILES = [MAIN, LIB];
const uri = (p: string) => pathToFileURL(p).toString();

/** The texts both documents end with; main includes lib, uses its proc, and has a mismatch for the live run to find. */
const FINAL: Record<string, string> = {
  [MAIN]: 'iommu iommu0 model=mock\ndevice nic0\nmemory ram 64K\ninclude "lib.iotrace"\nioas = ioas_alloc => 1\nnic = bind nic0\nhwpt = attach nic ioas\nsetup(ioas)\ndestroy ioas\n',
  [LIB]: '# helpers\nproc setup(a) {\n  ioas_map a ram 4K iova=0x1000000\n}\n',
};
// What is on disk differs from the final texts: only the open documents' texts may count.
writeFileSync(MAIN, 'ioas = ioas_alloc\n');
writeFileSync(LIB, 'proc other() {\n}\n');

const INSERTS = ['ioas', ' = ', 'ioas_alloc', 'map', '=> EBUSY', '\n', '\r\n', '  ', '{', '}', '(', ')', '"', 'é', '日本語', '😀', '\u0000', '\t', 'repeat 3 {\n', 'proc p(x) {\n', 'include "lib.iotrace"\n', 'let x = 1\n', '# comment', ''];
const insert = fc.oneof(fc.constantFrom(...INSERTS), fc.array(fc.constantFrom(...INSERTS), { maxLength: 6 }).map((a) => a.join('')), fc.string({ unit: 'grapheme', maxLength: 8 }));
/** A line or column: mostly in a small text, sometimes far past its end. */
const coord = fc.oneof({ weight: 6, arbitrary: fc.nat({ max: 14 }) }, { weight: 1, arbitrary: fc.constantFrom(1000, 2 ** 31 - 1) });
const position = fc.record({ line: coord, character: coord });
/** Positions for requests may also be negative or fractional: the protocol says uinteger, a client may not. */
const requestPosition = fc.oneof({ weight: 6, arbitrary: position }, { weight: 1, arbitrary: fc.record({ line: fc.constantFrom(-1, 0.5, 1e300), character: fc.constantFrom(-1, 2.5, 0) }) });
const range = fc.tuple(position, position).map(([a, b]) => (a.line < b.line || (a.line === b.line && a.character <= b.character) ? { start: a, end: b } : { start: b, end: a }));
const anyRange = fc.oneof(range, fc.tuple(requestPosition, requestPosition).map(([start, end]) => ({ start, end })));
const file = fc.constantFrom(...FILES);
/** Documents a request may name: the two (open or not), one never opened, and ones that are not files at all. */
const target = fc.oneof({ weight: 5, arbitrary: file.map(uri) }, { weight: 1, arbitrary: fc.constantFrom(uri(join(root, 'never-opened.iotrace')), 'untitled:Untitled-1', 'http://example.com/x.iotrace', 'file:///nonexistent/dir/y.iotrace', 'not a uri') });

type Op =
  | { kind: 'change'; file: string; edits: { range: { start: { line: number; character: number }; end: { line: number; character: number } }; text: string }[] }
  | { kind: 'full'; file: string; text: string }
  | { kind: 'close'; file: string }
  | { kind: 'open'; file: string }
  | { kind: 'request'; method: string; params: unknown }
  | { kind: 'wait'; ms: number };

const td = (u: string) => ({ textDocument: { uri: u } });
const request = (method: string, params: fc.Arbitrary<unknown>) => params.map((p): Op => ({ kind: 'request', method, params: p }));

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('change' as const), file, edits: fc.array(fc.record({ range, text: insert }), { minLength: 1, maxLength: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('full' as const), file, text: fc.oneof(insert, fc.constantFrom(...Object.values(FINAL))) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('close' as const), file }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('open' as const), file }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('wait' as const), ms: fc.constantFrom(5, 50, 250) }) },
  ...[
    'textDocument/hover', 'textDocument/completion', 'textDocument/definition', 'textDocument/signatureHelp', 'textDocument/documentHighlight', 'textDocument/prepareRename',
  ].map((m) => ({ weight: 1, arbitrary: request(m, fc.tuple(target, requestPosition).map(([u, p]) => ({ ...td(u), position: p }))) })),
  { weight: 1, arbitrary: request('textDocument/references', fc.tuple(target, requestPosition, fc.boolean()).map(([u, p, d]) => ({ ...td(u), position: p, context: { includeDeclaration: d } }))) },
  { weight: 1, arbitrary: request('textDocument/rename', fc.tuple(target, requestPosition, fc.constantFrom('renamed', '', '1x', 'ioas_alloc', 'a b', '😀')).map(([u, p, n]) => ({ ...td(u), position: p, newName: n }))) },
  ...['textDocument/semanticTokens/full', 'textDocument/formatting', 'textDocument/foldingRange', 'textDocument/documentSymbol'].map((m) => ({
    weight: 1,
    arbitrary: request(m, target.map((u) => ({ ...td(u), options: { tabSize: 2, insertSpaces: true } }))),
  })),
  ...['textDocument/semanticTokens/range', 'textDocument/inlayHint', 'textDocument/rangeFormatting'].map((m) => ({
    weight: 1,
    arbitrary: request(m, fc.tuple(target, anyRange).map(([u, r]) => ({ ...td(u), range: r, options: { tabSize: 2, insertSpaces: true } }))),
  })),
  {
    weight: 1,
    arbitrary: request(
      'textDocument/codeAction',
      fc.tuple(target, anyRange, fc.array(fc.record({ range: anyRange, message: fc.constantFrom('x', "unknown command 'ioas_aloc'"), code: fc.constantFrom('unknown-command', 'mismatch', 'unused', 42) }), { maxLength: 2 })).map(([u, r, d]) => ({ ...td(u), range: r, context: { diagnostics: d } })),
    ),
  },
  { weight: 1, arbitrary: request('textDocument/selectionRange', fc.tuple(target, fc.array(requestPosition, { maxLength: 3 })).map(([u, ps]) => ({ ...td(u), positions: ps }))) },
  { weight: 1, arbitrary: request('textDocument/diagnostic', target.map(td)) },
  { weight: 1, arbitrary: request('workspace/symbol', fc.constantFrom('', 'setup', 'x').map((query) => ({ query }))) },
  { weight: 1, arbitrary: request('completionItem/resolve', fc.constantFrom({ label: 'ioas_map', data: { command: 'ioas_map' } }, { label: 'x', data: { command: '__proto__' } }, { label: 'y', data: null }, { label: 'z' })) },
);

/** A server process and what it said: requests are sent raw, responses and log messages kept. */
class Server {
  readonly conn: ProtocolConnection;
  readonly child = spawn(process.execPath, [SERVER, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
  readonly logErrors: string[] = [];
  readonly stderr: string[] = [];
  exited = false;
  private readonly published = new Map<string, { at: number; diagnostics: unknown[] }>();
  private readonly versions = new Map<string, number>();

  constructor() {
    this.child.on('exit', () => (this.exited = true));
    this.child.stderr.on('data', (d: Buffer) => this.stderr.push(d.toString()));
    this.conn = createProtocolConnection(new StreamMessageReader(this.child.stdout), new StreamMessageWriter(this.child.stdin));
    this.conn.onNotification('textDocument/publishDiagnostics', (p: { uri: string; diagnostics: unknown[] }) => {
      this.published.set(p.uri, { at: Date.now(), diagnostics: p.diagnostics });
    });
    this.conn.onNotification('window/logMessage', (p: { type: number; message: string }) => {
      if (p.type === 1) this.logErrors.push(p.message);
    });
    this.conn.onRequest('workspace/inlayHint/refresh', () => null);
    this.conn.onRequest('workspace/diagnostic/refresh', () => null);
    this.conn.listen();
  }

  async initialize(): Promise<void> {
    await this.conn.sendRequest('initialize', { processId: process.pid, rootUri: uri(root), capabilities: { workspace: { inlayHint: { refreshSupport: true } } }, workspaceFolders: [{ uri: uri(root), name: 'ws' }] });
    await this.conn.sendNotification('initialized', {});
  }

  open(path: string, text: string): void {
    const v = (this.versions.get(path) ?? 0) + 1;
    this.versions.set(path, v);
    this.notify('textDocument/didOpen', { textDocument: { uri: uri(path), languageId: 'iotrace', version: v, text } });
  }

  change(path: string, contentChanges: unknown[]): void {
    const v = (this.versions.get(path) ?? 0) + 1;
    this.versions.set(path, v);
    this.notify('textDocument/didChange', { textDocument: { uri: uri(path), version: v }, contentChanges });
  }

  close(path: string): void {
    this.notify('textDocument/didClose', td(uri(path)));
  }

  /** A notification; if the server has died the write fails, which the storm reports through `exited`. */
  private notify(method: string, params: unknown): void {
    this.conn.sendNotification(method, params).catch(() => {});
  }

  /** The diagnostics last published for `path` once none came for `quietMs` and `accept` holds. */
  async settled(path: string, accept: (d: unknown[]) => boolean, quietMs = 700, timeoutMs = 15_000): Promise<unknown[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const p = this.published.get(uri(path));
      if (p && Date.now() - p.at >= quietMs && accept(p.diagnostics)) return p.diagnostics;
      if (Date.now() > deadline) throw new Error(`diagnostics for ${path} did not settle: last ${JSON.stringify(p?.diagnostics)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /**
   * What a client sees of the open texts: diagnostics, symbols, tokens,
   * folding ranges and a hover of each document. With `live`, main's
   * diagnostics must include the live run's mismatch; without, what the
   * live run adds is left out (it may not have finished).
   */
  async picture(live: boolean): Promise<unknown> {
    const out: Record<string, unknown> = {};
    for (const f of FILES) {
      const isLive = (x: unknown) => (x as { code?: string }).code === 'mismatch' || (x as { severity?: number; code?: string }).severity === 3;
      const settled = await this.settled(f, (d) => !live || f !== MAIN || d.some(isLive));
      out[f] = {
        diagnostics: live ? settled : settled.filter((x) => !isLive(x)),
        symbols: await this.conn.sendRequest('textDocument/documentSymbol', td(uri(f))),
        tokens: await this.conn.sendRequest('textDocument/semanticTokens/full', td(uri(f))),
        folding: await this.conn.sendRequest('textDocument/foldingRange', td(uri(f))),
        hover: await this.conn.sendRequest('textDocument/hover', { ...td(uri(f)), position: { line: 2, character: 3 } }),
      };
    }
    return out;
  }

  async stop(): Promise<void> {
    if (!this.exited) {
      await within(this.conn.sendRequest('shutdown'), 2000);
      this.notify('exit', undefined);
    }
    this.conn.dispose();
    this.child.kill();
  }
}

/** What a fresh server shows for `texts`. */
async function freshPicture(texts: Record<string, string>, live: boolean): Promise<unknown> {
  const s = new Server();
  try {
    await s.initialize();
    for (const f of FILES) s.open(f, texts[f]!);
    return await s.picture(live);
  } finally {
    await s.stop();
  }
}

let freshFinal: unknown;

/** An exception that escaped a handler, as opposed to an error the server meant to answer with. */
const CRASH = /TypeError|RangeError|ReferenceError|SyntaxError|Cannot read propert|is not a function|is not iterable|Maximum call stack|undefined/;

let requestsSent = 0;
let editsSent = 0;
let storms = 0;

async function runStorm(ops: Op[]): Promise<void> {
  const s = new Server();
  storms++;
  const mirror = new Map<string, TextDocument | undefined>(FILES.map((f) => [f, undefined]));
  const answers: { method: string; params: unknown; reply: Promise<{ ok: true } | { ok: false; message: string; code: number }> }[] = [];
  try {
    await s.initialize();
    for (const f of FILES) {
      s.open(f, FINAL[f]!);
      mirror.set(f, TextDocument.create(uri(f), 'iotrace', 1, FINAL[f]!));
    }
    for (const o of ops) {
      if (o.kind === 'wait') await new Promise((r) => setTimeout(r, o.ms));
      else if (o.kind === 'request') {
        requestsSent++;
        answers.push({
          method: o.method,
          params: o.params,
          reply: s.conn.sendRequest(o.method, o.params).then(
            () => ({ ok: true as const }),
            (e: { message: string; code: number }) => ({ ok: false as const, message: e.message, code: e.code }),
          ),
        });
      } else {
        const doc = mirror.get(o.file);
        if (o.kind === 'open') {
          // Opening an open document is a client bug the protocol does not define: not tried.
          if (doc) continue;
          s.open(o.file, FINAL[o.file]!);
          mirror.set(o.file, TextDocument.create(uri(o.file), 'iotrace', 1, FINAL[o.file]!));
        } else if (o.kind === 'close') {
          // Closing a closed document, or changing one, must be ignored.
          s.close(o.file);
          mirror.set(o.file, undefined);
        } else {
          editsSent++;
          const changes = o.kind === 'full' ? [{ text: o.text }] : o.edits;
          s.change(o.file, changes);
          if (doc) mirror.set(o.file, TextDocument.update(doc, changes, doc.version + 1));
        }
      }
    }
    for (const a of answers) {
      assert.equal(s.exited, false, 'the server is still running');
      const r = await within(a.reply, 10_000);
      assert.ok(r, `${a.method} ${JSON.stringify(a.params)} was never answered`);
      if (!r.ok) assert.doesNotMatch(r.message, CRASH, `${a.method} ${JSON.stringify(a.params)} threw inside the server`);
    }
    // The texts the edits led to, as a fresh server sees them (a closed document is opened again first).
    const texts: Record<string, string> = {};
    for (const f of FILES) {
      if (!mirror.get(f)) {
        s.open(f, FINAL[f]!);
        mirror.set(f, TextDocument.create(uri(f), 'iotrace', 1, FINAL[f]!));
      }
      texts[f] = mirror.get(f)!.getText();
    }
    assert.deepEqual(await s.picture(false), await freshPicture(texts, false), 'after the storm the server shows the texts the edits made as a fresh server does');
    // Then to the final texts by ranged edits over the whole text, with the live run's results this time.
    for (const f of FILES) {
      const doc = mirror.get(f)!;
      s.change(f, [{ range: { start: { line: 0, character: 0 }, end: doc.positionAt(doc.getText().length) }, text: FINAL[f]! }]);
    }
    freshFinal ??= await freshPicture(FINAL, true);
    assert.deepEqual(await s.picture(true), freshFinal, 'and the final texts, live results included');
    assert.equal(s.exited, false, 'the server is still running');
    assert.deepEqual(s.logErrors.filter((m) => /failed|Error/.test(m)), [], 'no handler failed');
  } catch (e) {
    throw new Error(`${e instanceof Error ? e.message : String(e)}\nserver stderr: ${s.stderr.join('').slice(0, 2000)}\nlog: ${s.logErrors.join('\n').slice(0, 2000)}`);
  } finally {
    await s.stop();
  }
}

describe('language server protocol fuzzing', () => {
  it('survives random edits and requests, answers every request, and ends in the state a fresh server has', async (t) => {
    await checkAsyncProperty('lsp edit and request storms', fc.asyncProperty(fc.array(op, { minLength: 10, maxLength: 60 }), runStorm), 4);
    assert.ok(requestsSent > 0 && editsSent > 0);
    t.diagnostic(`${storms} storms, ${editsSent} edits, ${requestsSent} requests`);
  });
});
