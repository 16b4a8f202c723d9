// The incremental analysis (segmented-document.ts) against a full analysis of
// the same text: random traces (statements, errors, blocks, comments, line
// continuations, CRLF), random edits (typing, deleting, pasting lines,
// opening and closing blocks), and after each the same program, the same
// diagnostics, the same document diagnostics and the same scopes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Position } from '../../emulator/language/ast.js';
import { checkText } from '../../emulator/language/index.js';
import { analyse, reanalyse, type Analysis, type Edit } from '../../server/language/analysis.js';
import { documentDiagnostics } from '../../server/language/diagnostics.js';
import { LineIndex } from '../../server/language/positions.js';
import { Workspace } from '../../server/language/workspace.js';

const FILE = '/ws/main.iotrace';
const OPTS = { workspaceRoot: '/ws', readFile: (): string => { throw Object.assign(new Error('no such file'), { code: 'ENOENT' }); } };

const LINES = [
  'iommu iommu0 model=mock', 'iommu smmu model=smmuv3', 'device nic0', 'device nic1 iommu=smmu', 'memory ram 64K',
  'ioas = ioas_alloc', 'ioas2 = ioas_alloc', 'dev = bind nic0', 'attach dev ioas', 'attach dev ioas2 => EBUSY',
  'ioas_map ioas ram 4K iova=0x1000', 'ioas_unmap ioas 0x1000 4K', 'dma nic0 write 0x1000 u32 0x5', 'dma nic0 read 0x1000 u32 => 0x5',
  'let x = 1', 'let x = x + 1', 'expect x == 2', 'expect y', 'expect 0', 'x = ioas_alloc => 0', 'destroy ioas', 'destroy ioas => 3',
  'repeat 2 {', 'repeat i in 0..3 {', 'proc p(a, b) {', 'proc q() {', '}', '  destroy a', '  let z = i', 'p(1, 2)', 'q()', 'p(1)', 'r()',
  'include "other.iotrace"', '# a comment', '', '   ', 'ioas_map ioas ram \\', '  4K iova=0x2000', 'dma nic0 read (', 'ioas = ', '} dma nic0',
  'device nic0', 'iommu late model=mock', 'ioas_aloc', 'let 3 = 4', '"unterminated', 'h"0g"', 'let _unused = 5', 'proc p(a) {',
  '\tdevice nic2', 'let big = 0xffffffffffffffff + 1', 'y = ioas_alloc', 'expect users(ioas) == 1', 'let ioas = 7',
];

const lineArb = fc.constantFrom(...LINES);
const eolArb = fc.constantFrom('\n', '\n', '\n', '\r\n', '\r');
const textArb = fc.array(fc.tuple(lineArb, eolArb), { maxLength: 30 }).map((ls) => ls.map(([l, e]) => l + e).join(''));
const insertArb = fc.oneof(
  fc.constantFrom('x', 'a', ' ', '{', '}', '\n', '\\', '#', '"', '=', '(', '1', 'ioas', 'nic0'),
  fc.array(fc.tuple(lineArb, eolArb), { minLength: 1, maxLength: 4 }).map((ls) => ls.map(([l, e]) => l + e).join('')),
);
/** An edit as fractions of the text (start, length) and what it inserts. */
const editArb = fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.nat({ max: 40 }), fc.oneof(fc.constant(''), insertArb));

function toEdit(text: string, [where, length, inserted]: [number, number, string]): { edit: Edit; text: string } {
  const lines = LineIndex.of(text);
  const from = Math.floor(where * text.length);
  const to = Math.min(text.length, from + length);
  const edit = { range: { start: lines.positionAt(from), end: lines.positionAt(to) }, text: inserted };
  return { edit, text: text.slice(0, from) + inserted + text.slice(to) };
}

