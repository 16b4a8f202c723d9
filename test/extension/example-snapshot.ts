// A real machine's snapshot, as the adapter sends it: examples/01 run to its
// end (an IOAS, a DEVICE, an automatic HWPT, nic0 in its group).
import { join } from 'node:path';
import { machineSnapshot } from '../../emulator/engine/inspect/snapshot.js';
import { createMachine, Machine } from '../../emulator/engine/machine.js';
import { checkFile } from '../../emulator/language/index.js';
import { Run } from '../../emulator/runtime/interpreter.js';
import { toWire, type WireSnapshot } from '../../extension/snapshot/machine-snapshot.js';

export const EXAMPLES = join(__dirname, '..', '..', 'examples');

export function exampleSnapshot(name = '01-nic-passthrough.iotrace'): WireSnapshot {
  const file = join(EXAMPLES, name);
  const { program } = checkFile(file, { workspaceRoot: EXAMPLES });
  const run = new Run(program, { machine: createMachine() });
  run.runToEnd();
  if (!(run.machine instanceof Machine)) throw new Error('not an engine machine');
  return toWire(machineSnapshot(run.machine));
}
