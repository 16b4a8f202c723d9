// Every conformance trace must check with zero errors, and be runnable:
// every command statement resolved.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Stmt } from '../../emulator/language/ast.js';
import { checkFile } from '../../emulator/language/index.js';
import { ResolvedArgs } from '../../emulator/language/resolved-args.js';

const DIR = resolve('../shared/conformance');
const files = existsSync(DIR) ? readdirSync(DIR).filter((f) => f.endsWith('.iotrace')).sort() : [];

function allResolved(statements: Stmt[]): boolean {
  return statements.every((s) => {
    if (s.kind === 'command') return s.resolved instanceof ResolvedArgs;
    if (s.kind === 'repeat' || s.kind === 'proc') return allResolved(s.body);
    return true;
  });
}

test('conformance traces check with zero errors', { skip: files.length === 0 && `${DIR} is absent` }, () => {
  for (const f of files) {
    const { program, diagnostics } = checkFile(join(DIR, f), { workspaceRoot: DIR });
    const errors = diagnostics.filter((d) => d.severity === 'error');
    assert.deepEqual(errors.map((d) => `${f}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${d.message}`), []);
    assert.ok(allResolved(program.statements), `${f}: a command statement has no 'resolved'`);
  }
});
