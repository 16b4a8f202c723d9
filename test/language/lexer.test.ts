import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lex, MAX_U64 } from '../../emulator/language/lexer.js';

const ints = (text: string): bigint[] => lex('t', text).tokens.filter((t) => t.type === 'int').map((t) => t.int!);

test('integer literals: bases, separators and binary size suffixes', () => {
  assert.deepEqual(ints('42 0x1f 0b101 0o17 0x1_0000 4K 2M 1G 1T 0X10'), [42n, 31n, 5n, 15n, 0x10000n, 4096n, 2n << 20n, 1n << 30n, 1n << 40n, 16n]);
  assert.deepEqual(ints('0xffffffffffffffff'), [MAX_U64]);
});

test('a literal of 2^64 is an overflow error with the literal\'s range, never wrapped', () => {
  const r = lex('t', 'x 18446744073709551616');
  assert.equal(r.diagnostics.length, 1);
  assert.match(r.diagnostics[0]!.message, /^overflow: integer literal '18446744073709551616' does not fit in 64 bits/);
  assert.deepEqual(r.diagnostics[0]!.range, { start: { line: 0, character: 2 }, end: { line: 0, character: 22 } });
  assert.equal(r.tokens[1]!.int, 0n);
  assert.equal(lex('t', '0x1_0000_0000_0000_0000').diagnostics[0]!.message.startsWith('overflow'), true);
});

test('a suffix that makes the value exceed 64 bits overflows too', () => {
  assert.match(lex('t', '0x100000000000000K').diagnostics[0]!.message, /^overflow/);
});

test('malformed literals are one token and one error', () => {
  const r = lex('t', '0b12 4KB 0x');
  assert.deepEqual(r.diagnostics.map((d) => d.message), [
    "malformed binary integer literal '0b12'",
    "malformed decimal integer literal '4KB'",
    "malformed hexadecimal integer literal '0x'",
  ]);
  assert.equal(r.tokens.filter((t) => t.type === 'int').length, 3);
});

test('strings with escapes, byte strings with spaces', () => {
  const r = lex('t', String.raw`"a \"b\" \\c" h"de ad BE ef"`);
  assert.equal(r.diagnostics.length, 0);
  assert.equal(r.tokens[0]!.str, 'a "b" \\c');
  assert.deepEqual([...r.tokens[1]!.bytes!], [0xde, 0xad, 0xbe, 0xef]);
});

test('an unterminated string is an error whose range runs from the quote to the end of the line', () => {
  const r = lex('t', 'label "abc\nnext');
  assert.equal(r.diagnostics.length, 1);
  assert.equal(r.diagnostics[0]!.message, `unterminated string: expected '"' before the end of the line`);
  assert.deepEqual(r.diagnostics[0]!.range, { start: { line: 0, character: 6 }, end: { line: 0, character: 10 } });
  // The next line still lexes.
  assert.equal(r.tokens.at(-2)!.text, 'next');
});

test('byte strings: odd digit counts and non-hex characters are errors', () => {
  assert.match(lex('t', 'h"abc"').diagnostics[0]!.message, /odd number of hex digits/);
  const bad = lex('t', 'h"zz"').diagnostics[0]!;
  assert.equal(bad.message, "expected a hex digit in byte string, found 'z'");
  assert.deepEqual(bad.range, { start: { line: 0, character: 2 }, end: { line: 0, character: 3 } });
});

test('a backslash continues the line, but not inside a byte string', () => {
  const joined = lex('t', 'a b \\\n  c\nd');
  assert.deepEqual(joined.tokens.map((t) => t.type), ['name', 'name', 'name', 'newline', 'name', 'eof']);
  assert.deepEqual(joined.tokens[2]!.range.start, { line: 1, character: 2 });
  const bytes = lex('t', 'h"de \\\nad"');
  assert.ok(bytes.diagnostics.some((d) => d.message.startsWith('unterminated byte string')));
});

test('comments run to the end of the line; newlines are tokens', () => {
  const r = lex('t', 'a # b "unterminated\nc');
  assert.equal(r.diagnostics.length, 0);
  assert.deepEqual(r.tokens.map((t) => t.text), ['a', '\n', 'c', '']);
});

test('operators: longest match first, and whether a token touches the previous one', () => {
  const r = lex('t', 'a=>b == c..d << e <= f f(x) g (y) r.data[0]');
  const ops = r.tokens.filter((t) => t.type === 'op').map((t) => t.text);
  assert.deepEqual(ops, ['=>', '==', '..', '<<', '<=', '(', ')', '(', ')', '.', '[', ']']);
  const parens = r.tokens.filter((t) => t.text === '(');
  assert.deepEqual(parens.map((t) => t.spaced), [false, true]);
});

test('an unexpected character is reported and skipped', () => {
  const r = lex('t', 'a @ b');
  assert.equal(r.diagnostics[0]!.message, "unexpected character '@'");
  assert.deepEqual(r.tokens.map((t) => t.text), ['a', 'b', '']);
});
