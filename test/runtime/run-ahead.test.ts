// `iotrace run` runs a file as the checker finishes its statements
// (emulator/runtime/run-ahead.ts). Whatever the run does ahead must not
// show: the report is the one of checking the whole file, then running it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createMachine } from '../../emulator/engine/machine.js';
import { checkText, runnable } from '../../emulator/language/index.js';
import { Run } from '../../emulator/runtime/interpreter.js';
import { runText } from '../../emulator/runtime/run-file.js';

/** What `iotrace run` reported before it ran ahead: check the whole file, then run it from its text. */
function checkThenRun(path: string, text: string, workspaceRoot: string, maxSteps = 10_000_000): { mismatches: unknown; statements: number } | 'errors' {
  const { program, diagnostics } = checkText(path, text, { workspaceRoot });
  if (diagnostics.some((d) => d.severity === 'error')) return 'errors';
  const run = new Run(runnable(program), { machine: createMachine() });
  while (run.statements < maxSteps && run.step());
  return { mismatches: run.mismatches, statements: run.statements };
}

function same(path: string, text: string, workspaceRoot: string, maxSteps?: number): void {
  const r = runText(path, text, { workspaceRoot, createMachine, maxSteps });
  const want = checkThenRun(path, text, workspaceRoot, maxSteps);
  if (want === 'errors') assert.equal(r.hasErrors && r.statements, 0, path);
  else assert.deepEqual({ mismatches: r.mismatches, statements: r.statements }, want, path);
}

test('every example and conformance trace reports the same as checking it whole, then running it', () => {
  for (const dir of [resolve('examples'), resolve('../shared/conformance')]) {
    let files: string[] = [];
    try {
      files = readdirSync(dir).filter((f) => f.endsWith('.iotrace'));
    } catch {
      continue;
    }
    for (const f of files.sort()) same(join(dir, f), readFileSync(join(dir, f), 'utf8'), dir);
  }
});

const SETUP = 'iommu iommu0 model=mock\ndevice d0\nmemory ram 256K\nioas = ioas_alloc\ndev = bind d0\nattach dev ioas\n';

test('a run that pauses inside a loop picks up statements the checker has long dropped', () => {
  // The loop is far more steps than the run may take ahead of the check, so it pauses there; the statements
  // after it are checked meanwhile and are parsed again from the text when the run gets to them.
  const after = Array.from({ length: 40 }, (_, i) => `ioas_map ioas (ram + ${i * 0x1000}) 4K iova=${0x10000000 + i * 0x1000}`).join('\n');
  const text = `${SETUP}repeat i in 0..19999 {\n  let x = i\n}\n${after}\nexpect users(ioas) == 2\n`;
  same('/ws/t.iotrace', text, '/ws');
  const r = runText('/ws/t.iotrace', text, { workspaceRoot: '/ws', createMachine });
  assert.deepEqual([r.statements, r.passed], [6 + 1 + 20000 + 40 + 1, true]);
});

test('a top-level proc: the file runs once checked, from the start', () => {
  const text = `${SETUP}proc m(a) {\n  ioas_map ioas (ram + a) 4K iova=(0x10000000 + a)\n}\nm(0)\nm(0x1000)\nexpect users(ioas) == 2\n`;
  same('/ws/t.iotrace', text, '/ws');
  assert.equal(runText('/ws/t.iotrace', text, { workspaceRoot: '/ws', createMachine }).passed, true);
});

test('a file with an error does not run, however long what comes before it would run', { timeout: 120_000 }, () => {
  // Without the run-ahead bound this loop would run to the step budget (a billion) before the check saw line 8.
  const text = `${SETUP}repeat 1000000000 {\n  let x = 1\n}\nioas_mapp ioas 1\n`;
  const r = runText('/ws/t.iotrace', text, { workspaceRoot: '/ws', createMachine, maxSteps: 1_000_000_000 });
  assert.deepEqual([r.hasErrors, r.statements, r.mismatches], [true, 0, []]);
  assert.match(r.diagnostics[0]!.message, /unknown command 'ioas_mapp'/);
});

test('the step budget stops a run ahead as it stops a run', () => {
  const text = `${SETUP}repeat 100000 {\n  let x = 1\n}\n`;
  same('/ws/t.iotrace', text, '/ws', 5000);
  const r = runText('/ws/t.iotrace', text, { workspaceRoot: '/ws', createMachine, maxSteps: 5000 });
  assert.equal(r.statements, 5000);
  assert.match(r.diagnostics.at(-1)!.message, /stopped after 5000 statements/);
});
