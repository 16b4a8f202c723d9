import { test } from 'node:test';
import assert from 'node:assert/strict';
import { definition, documentHighlights, references } from '../../server/language/navigation.js';
import { prepareRename, rename } from '../../server/language/rename.js';
import { analyseText, at, SETUP } from './analyse-text.js';

const TEXT = `include "setup.iotrace"
ioas = ioas_alloc
nic = bind nic0
attach nic ioas
destroy ioas => EBUSY
`;
const files = { 'setup.iotrace': SETUP };

test('definition: a use jumps to the binding, in the included file for its names', () => {
  const a = analyseText(TEXT, files);
  assert.deepEqual(definition(a, at(TEXT, 'attach nic ioas', 12)), { file: '/ws/main.iotrace', range: { start: at(TEXT, 'ioas'), end: at(TEXT, 'ioas', 4) } });
  const dev = definition(a, at(TEXT, 'nic0'));
  assert.equal(dev?.file, '/ws/setup.iotrace');
  assert.equal(dev?.range.start.line, 1);
});

test('definition: the path of an include opens the included file', () => {
  const a = analyseText(TEXT, files);
  assert.equal(definition(a, at(TEXT, 'setup'))?.file, '/ws/setup.iotrace');
});

test('references and highlights: every use, the binding marked as the write', () => {
  const a = analyseText(TEXT, files);
  const refs = references(a, at(TEXT, 'ioas'), true);
  assert.deepEqual(refs.map((r) => r.range.start.line), [1, 3, 4]);
  assert.equal(references(a, at(TEXT, 'ioas'), false).length, 2);
  const hl = documentHighlights(a, at(TEXT, 'destroy ioas', 9));
  assert.deepEqual(hl.map((h) => [h.range.start.line, h.write]), [[1, true], [3, false], [4, false]]);
});

test('rename: renames the binding and its uses, across the include', () => {
  const a = analyseText(TEXT, files);
  const r = rename(a, at(TEXT, 'nic0'), 'eth0');
  assert.ok(r && 'edits' in r);
  assert.deepEqual([...r.edits.keys()].sort(), ['/ws/main.iotrace', '/ws/setup.iotrace']);
  assert.equal(r.edits.get('/ws/setup.iotrace')?.[0]?.newText, 'eth0');
});

test('rename: built-in names and invalid new names are refused', () => {
  const text = 'ioas = ioas_alloc\nexpect users(ioas) == 1\nopen fd2\nclose iommufd\n';
  const a = analyseText(text);
  assert.deepEqual(prepareRename(a, at(text, 'iommufd')), { error: "'iommufd' is built in and cannot be renamed" });
  assert.deepEqual(rename(a, at(text, 'ioas'), 'users'), { error: "'users' is a built-in query" });
  assert.deepEqual(rename(a, at(text, 'ioas'), '1x'), { error: "'1x' is not a name ([A-Za-z_][A-Za-z0-9_]*)" });
  assert.deepEqual(prepareRename(a, at(text, 'ioas')), { range: { start: at(text, 'ioas'), end: at(text, 'ioas', 4) }, placeholder: 'ioas' });
});
