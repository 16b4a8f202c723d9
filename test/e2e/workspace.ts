// The folder code-server opens: a copy of examples/ plus a trace with a
// broken line and one whose expectation is wrong, so the suite never writes
// into the source tree.
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const BROKEN_TRACE = 'broken.iotrace';
export const BROKEN_COMMAND = 'frobnicate';
/** Runs, but line 2 expects EBUSY where the destroy succeeds: a failing test and a task problem. */
export const MISMATCH_TRACE = 'mismatch.iotrace';
export const MISMATCH_LINE = 2;
/** A task of type iotrace in .vscode/tasks.json, running MISMATCH_TRACE: its output goes through $iotrace. */
export const MISMATCH_TASK = 'run the mismatching trace';

export function makeWorkspace(examples: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'iotrace-workspace-'));
  cpSync(examples, dir, { recursive: true });
  writeFileSync(join(dir, BROKEN_TRACE), `# A trace with a typo on line 3.\nioas = ioas_alloc => 1\n${BROKEN_COMMAND} ioas\n`);
  writeFileSync(join(dir, MISMATCH_TRACE), 'ioas = ioas_alloc => 1\ndestroy ioas => EBUSY\n');
  mkdirSync(join(dir, '.vscode'));
  const task = { label: MISMATCH_TASK, type: 'iotrace', command: 'run', paths: [MISMATCH_TRACE] };
  writeFileSync(join(dir, '.vscode', 'tasks.json'), JSON.stringify({ version: '2.0.0', tasks: [task] }, null, 2));
  return dir;
}
