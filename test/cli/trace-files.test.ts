// Every example, and every conformance trace whose features are in scope,
// runs without a mismatch on the real engine.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createMachine } from '../../emulator/engine/machine.js';
import { collectFiles } from '../../emulator/runtime/collect-files.js';
import { textReport } from '../../emulator/runtime/report.js';
import { runFile } from '../../emulator/runtime/run-file.js';

const ROOT = join(__dirname, '..', '..');
const CONFORMANCE = join(ROOT, '..', 'shared', 'conformance');

/**
 * Out of scope for now: nesting, vIOMMU, fault and vEVENT queues, dirty
 * tracking, SVA. A trace using any of them is recognised by its words.
 */
const OUT_OF_SCOPE = /\b(nest_parent|viommu\w*|vdevice\w*|veventq\w*|hw_queue\w*|fault_queue_alloc|fault_read|dirty\w*|sva_\w+|test_iopf|test_vevent)\b/;

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

test('every in-scope conformance trace passes', { skip: !existsSync(CONFORMANCE) && 'no ../shared/conformance' }, () => {
  const files = collectFiles([CONFORMANCE]).filter((f) => !OUT_OF_SCOPE.test(readFileSync(f.path, 'utf8')));
  assert.ok(files.length >= 15, `${files.length} in-scope traces`);
  for (const f of files) assertPasses(f.path, f.workspaceRoot);
});
