import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatLines, formatText } from '../../emulator/language/format.js';
import { lex } from '../../emulator/language/lexer.js';

test('format: indents blocks, collapses blanks, keeps glued tokens glued', () => {
  const src = 'proc  p(d,  s) {\nn = bind d\n    repeat 3 {\nioas_alloc\n}\n}\nlet x = r.data[0]   +  users (x)\n';
  assert.equal(formatText(src), 'proc p(d, s) {\n  n = bind d\n  repeat 3 {\n    ioas_alloc\n  }\n}\nlet x = r.data[0] + users (x)\n');
});

test('format: keeps the alignment before => and before a trailing comment', () => {
  const src = 'ioas = ioas_alloc          => 1    # first\nnic  =  bind nic0          => 2\n';
  assert.equal(formatText(src), 'ioas = ioas_alloc          => 1    # first\nnic = bind nic0          => 2\n');
});

test('format: continuation lines are indented two levels; strings and comments stay as written', () => {
  const src = 'ioas_map ioas ram 1M \\\niova=0x1000   flags=readable\nlet s = "a   # b"\n#   note\n';
  assert.equal(formatText(src), 'ioas_map ioas ram 1M \\\n    iova=0x1000 flags=readable\nlet s = "a   # b"\n#   note\n');
});

test('format: a line the lexer cannot read is only re-indented', () => {
  assert.deepEqual(formatLines('repeat 2 {\n   bad  @  thing\n}'), ['repeat 2 {', '  bad  @  thing', '}']);
});

test('format: line i of the output is line i of the input (range formatting slices it)', () => {
  const src = 'a\n\n\n  b {\nc\n}\n';
  assert.equal(formatLines(src).length, src.split('\n').length);
});

// Statements built from pieces, with random blanks and indentation between tokens.
const piece = fc.constantFrom(
  'ioas = ioas_alloc', 'attach nic ioas', 'ioas_map ioas ram 4K iova=0x1000 flags=readable|writeable', 'destroy ioas => EBUSY',
  'expect users(ioas) == 1', 'let x = r.data[0] + 1', 'repeat i in 0..3 {', 'proc p(a, b) {', '}', 'dma nic0 read 0x10 u32 => fault translation',
  '# a comment', 'let s = "x  # y"', 'write (ram + 0x20) u64 7   # tail', 'x = ioas_map ioas ram 4K \\', '',
);
const blanks = fc.stringMatching(/^[ \t]{0,3}$/);
const line = fc.tuple(blanks, piece, blanks).map(([a, p, b]) => `${a}${p}${b}`);
const respaced = fc.tuple(line, fc.array(fc.nat(2), { minLength: 20, maxLength: 20 })).map(([l, extra]) => {
  let i = 0;
  return l.replace(/(?<=\S) (?=\S)/g, () => ' '.repeat(1 + (extra[i++ % extra.length] ?? 0)));
});
const program = fc.array(respaced, { maxLength: 12 }).map((ls) => ls.join('\n') + '\n');

/** The tokens, without the blank lines at the end (the formatter keeps one newline there). */
const tokensOf = (text: string): string[] => {
  const out = lex('', text).tokens.filter((t) => t.type !== 'eof').map((t) => `${t.type}:${t.text}`);
  while (out[out.length - 1] === 'newline:\n') out.pop();
  return out;
};

test('format: idempotent on generated traces (property)', () => {
  fc.assert(fc.property(program, (src) => formatText(formatText(src)) === formatText(src)), { numRuns: 300 });
});

test('format: never changes the tokens of a trace (property)', () => {
  fc.assert(fc.property(program, (src) => assert.deepEqual(tokensOf(formatText(src)), tokensOf(src))), { numRuns: 300 });
});