function assertSame(inc: Analysis, text: string, at: Position[]): void {
  const full = analyse(FILE, text, OPTS);
  const checked = checkText(FILE, text, OPTS);
  // checkText keeps the text and parses statements again when asked (program-text.ts): compare the trees.
  assert.deepStrictEqual(inc.program, { file: checked.program.file, statements: checked.program.statements }, 'program');
  assert.deepStrictEqual(inc.diagnostics, checked.diagnostics, 'diagnostics');
  const plain = { ...full, segmented: undefined } as Analysis;
  assert.deepStrictEqual(documentDiagnostics(inc), documentDiagnostics(Object.assign(plain, { index: full.index, diagnostics: full.diagnostics, program: full.program })), 'document diagnostics');
  for (const pos of at) {
    const want = full.index.scopeAt(FILE, pos);
    const got = inc.scopeAt(pos);
    assert.deepStrictEqual([...got].map(([n, d]) => [n, d.kind, d.range]), [...want].map(([n, d]) => [n, d.kind, d.range]), `scope at ${pos.line}:${pos.character}`);
    const sym = (x: { def: { name: string; kind: string; range: unknown }; range: unknown } | undefined) => x && [x.def.name, x.def.kind, x.def.range, x.range];
    assert.deepStrictEqual(sym(inc.indexAt(pos).symbolAt(FILE, pos)), sym(full.index.symbolAt(FILE, pos)), `symbol at ${pos.line}:${pos.character}`);
    assert.deepStrictEqual(inc.indexAt(pos).occurrenceAt(FILE, pos), full.index.occurrenceAt(FILE, pos), `occurrence at ${pos.line}:${pos.character}`);
  }
}

test('incremental analysis: random edits of random traces give what a full analysis gives', () => {
  fc.assert(
    fc.property(textArb, fc.array(editArb, { minLength: 1, maxLength: 6 }), fc.array(fc.tuple(fc.nat(30), fc.nat(30)), { maxLength: 4 }), (initial, edits, positions) => {
      let a = analyse(FILE, initial, OPTS);
      let text = initial;
      for (const e of edits) {
        const next = toEdit(text, e);
        text = next.text;
        a = reanalyse(a, [next.edit], text, OPTS);
        assertSame(a, text, positions.map(([line, character]) => ({ line, character })));
      }
    }),
    { numRuns: Number(process.env.INCREMENTAL_RUNS ?? 400) },
  );
});

test('incremental analysis: several changes in one notification apply in order', () => {
  const text = 'ioas = ioas_alloc\ndestroy ioas\n';
  const a = analyse(FILE, text, OPTS);
  const edits: Edit[] = [
    { range: { start: { line: 1, character: 8 }, end: { line: 1, character: 12 } }, text: 'x' },
    { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: 'let x = 1\n' },
  ];
  const after = 'let x = 1\nioas = ioas_alloc\ndestroy x\n';
  const b = reanalyse(a, edits, after, OPTS);
  assert.ok(b.segmented, 'still incremental');
  assertSame(b, after, []);
});

test('incremental analysis: a file with an include is analysed whole, and one that gains an include too', () => {
  const a = analyse(FILE, 'include "other.iotrace"\n', OPTS);
  assert.equal(a.segmented, undefined);
  const b = analyse(FILE, 'ioas = ioas_alloc\n', OPTS);
  const c = reanalyse(b, [{ range: { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } }, text: 'include "x.iotrace"\n' }], 'ioas = ioas_alloc\ninclude "x.iotrace"\n', OPTS);
  assert.equal(c.segmented, undefined);
  assert.match(c.diagnostics.map((d) => d.message).join('\n'), /cannot read included file/);
});

test('workspace: edits given with the new text re-analyse the document from its last analysis', () => {
  const ws = new Workspace(undefined);
  const f = '/x/a.iotrace';
  ws.setText(f, 'ioas = ioas_alloc\ndestroy ioas\n');
  const first = ws.analysis(f)!;
  const range = { start: { line: 1, character: 8 }, end: { line: 1, character: 12 } };
  ws.setText(f, 'ioas = ioas_alloc\ndestroy ioaz\n', [{ range, text: 'ioaz' }]);
  const second = ws.analysis(f)!;
  assert.equal(second.segmented, first.segmented, 'the same segments, updated');
  assert.deepEqual(second.diagnostics.map((d) => d.message), ["undefined name 'ioaz'"]);
  // A text without its edits (a whole-document change) is analysed from scratch.
  ws.setText(f, 'ioas = ioas_alloc\n');
  assert.notEqual(ws.analysis(f)!.segmented, first.segmented);
});
