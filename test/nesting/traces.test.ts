// End to end: every conformance trace (the nesting, vIOMMU, fault-queue and
// vEVENT ones included) and the nesting examples run without a mismatch.
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
const EXAMPLES = ['20-iopf-round-trip.iotrace', '21-sva-process-exit.iotrace', '22-viommu-vdevices.iotrace'];

function assertPasses(path: string, workspaceRoot: string): void {
  const r = runFile(path, { workspaceRoot, createMachine });
  assert.ok(r.passed, textReport(r, ROOT).join('\n'));
}

test('every conformance trace passes', { skip: !existsSync(CONFORMANCE) && 'no ../shared/conformance' }, () => {
  const files = collectFiles([CONFORMANCE]);
  assert.ok(files.length >= 27, `${files.length} traces`);
  for (const f of files) assertPasses(f.path, f.workspaceRoot);
});

test('the nesting examples pass', () => {
  for (const name of EXAMPLES) assertPasses(join(ROOT, 'examples', name), join(ROOT, 'examples'));
});
