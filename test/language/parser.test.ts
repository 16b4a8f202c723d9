import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CommandStmt, Expr } from '../../emulator/language/ast.js';
import { parse } from '../../emulator/language/parser.js';

const only = (text: string) => {
  const r = parse('t', text);
  assert.deepEqual(r.diagnostics, []);
  return r.program.statements;
};
const command = (text: string): CommandStmt => only(text)[0] as CommandStmt;
const at = (line: number, a: number, b: number) => ({ start: { line, character: a }, end: { line, character: b } });

/** A compact rendering of an expression tree, to compare shapes. */
function show(e: Expr): string {
  switch (e.kind) {
    case 'int': return `${e.value}`;
    case 'name': return e.name;
    case 'binary': return `(${show(e.left)} ${e.op} ${show(e.right)})`;
    case 'unary': return `(${e.op}${show(e.operand)})`;
    case 'call': return `${e.callee}(${e.args.map(show).join(', ')})`;
    case 'field': return `${show(e.object)}.${e.field}`;
    case 'index': return `${show(e.object)}[${show(e.index)}]`;
    case 'range': return `${show(e.start)}..${show(e.last)}`;
    case 'list': return `[${e.items.map(show).join(', ')}]`;
    case 'record': return `{${e.entries.map((x) => `${x.key}=${show(x.value)}`).join(', ')}}`;
    default: return e.kind;
  }
}

test('a command with a binding, positional and keyed arguments, and an outcome', () => {
  const s = command('hwpt = attach d0 ioas pasid=3 => 3');
  assert.equal(s.command, 'attach');
  assert.deepEqual(s.bind, { name: 'hwpt', range: at(0, 0, 4) });
  assert.deepEqual(s.commandRange, at(0, 7, 13));
  assert.deepEqual(s.args.map((a) => (a.kind === 'keyed' ? `${a.key}=${show(a.value)}` : show(a.value))), ['d0', 'ioas', 'pasid=3']);
  assert.equal(s.expect?.kind, 'value');
  assert.deepEqual(s.range, at(0, 0, 34));
});

test('binary operators bind greedily inside one argument, with C precedence', () => {
  const s = command('ioas_map ioas user_va=ram + 0x1000 length=4K * 2 + 1 flags=a|b&c');
  assert.deepEqual(s.args.map((a) => show(a.value)), ['ioas', '(ram + 4096)', '((4096 * 2) + 1)', '(a | (b & c))']);
  assert.equal(s.args.length, 4);
  const e = (only('expect 1 + 2 << 3 == 24 && !x || ~y')[0] as { condition: Expr }).condition;
  assert.equal(show(e), '(((((1 + 2) << 3) == 24) && (!x)) || (~y))');
});

test('a call is a name immediately followed by "("; a space makes two arguments', () => {
  assert.deepEqual(command('foo users(x) users (x)').args.map((a) => show(a.value)), ['users(x)', 'users', 'x']);
  assert.deepEqual(command('foo r.data[0] r [0]').args.map((a) => show(a.value)), ['r.data[0]', 'r', '[0]']);
});

test('outcomes: ok, errno, fault KIND, value', () => {
  const outcome = (t: string) => command(t).expect;
  assert.deepEqual(outcome('destroy x => ok'), { kind: 'ok', range: at(0, 13, 15) });
  assert.deepEqual(outcome('destroy x => EBUSY'), { kind: 'errno', name: 'EBUSY', range: at(0, 13, 18) });
  assert.deepEqual(outcome('dma n read 0 u32 => fault translation'), { kind: 'fault', fault: 'translation', range: at(0, 20, 37) });
  const v = outcome('read buf u32 => 0xdeadbeef');
  assert.equal(v?.kind === 'value' && show(v.value), '3735928559');
});

test('let, expect, repeat (both forms), proc, call and include statements', () => {
  const s = only('let x = 1\nexpect x\nrepeat 3 {\n  a\n}\nrepeat i in 0..9 {\n}\nproc p(a, b) {\n  c a b\n}\np(1, 2)\ninclude "x.iotrace"\n');
  assert.deepEqual(s.map((x) => x.kind), ['let', 'expect', 'repeat', 'repeat', 'proc', 'call', 'include']);
  const r = s[3]!;
  assert.ok(r.kind === 'repeat' && r.variable?.name === 'i' && show(r.from!) === '0' && show(r.to!) === '9');
  assert.deepEqual(r.range, { start: { line: 5, character: 0 }, end: { line: 6, character: 1 } });
  const p = s[4]!;
  assert.ok(p.kind === 'proc' && p.params.map((x) => x.name).join() === 'a,b' && p.body.length === 1);
  const inc = s[6]!;
  assert.ok(inc.kind === 'include' && inc.path === 'x.iotrace');
  assert.deepEqual(inc.kind === 'include' && inc.pathRange, at(11, 8, 19));
});

test('lists, ranges and records', () => {
  const s = command('x a=[0..0x10, 5] b={iotlb=1, flags=0} c=[{x=1}, {y=2}] d=[]');
  assert.deepEqual(s.args.map((a) => show(a.value)), ['[0..16, 5]', '{iotlb=1, flags=0}', '[{x=1}, {y=2}]', '[]']);
});

test('missing "=" after let x: message names what was expected and what was found, with its range', () => {
  const r = parse('t', 'let x\n');
  assert.deepEqual(r.diagnostics, [{ file: 't', severity: 'error', message: "expected '=' after 'let x', found end of line", range: at(0, 5, 6) }]);
});

test('a file with five independent errors yields five diagnostics, in order', () => {
  const text = [
    'let x',                 // 0: missing '='
    'ioas_map ioas (buf',    // 1: unclosed '('
    'ok = destroy 1 =>',     // 2: missing outcome
    'repeat i in 3 {',       // 3: not a range (the body is still parsed)
    '  expect 1 +',          // 4: missing operand
    '}',
    'label "unterminated',   // 6: lexer error
    'destroy 1',
  ].join('\n');
  const r = parse('t', text);
  assert.deepEqual(r.diagnostics.map((d) => [d.range.start.line, d.message]), [
    [6, `unterminated string: expected '"' before the end of the line`],
    [0, "expected '=' after 'let x', found end of line"],
    [1, "expected ')' to close '(', found end of line"],
    [2, "expected an outcome after '=>' (ok, an errno, 'fault KIND' or a value), found end of line"],
    [3, "expected a range 'FIRST..LAST' after 'repeat i in', found a single value"],
    [4, "expected an operand after '+', found end of line"],
  ]);
  assert.deepEqual(r.program.statements.map((s) => s.kind), ['command', 'command']); // label, destroy
});

test('an unclosed block reports where it was opened; a stray "}" is reported', () => {
  assert.deepEqual(parse('t', 'repeat 2 {\n  a\n').diagnostics.map((d) => d.message), [
    "expected '}' to close the 'repeat' block opened on line 1, found end of file",
  ]);
  const stray = parse('t', 'a\n}\n').diagnostics[0]!;
  assert.equal(stray.message, "unexpected '}': no block is open");
  assert.deepEqual(stray.range, at(1, 0, 1));
});

test('statements on one line inside braces', () => {
  const s = only('repeat 2 { write buf u8 1 }')[0]!;
  assert.ok(s.kind === 'repeat' && s.body.length === 1 && s.body[0]!.kind === 'command');
});

test('a keyword cannot be bound as a command result', () => {
  assert.equal(parse('t', 'x = let y = 1').diagnostics[0]!.message, "expected a command after 'x =', found 'let' (to bind a value, write 'let x = ...')");
});
