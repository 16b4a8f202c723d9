// The lexer's fast paths (integer values built in a double, names interned,
// strings sliced without escapes) must give exactly what the slow, general
// rules give: these pin the boundaries where one path hands over to the other.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { CommandStmt, Expr } from '../../emulator/language/ast.js';
import { lex, MAX_U64 } from '../../emulator/language/lexer.js';
import { parse } from '../../emulator/language/parser.js';

const BASES = [
  { prefix: '0x', radix: 16 },
  { prefix: '0b', radix: 2 },
  { prefix: '0o', radix: 8 },
  { prefix: '', radix: 10 },
] as const;

/** The single int token of `text`, or the overflow error's message. */
function intOf(text: string): bigint | string {
  const r = lex('t', text);
  if (r.diagnostics.length > 0) return r.diagnostics[0]!.message;
  assert.equal(r.tokens[0]!.type, 'int');
  return r.tokens[0]!.int!;
}

test('integer values on both sides of the double-precision limits, in every base', () => {
  const values = [0n, 1n, 2n ** 48n - 1n, 2n ** 48n, 2n ** 48n + 1n, 2n ** 52n + 3n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n, 2n ** 63n + 12345n, MAX_U64 - 1n, MAX_U64];
  for (const { prefix, radix } of BASES) {
    for (const v of values) assert.equal(intOf(`${prefix}${v.toString(radix)}`), v, `${prefix}${v.toString(radix)}`);
    assert.match(String(intOf(`${prefix}${(MAX_U64 + 1n).toString(radix)}`)), /^overflow/);
  }
});

test('any 64-bit value in any base, with a separator, lexes to itself; one more digit shifts it or overflows', () => {
  fc.assert(
    fc.property(fc.bigInt({ min: 0n, max: MAX_U64 }), fc.constantFrom(...BASES), fc.nat({ max: 30 }), (v, { prefix, radix }, cut) => {
      const digits = v.toString(radix);
      const at = cut % (digits.length + 1);
      const spelled = `${prefix}${digits.slice(0, at)}${at > 0 && at < digits.length ? '_' : ''}${digits.slice(at)}`;
      assert.equal(intOf(spelled), v, spelled);
      const longer = v * BigInt(radix);
      if (longer > MAX_U64) assert.match(String(intOf(`${prefix}${digits}0`)), /^overflow/);
      else assert.equal(intOf(`${prefix}${digits}0`), longer);
    }),
  );
});

test('size suffixes shift the value, exactly or into an overflow', () => {
  const shifts = { K: 10n, M: 20n, G: 30n, T: 40n } as const;
  fc.assert(
    fc.property(fc.bigInt({ min: 0n, max: 2n ** 60n }), fc.constantFrom('K', 'M', 'G', 'T' as const), (v, s) => {
      const value = v << shifts[s];
      const got = intOf(`${v}${s}`);
      if (value > MAX_U64) assert.match(String(got), /^overflow/);
      else assert.equal(got, value);
    }),
  );
  assert.equal(intOf('8191T'), 8191n << 40n);
  assert.equal(intOf('8192T'), 8192n << 40n);
  assert.equal(intOf('16777215T'), 16777215n << 40n);
  assert.match(String(intOf('16777216T')), /^overflow/);
});

test('names beyond what the intern table holds, and long names, are read exactly', () => {
  const names = Array.from({ length: 5000 }, (_, i) => `n${i}`).concat(['x'.repeat(65), `${'y'.repeat(200)}_z`]);
  const r = parse('t', names.map((n) => `${n} = bind ${n}_dev`).join('\n'));
  assert.deepEqual(r.diagnostics, []);
  const stmts = r.program.statements as CommandStmt[];
  assert.deepEqual(stmts.map((s) => s.bind?.name), names);
  assert.deepEqual(stmts.map((s) => (s.args[0]!.value as Expr & { kind: 'name' }).name), names.map((n) => `${n}_dev`));
});

test('strings: the fast path (no escapes) and the escape path give the same value and range', () => {
  const r = lex('t', String.raw`"plain" "with \" quote" "tail \\"`);
  assert.deepEqual(r.diagnostics, []);
  assert.deepEqual(r.tokens.filter((t) => t.type === 'string').map((t) => [t.str, t.range.start.character, t.range.end.character]), [
    ['plain', 0, 7],
    ['with " quote', 8, 23],
    ['tail \\', 24, 33],
  ]);
});

test('the parser sees the tokens lex() returns: lexer errors first, then parse errors, each once', () => {
  const r = parse('t', 'x 0b12 @\nlet = 1\ny "open');
  assert.deepEqual(r.diagnostics.map((d) => `${d.range.start.line}:${d.range.start.character} ${d.message}`), [
    "0:2 malformed binary integer literal '0b12'",
    "0:7 unexpected character '@'",
    `2:2 unterminated string: expected '"' before the end of the line`,
    "1:4 expected a name after 'let', found '='",
  ]);
});
