// A checked file kept as text (emulator/language/program-text.ts): its
// statements come back exactly as the whole-tree parse and check made them,
// one at a time, and a run over them does what a run over the tree does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { CommandStmt } from '../../emulator/language/ast.js';
import { checkParsed, checkText, parse, runnable } from '../../emulator/language/index.js';
import { createMachine } from '../../emulator/engine/machine.js';
import { Run } from '../../emulator/runtime/interpreter.js';

const FILES: Record<string, string> = { '/ws/lib.iotrace': 'proc twice(x) {\n  let y = x * 2\n}\n' };
const readFile = (p: string): string => {
  if (p in FILES) return FILES[p]!;
  throw Object.assign(new Error(`ENOENT: ${p}`), { code: 'ENOENT' });
};
const OPTS = { workspaceRoot: '/ws', readFile };

test('statements start where the whole parse found them: CRLF, continuations, a statement after a stray }', () => {
  const text = 'device m0\r\n  ioas = \\\r\n    ioas_alloc\r\n} let z = 1\n\n# c\nrepeat i in 1..2 {\n  let w = i\n}\nexpect z == 1';
  const { program } = checkText('/ws/t.iotrace', text, OPTS);
  const whole = checkParsed(parse('/ws/t.iotrace', text), OPTS).program.statements;
  assert.equal(program.statementCount, 5);
  for (let i = 0; i < 5; i++) assert.deepEqual(program.statementAt(i), whole[i]);
  assert.deepEqual(program.statementAt(1).range, { start: { line: 1, character: 2 }, end: { line: 2, character: 14 } });
  assert.deepEqual(program.statementAt(2).range.start, { line: 3, character: 2 });
});

test('a statement parsed again carries what the checker wrote: resolved arguments and the included program', () => {
  const text = 'include "lib.iotrace"\nmemory buf 64K\nioas = ioas_alloc\nioas_map ioas buf 4K iova=0x1000\n';
  const { program, diagnostics } = checkText('/ws/t.iotrace', text, OPTS);
  assert.deepEqual(diagnostics, []);
  const map = program.statementAt(3) as CommandStmt;
  assert.deepEqual([...map.resolved!.keys()], ['ioas_id', 'user_va', 'length', 'iova']);
  const include = program.statementAt(0);
  assert.equal(include.kind === 'include' && include.program?.statements[0]?.kind, 'proc');
  assert.equal(program.statementAt(0), include, 'the statement asked for again (what runs next, then running it) is not parsed again');
  assert.throws(() => program.statementAt(4), /has 4 statements, not 5/);
  assert.equal(program.onDemand.at(4), undefined);
});

test('procs are listed without parsing the statements between them', () => {
  const text = 'proc a() {\n  let x = 1\n}\nlet y = 2\nproc b(v) {\n  expect v\n}\nb(1)\n';
  const { program } = checkText('/ws/t.iotrace', text, OPTS);
  assert.deepEqual(program.procs().map((p) => p.name), ['a', 'b']);
});

test('a name used above its declaration is reported as such (the checker reads ahead only then)', () => {
  const { diagnostics } = checkText('/ws/t.iotrace', 'x = bind m1\ndevice m1\n', OPTS);
  assert.deepEqual(diagnostics.map((d) => d.message), ["'m1' is used before its declaration on line 2 (a 'device' declaration must come before its first use)"]);
});

test('every example runs the same from its text as from its whole tree', () => {
  const dir = resolve('examples');
  for (const name of readdirSync(dir).filter((f) => f.endsWith('.iotrace')).sort()) {
    const path = join(dir, name);
    const opts = { workspaceRoot: dir, readFile: (p: string) => readFileSync(p, 'utf8') };
    const lazy = new Run(runnable(checkText(path, readFileSync(path, 'utf8'), opts).program), { machine: createMachine() });
    const eager = new Run(checkParsed(parse(path, readFileSync(path, 'utf8')), opts).program, { machine: createMachine() });
    for (;;) {
      const a = lazy.step();
      const b = eager.step();
      assert.deepEqual(a && [a.stmt.range, a.actual, a.mismatch], b && [b.stmt.range, b.actual, b.mismatch], `${name}: step ${lazy.statements}`);
      if (!a) break;
    }
    assert.ok(lazy.statements > 0, name);
  }
});
