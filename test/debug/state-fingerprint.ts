// The state of a run at one position as text: the machine's inspection
// snapshot, the frames with their locals, the mismatches so far. Equal texts
// mean the debugger cannot tell the two states apart.
import { machineSnapshot } from '../../emulator/engine/inspect/snapshot.js';
import { Machine } from '../../emulator/engine/machine.js';
import type { Run } from '../../emulator/runtime/interpreter.js';
import { formatValue } from '../../emulator/runtime/values.js';

export function fingerprint(run: Run): string {
  const frames = run.frames().map((f) => ({
    name: f.name,
    line: f.statement?.range.start.line,
    locals: f.locals.map(([k, v]) => `${k}=${formatValue(v)}`),
  }));
  const machine = run.machine instanceof Machine ? machineSnapshot(run.machine) : undefined;
  return JSON.stringify({ at: run.statements, frames, mismatches: run.mismatches.length, machine }, (_k, v: unknown) =>
    typeof v === 'bigint' ? `0x${v.toString(16)}` : v,
  );
}
