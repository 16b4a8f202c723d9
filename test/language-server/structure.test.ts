// Document symbols, workspace symbols, folding, selection ranges and semantic tokens.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { documentSymbols } from '../../server/language/document-symbols.js';
import { foldingRanges } from '../../server/language/folding.js';
import { selectionRanges } from '../../server/language/selection-ranges.js';
import { encodeTokens, semanticTokens } from '../../server/language/semantic-tokens.js';
import { workspaceSymbols } from '../../server/language/workspace-symbols.js';
import { analyseText, at, SETUP } from './analyse-text.js';

const TEXT = `${SETUP}# two lines
# of comment
proc setup(dev) {
  d = bind dev
  repeat i in 0..2 {
    ioas_alloc
  }
}
ioas = ioas_alloc
ioas_map ioas ram 4K flags=readable
`;

test('document symbols: the machine, procs with their bodies, bindings', () => {
  const syms = documentSymbols(analyseText(TEXT));
  assert.deepEqual(syms.map((s) => [s.name, s.kind]), [['iommu0', 'machine'], ['nic0', 'machine'], ['ram', 'machine'], ['setup', 'proc'], ['ioas', 'object']]);
  const proc = syms[3]!;
  assert.deepEqual(proc.children.map((c) => c.name), ['d', 'repeat i']);
  assert.equal(proc.range.end.line, 10);
});

test('workspace symbols: top-level names of every trace under the folder, by subsequence', () => {
  const root = mkdtempSync(join(tmpdir(), 'ws-'));
  mkdirSync(join(root, 'sub'));
  writeFileSync(join(root, 'a.iotrace'), 'device nic0\nproc setup_nic(d) {\n}\n');
  writeFileSync(join(root, 'sub', 'b.iotrace'), 'ioas = ioas_alloc\n');
  writeFileSync(join(root, 'notes.txt'), 'device nope\n');
  const read = (p: string): string => readFileSync(p, 'utf8');
  assert.deepEqual(workspaceSymbols(root, 'stn', read).map((s) => s.name), ['setup_nic']);
  assert.deepEqual(workspaceSymbols(root, '', read).map((s) => s.name), ['nic0', 'setup_nic', 'ioas']);
});

test('folding: blocks keep their closing line; comment runs fold', () => {
  const folds = foldingRanges(analyseText(TEXT));
  assert.deepEqual(folds, [
    { startLine: 3, endLine: 4, kind: 'comment' },
    { startLine: 5, endLine: 9 },
    { startLine: 7, endLine: 8 },
  ]);
});

test('selection ranges: from the word out to the statement, the block and the document', () => {
  const a = analyseText(TEXT);
  const ranges = selectionRanges(a, at(TEXT, 'bind dev', 6));
  const texts = ranges.map((r) => (r.start.line === r.end.line ? a.lines.lineText(r.start.line).slice(r.start.character, r.end.character) : `lines ${r.start.line}-${r.end.line}`));
  assert.deepEqual(texts, ['dev', 'd = bind dev', 'lines 5-10', 'lines 0-13']);
});

test('semantic tokens: commands, keys, names by kind, flag words; relative encoding', () => {
  const text = 'memory ram 4K\nioas = ioas_alloc\nioas_map ioas ram 4K flags=readable\n';
  const a = analyseText(text);
  const toks = semanticTokens(a).map((t) => [a.lines.lineText(t.range.start.line).slice(t.range.start.character, t.range.end.character), t.type, t.modifiers.join(',')]);
  assert.deepEqual(toks, [
    ['memory', 'function', 'defaultLibrary'],
    ['ram', 'variable', 'readonly,declaration'],
    ['ioas', 'variable', 'declaration'],
    ['ioas_alloc', 'function', 'defaultLibrary'],
    ['ioas_map', 'function', 'defaultLibrary'],
    ['ioas', 'variable', ''],
    ['ram', 'variable', 'readonly'],
    ['flags', 'parameter', ''],
    ['readable', 'enumMember', ''],
  ]);
  const data = encodeTokens(semanticTokens(a));
  assert.deepEqual(data.slice(0, 10), [0, 0, 6, 0, 4, 0, 7, 3, 3, 3]);
});

test('semantic tokens: a range request returns only the tokens inside it', () => {
  const text = 'memory ram 4K\nioas = ioas_alloc\n';
  const toks = semanticTokens(analyseText(text), { start: { line: 1, character: 0 }, end: { line: 1, character: 20 } });
  assert.equal(toks.length, 2);
  assert.ok(toks.every((t) => t.range.start.line === 1));
});
