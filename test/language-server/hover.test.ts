import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hover } from '../../server/language/hover.js';
import { analyseText, at, SETUP } from './analyse-text.js';

const TEXT = `${SETUP}ioas = ioas_alloc
ioas_map ioas ram 4K iova=0x1000000 flags=readable|writeable
dma nic0 read 0x1000000 u32
destroy ioas => EBUSY
expect users(ioas) == 1
`;

test('hover: a command shows its signature, ioctl, struct fields and arguments', () => {
  const a = analyseText(TEXT);
  const h = hover(a, at(TEXT, 'ioas_map', 2));
  assert.ok(h);
  assert.match(h.markdown, /ioas_map ioas_id user_va length \[iova\] \[flags\]/);
  assert.match(h.markdown, /IOMMU_IOAS_MAP/);
  assert.match(h.markdown, /struct iommu_ioas_map/);
  assert.match(h.markdown, /`flags` \(optional\): flags: fixed_iova=1 writeable=2 readable=4/);
  assert.deepEqual(h.range, { start: at(TEXT, 'ioas_map'), end: at(TEXT, 'ioas_map', 8) });
});

test('hover: a key shows its kind', () => {
  const h = hover(analyseText(TEXT), at(TEXT, 'iova='));
  assert.match(h!.markdown, /`iova` \(optional\): int/);
});

test('hover: a name shows what bound it and where, and the live value when known', () => {
  const a = analyseText(TEXT);
  const h = hover(a, at(TEXT, 'destroy ioas', 9), () => '=> 1');
  assert.match(h!.markdown, /`ioas`: ioas_alloc: an IOAS id; fields .ioas_id \(line 4\)/);
  assert.match(h!.markdown, /Live: => 1/);
});

test('hover: an errno and a query', () => {
  const a = analyseText(TEXT);
  assert.match(hover(a, at(TEXT, 'EBUSY'))!.markdown, /EBUSY`: errno 16/);
  assert.match(hover(a, at(TEXT, 'users'))!.markdown, /users\(ID\)/);
});

test('hover: a flag word shows its bit, a word argument its choices', () => {
  const a = analyseText(TEXT);
  assert.equal(hover(a, at(TEXT, 'writeable'))!.markdown, '`writeable`: flag 2 of `flags` (ioas_map)');
  assert.equal(hover(a, at(TEXT, 'u32'))!.markdown, '`u32`: one of u8|u16|u32|u64 of `width` (dma)');
});

test('hover: a name from an included file says which file, relative to the workspace', () => {
  const text = 'include "lib.iotrace"\nnic = bind nic0\n';
  const h = hover(analyseText(text, { 'lib.iotrace': 'device nic0\n' }), at(text, 'nic0'));
  assert.equal(h!.markdown, '`nic0`: declared device (lib.iotrace, line 1)');
});

test('hover: a command lists its errno rules one line each, in check order', () => {
  const h = hover(analyseText(TEXT), at(TEXT, 'destroy', 2))!;
  const lines = h.markdown.split('\n');
  const from = lines.indexOf("Errno rules, in the kernel's check order:");
  assert.ok(from > 0);
  const rules = lines.slice(from + 2).filter((l) => l.startsWith('- `E'));
  assert.deepEqual(rules.slice(-2), ['- `ENOENT`: no object (or a tombstone) has the id', '- `EBUSY`: the object has users besides the table']);
});
