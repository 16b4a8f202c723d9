// The self-checking traces of test/hardware/traces run without a mismatch on
// the real engine (guest page tables, hardware models through the language).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { createMachine } from '../../emulator/engine/machine.js';
import { collectFiles } from '../../emulator/runtime/collect-files.js';
import { textReport } from '../../emulator/runtime/report.js';
import { runFile } from '../../emulator/runtime/run-file.js';

const ROOT = join(__dirname, '..', '..');

for (const f of collectFiles([join(__dirname, 'traces')])) {
  test(`trace ${f.path.slice(ROOT.length + 1)}`, () => {
    const r = runFile(f.path, { workspaceRoot: f.workspaceRoot, createMachine });
    assert.ok(r.passed, textReport(r, ROOT).join('\n'));
  });
}
