import { test } from 'node:test';
import assert from 'node:assert/strict';
import { codeActions } from '../../server/language/code-actions.js';
import { documentDiagnostics } from '../../server/language/diagnostics.js';
import type { Analysis } from '../../server/language/analysis.js';
import { analyseText, SETUP } from './analyse-text.js';

const WHOLE = { start: { line: 0, character: 0 }, end: { line: 99, character: 0 } };

/** Applies edits of one document (non-overlapping) to its text. */
function apply(a: Analysis, edits: { range: typeof WHOLE; newText: string }[]): string {
  let text = a.text;
  for (const e of [...edits].sort((x, y) => a.lines.offsetAt(y.range.start) - a.lines.offsetAt(x.range.start))) {
    text = text.slice(0, a.lines.offsetAt(e.range.start)) + e.newText + text.slice(a.lines.offsetAt(e.range.end));
  }
  return text;
}

function fixWith(text: string, title: RegExp): string {
  const a = analyseText(text);
  const action = codeActions(a, WHOLE, documentDiagnostics(a)).find((c) => title.test(c.title));
  assert.ok(action, `no action matching ${title}`);
  return apply(a, action.edits);
}

test('code actions: did you mean fixes a misspelt command, key and errno', () => {
  assert.equal(fixWith(`${SETUP}ioas = ioas_aloc\n`, /Change to 'ioas_alloc'/), `${SETUP}ioas = ioas_alloc\n`);
  assert.equal(fixWith(`${SETUP}ioas = ioas_alloc\nioas_map ioas ram 4K iovaa=0\n`, /Change to 'iova'/), `${SETUP}ioas = ioas_alloc\nioas_map ioas ram 4K iova=0\n`);
  assert.equal(fixWith(`${SETUP}ioas = ioas_alloc\ndestroy ioas => EBUSYY\n`, /Change to 'EBUSY'/), `${SETUP}ioas = ioas_alloc\ndestroy ioas => EBUSY\n`);
});

test('code actions: a missing declaration of the kind the argument wants', () => {
  assert.equal(fixWith('dma gpu read 0 u32\n', /Declare 'gpu'/), 'device gpu\ndma gpu read 0 u32\n');
  assert.equal(fixWith('ioas = ioas_alloc\nioas_map ioas buf 4K\n', /Declare 'buf'/), 'ioas = ioas_alloc\nmemory buf 64K\nioas_map ioas buf 4K\n');
  assert.equal(fixWith('destroy hw\n', /Declare 'hw'/).split('\n')[0], 'hw = ioas_alloc');
  assert.equal(fixWith('setup(1, 2)\n', /Declare 'setup'/), 'proc setup(p1, p2) {\n}\nsetup(1, 2)\n');
});

test('code actions: accept the actual outcome of a live mismatch', () => {
  const text = `${SETUP}ioas = ioas_alloc\ndestroy ioas => EBUSY\n`;
  const a = analyseText(text);
  const mismatch = { range: a.program.statements[4]!.range, message: 'expected EBUSY, got ok', code: 'mismatch' as const, actual: 'ok' };
  const action = codeActions(a, WHOLE, [mismatch]).find((c) => c.title.startsWith('Accept'));
  assert.equal(apply(a, action!.edits), `${SETUP}ioas = ioas_alloc\ndestroy ioas => ok\n`);
  const bare = analyseText(`${SETUP}ioas = ioas_alloc\n`);
  const m2 = { range: bare.program.statements[3]!.range, message: 'x', code: 'mismatch' as const, actual: '1' };
  assert.equal(apply(bare, codeActions(bare, WHOLE, [m2])[0]!.edits), `${SETUP}ioas = ioas_alloc => 1\n`);
});

test('code actions: insert teardown for objects left alive, in reverse order', () => {
  const text = `${SETUP}ioas = ioas_alloc\nioas2 = ioas_alloc\nnic = bind nic0\nhwpt = attach nic ioas\ndestroy ioas2\n`;
  const out = fixWith(text, /Insert teardown/);
  assert.equal(out, `${text}detach nic\nunbind nic\ndestroy ioas\n`);
});
