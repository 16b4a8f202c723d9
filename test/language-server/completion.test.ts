import { test } from 'node:test';
import assert from 'node:assert/strict';
import { completions } from '../../server/language/completion.js';
import { analyseText, SETUP } from './analyse-text.js';

/** Completion labels at the `|` marker (the marker is removed from the text). */
function labelsAt(marked: string): string[] {
  const i = marked.indexOf('|');
  const text = marked.slice(0, i) + marked.slice(i + 1);
  const before = text.slice(0, i);
  const pos = { line: before.split('\n').length - 1, character: i - before.lastIndexOf('\n') - 1 };
  return completions(analyseText(text), pos).map((c) => c.label);
}

const PRELUDE = `${SETUP}ioas = ioas_alloc\nnic = bind nic0\nfq = fault_queue_alloc\n`;

test('completion: a statement start offers commands, keywords and snippets', () => {
  const labels = labelsAt(`${PRELUDE}|`);
  for (const l of ['ioas_alloc', 'attach', 'let', 'repeat', 'passthrough']) assert.ok(labels.includes(l), l);
});

test('completion: after NAME = only commands with a result', () => {
  const labels = labelsAt(`${PRELUDE}x = |`);
  assert.ok(labels.includes('ioas_alloc'));
  assert.ok(!labels.includes('destroy'));
  assert.ok(!labels.includes('let'));
});

test('completion: an id argument offers only names of a fitting object type', () => {
  const labels = labelsAt(`${PRELUDE}attach nic |`);
  assert.ok(labels.includes('ioas'), 'IOAS id for pt_id');
  assert.ok(!labels.includes('nic'), 'not a DEVICE id');
  assert.ok(!labels.includes('fq'), 'not a FAULT id');
  assert.ok(!labels.includes('nic0'), 'not a declared device');
  assert.ok(labels.includes('pasid='), 'keys still offered');
});

test('completion: the first argument of attach wants a DEVICE id', () => {
  const labels = labelsAt(`${PRELUDE}attach |`);
  assert.ok(labels.includes('nic'));
  assert.ok(!labels.includes('ioas'));
});

test('completion: a device argument offers declared devices', () => {
  const labels = labelsAt(`${PRELUDE}dma |`);
  assert.ok(labels.includes('nic0'));
  for (const wrong of ['ram', 'ioas', 'nic', 'iommu0']) assert.ok(!labels.includes(wrong), wrong);
});

test('completion: a flags key offers its flag words, also after |', () => {
  assert.deepEqual(labelsAt(`${PRELUDE}ioas_map ioas ram 4K flags=|`), ['fixed_iova', 'writeable', 'readable']);
  assert.deepEqual(labelsAt(`${PRELUDE}ioas_map ioas ram 4K flags=readable|`), ['fixed_iova', 'writeable', 'readable']);
});

test('completion: an enum argument offers its constants', () => {
  const labels = labelsAt(`${PRELUDE}option |`);
  assert.ok(labels.includes('rlimit_mode'));
  assert.ok(labels.includes('huge_pages'));
});

test('completion: a word argument after the positional slots (dma DEV |)', () => {
  const labels = labelsAt(`${PRELUDE}dma nic0 |`);
  assert.ok(labels.includes('read') && labels.includes('write'));
});

test('completion: keys already given are not offered again', () => {
  const labels = labelsAt(`${PRELUDE}ioas_map ioas ram 4K iova=0x1000 |`);
  assert.ok(!labels.includes('iova='));
  assert.ok(labels.includes('flags='));
});

test('completion: after => errnos, ok and fault; after fault the kinds', () => {
  const labels = labelsAt(`${PRELUDE}destroy ioas => |`);
  assert.ok(labels.includes('EBUSY') && labels.includes('ok') && labels.includes('fault'));
  assert.ok(labelsAt(`${PRELUDE}dma nic0 read 0 u32 => fault |`).includes('translation'));
});

test('completion: NAME. offers the fields of the command that bound it', () => {
  assert.deepEqual(labelsAt(`${PRELUDE}expect fq.|`), ['fault_id', 'fault_fd']);
  assert.ok(labelsAt(`${PRELUDE}expect last_fault(nic0).|`).includes('kind'));
});

test('completion: expressions offer names, queries and constants', () => {
  const labels = labelsAt(`${PRELUDE}expect |`);
  for (const l of ['ioas', 'users', 'translate', 'none']) assert.ok(labels.includes(l), l);
});

test('completion: nothing inside a comment or a string', () => {
  assert.deepEqual(labelsAt(`${PRELUDE}# attach |`), []);
  assert.deepEqual(labelsAt(`${PRELUDE}include "a|`), []);
});

test('completion: a query argument wants its kind (users wants any id)', () => {
  const labels = labelsAt(`${PRELUDE}expect translate(|`);
  assert.deepEqual(labels, ['nic0']);
});

test('completion: after => the errnos the command can return come first, preferred', () => {
  const i = `${PRELUDE}destroy ioas => |`;
  const text = i.replace('|', '');
  const lines = text.split('\n');
  const items = completions(analyseText(text), { line: lines.length - 1, character: lines[lines.length - 1]!.length });
  const preferred = items.filter((c) => c.preferred).map((c) => c.label);
  assert.deepEqual(preferred, ['EFAULT', 'ENOTTY', 'EINVAL', 'E2BIG', 'ENOENT', 'EBUSY']);
  assert.match(items.find((c) => c.label === 'EBUSY')!.detail!, /users besides the table/);
  assert.ok(items.some((c) => c.label === 'ESPIPE' && !c.preferred), 'other errnos still offered');
});
