import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyseText, at, SETUP } from './analyse-text.js';

const TEXT = `include "setup.iotrace"
ioas = ioas_alloc
nic = bind nic0
attach nic ioas
ioas_map ioas ram 4K flags=readable|writeable
proc p(ioas) {
  destroy ioas
}
dma nic0 read 0x1000 u32
`;

test('symbol index: a use links to the binding in scope, across an include', () => {
  const a = analyseText(TEXT, { 'setup.iotrace': SETUP });
  const nic0 = a.index.symbolAt(a.file, at(TEXT, 'nic0'));
  assert.equal(nic0?.def.file, '/ws/setup.iotrace');
  assert.equal(nic0?.def.kind, 'declared');
  assert.equal(nic0?.def.declares, 'device');
  const uses = a.index.referencesTo(nic0!.def);
  assert.equal(uses.length, 2);
});

test('symbol index: a proc parameter shadows the outer name only inside the proc', () => {
  const a = analyseText(TEXT, { 'setup.iotrace': SETUP });
  const inner = a.index.symbolAt(a.file, at(TEXT, 'destroy ioas', 8));
  assert.equal(inner?.def.kind, 'param');
  const outer = a.index.symbolAt(a.file, at(TEXT, 'attach nic ioas', 11));
  assert.equal(outer?.def.kind, 'result');
  assert.equal(outer?.def.command, 'ioas_alloc');
  assert.equal(a.index.referencesTo(outer!.def).length, 2);
});

test('symbol index: flag words and word arguments are words, not name uses', () => {
  const a = analyseText(TEXT, { 'setup.iotrace': SETUP });
  const flag = a.index.occurrenceAt(a.file, at(TEXT, 'readable'));
  assert.equal(flag?.role, 'word');
  assert.equal(flag?.word, 'flag');
  const dir = a.index.occurrenceAt(a.file, at(TEXT, 'read 0x'));
  assert.equal(dir?.word, 'word');
  assert.equal(a.index.symbolAt(a.file, at(TEXT, 'readable')), undefined);
});

test('symbol index: an undefined name records what its argument wants', () => {
  const text = 'dma gpu read 0 u32\n';
  const a = analyseText(text);
  const occ = a.index.occurrenceAt(a.file, at(text, 'gpu'));
  assert.equal(occ?.role, 'unresolved');
  assert.equal(occ?.want?.type, 'device');
});

test('symbol index: the scope at a statement holds only names bound above it', () => {
  const a = analyseText(TEXT, { 'setup.iotrace': SETUP });
  const names = a.index.scopeAt(a.file, at(TEXT, 'nic = bind'));
  assert.ok(names.has('ioas'));
  assert.ok(names.has('ram'));
  assert.ok(!names.has('nic'));
});

test('symbol index: after a block closes, its names are out of scope again', () => {
  const text = 'repeat i in 0..1 {\n  x = ioas_alloc\n}\n\n';
  const a = analyseText(text);
  assert.ok(a.index.scopeAt(a.file, { line: 2, character: 0 }).has('x'), 'visible after its statement, inside the block');
  assert.ok(!a.index.scopeAt(a.file, { line: 1, character: 20 }).has('x'), 'not on its own line');
  const after = a.index.scopeAt(a.file, { line: 3, character: 0 });
  assert.ok(!after.has('x') && !after.has('i'));
});
