// Security (issue 9 §6): a trace is untrusted input. It may not reach files
// outside its workspace folder (symlinks resolved), nothing evaluates code
// from text, and field names from a trace cannot reach JavaScript
// prototypes.
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createMachine } from '../../emulator/engine/machine.js';
import { checkText } from '../../emulator/language/index.js';
import { Run } from '../../emulator/runtime/interpreter.js';
import { parseExpression } from '../../emulator/runtime/parse-expression.js';
import { errors, TraceWorkspace } from './trace-workspace.js';

const inside = new TraceWorkspace();
const outside = new TraceWorkspace();
after(() => {
  inside.dispose();
  outside.dispose();
});

describe('include stays inside the workspace folder', () => {
  outside.write('secret.iotrace', 'let secret = 42\n');
  inside.write('helper.iotrace', 'let helper = 1\n');
  mkdirSync(join(inside.root, 'sub'));
  symlinkSync(join(outside.root, 'secret.iotrace'), join(inside.root, 'link.iotrace'));
  symlinkSync(outside.root, join(inside.root, 'sub', 'escape'));
  symlinkSync(join(inside.root, 'helper.iotrace'), join(inside.root, 'sub', 'alias.iotrace'));

  const refused = (path: string) => `1:9 cannot include '${path}': it is outside the workspace folder ${inside.root}`;

  it('refuses a symlink to a file outside', () => {
    inside.write('a.iotrace', 'include "link.iotrace"\n');
    assert.deepEqual(errors(inside.run('a.iotrace')), [refused('link.iotrace')]);
  });

  it('refuses a path through a symlinked folder that leads outside', () => {
    inside.write('b.iotrace', 'include "sub/escape/secret.iotrace"\n');
    assert.deepEqual(errors(inside.run('b.iotrace')), [refused('sub/escape/secret.iotrace')]);
  });

  it('refuses ../ and absolute paths', () => {
    inside.write('c.iotrace', `include "../${outside.root.split('/').at(-1)}/secret.iotrace"\ninclude "${join(outside.root, 'secret.iotrace')}"\n`);
    assert.equal(errors(inside.run('c.iotrace')).length, 2);
  });

  it('follows a symlink that stays inside', () => {
    inside.write('d.iotrace', 'include "sub/alias.iotrace"\nexpect helper == 1\n');
    const r = inside.run('d.iotrace');
    assert.deepEqual(errors(r), []);
    assert.equal(r.passed, true);
  });
});

describe('no code from text', () => {
  const SOURCES = ['emulator', 'server', 'extension'];
  function files(dir: string): string[] {
    return readdirSync(dir)
      .sort()
      .flatMap((n) => {
        const p = join(dir, n);
        if (statSync(p).isDirectory()) return files(p);
        return /\.(ts|mts|js|mjs)$/.test(n) ? [p] : [];
      });
  }

  it('no eval, Function constructor or vm in the sources', () => {
    const banned = /\beval\s*\(|\bnew\s+Function\b|(?<![\w.])Function\s*\(|\bnode:vm\b|\bfrom\s+['"]vm['"]|setTimeout\s*\(\s*['"`]/;
    const hits = SOURCES.flatMap((d) => files(d)).flatMap((f) =>
      readFileSync(f, 'utf8')
        .split('\n')
        .map((line, i) => ({ f, i, line }))
        .filter(({ line }) => !/^\s*(\/\/|\*)/.test(line) && banned.test(line))
        .map(({ f, i, line }) => `${f}:${i + 1}: ${line.trim()}`),
    );
    assert.deepEqual(hits, []);
  });

  it('the check itself finds a planted eval', () => {
    assert.match('const x = eval ("1")', /\beval\s*\(/);
  });
});

describe('no prototype pollution from field names', () => {
  it('record literals keep __proto__, constructor and toString as ordinary fields', () => {
    inside.write('proto.iotrace', [
      'let r = {__proto__=1, constructor=2, toString=3, hasOwnProperty=4}',
      'expect r.__proto__ == 1',
      'expect r.constructor == 2',
      'expect r.toString == 3',
      'expect r.hasOwnProperty == 4',
      '',
    ].join('\n'));
    const r = inside.run('proto.iotrace');
    assert.deepEqual(errors(r), []);
    assert.equal(r.passed, true);
    assert.equal(({} as Record<string, unknown>).constructor, Object);
    assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, '1'), false);
  });

  it('an unknown field of a record is an error, whatever its name', () => {
    inside.write('proto2.iotrace', 'let q = {a=1}\nexpect q.constructor == 0\nexpect q.__proto__ == 0\n');
    assert.equal(errors(inside.run('proto2.iotrace')).length, 2);
  });

  it(
    'fields of a fault record named like Object.prototype members are errors (debug console path, no checker)',
    () => {
      const { program } = checkText('/w/f.iotrace', 'device d0\ndma d0 read 0x1000000 u32\n', { workspaceRoot: '/w' });
      const run = new Run(program, { machine: createMachine() });
      run.runToEnd();
      for (const field of ['constructor', '__proto__', 'toString']) {
        const p = parseExpression(`last_fault(d0).${field}`);
        assert.ok(p.ok);
        const v = run.evaluate(p.expr);
        assert.ok(typeof v === 'object' && v.kind === 'error', `.${field} gave ${typeof v}`);
      }
    },
  );
});
