// Checks a trace text with the real front end and runs it on a machine.
import assert from 'node:assert/strict';
import type { MachineApi } from '../../emulator/engine/machine-api.js';
import { checkText } from '../../emulator/language/index.js';
import { Run } from '../../emulator/runtime/interpreter.js';
import { mismatchMessage } from '../../emulator/runtime/outcome.js';
import { fakeMachine } from './fake-machine.js';

export function runText(text: string, machine: MachineApi = fakeMachine()): Run {
  const { program, diagnostics } = checkText('/ws/t.iotrace', text, { workspaceRoot: '/ws', readFile: () => '' });
  const errors = diagnostics.filter((d) => d.severity === 'error');
  assert.deepEqual(errors.map((d) => d.message), [], 'the test trace should check cleanly');
  return new Run(program, { machine });
}

/** Every mismatch as `line: message` (1-based line). */
export function mismatchesOf(run: Run): string[] {
  return run.runToEnd().map((m) => `${m.range.start.line + 1}: ${mismatchMessage(m)}`);
}
