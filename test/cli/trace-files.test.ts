// Every example, every trace of our own under test/traces, and every
// conformance trace runs without a mismatch on the real engine.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createMachine } from '../../emulator/engine/machine.js';
import { collectFiles } from '../../emulator/runtime/collect-files.js';
import { textReport } from '../../emulator/runtime/report.js';
import { runFile } from '../../emulator/runtime/run-file.js';

const ROOT = join(__dirname, '..', '..');
const CONFORMANCE = join(ROOT, '..', 'shared', 'conformance');

function assertPasses(path: string, workspaceRoot: string): void {
  const r = runFile(path, { workspaceRoot, createMachine });
  assert.ok(r.passed, textReport(r, ROOT).join('\n'));
  assert.ok(r.statements > 0);
}

test('every example passes', () => {
  const files = collectFiles([join(ROOT, 'examples')]);
  assert.ok(files.length >= 5);
  for (const f of files) assertPasses(f.path, f.workspaceRoot);
});

test('every self-checking trace under test/traces passes (the foundation scope items, end to end)', () => {
  const files = collectFiles([join(ROOT, 'test', 'traces')]);
  assert.ok(files.length >= 6, `${files.length} traces`);
  for (const f of files) assertPasses(f.path, f.workspaceRoot);
});

test('every conformance trace passes', { skip: !existsSync(CONFORMANCE) && 'no ../shared/conformance' }, () => {
  const files = collectFiles([CONFORMANCE]);
  assert.ok(files.length >= 27, `${files.length} traces`);
  for (const f of files) assertPasses(f.path, f.workspaceRoot);
});
