// Running one command statement: its arguments read through the command
// table, its handler, and every way it can end turned into an Actual. A
// kernel refusal is an errno, a bad argument an `error`, anything else a
// bug of the emulator (`internal`): none of them stops the run.
import { KernelError } from '../engine/errno.js';
import type { MachineApi } from '../engine/machine-api.js';
import type { CommandStmt } from '../language/ast.js';
import { COMMANDS } from '../language/commands.js';
import { ArgFailure, Args } from './args.js';
import { COMMAND_HANDLERS } from './commands/index.js';
import type { CommandOutcome, RunState } from './commands/context.js';
import type { EvalEnv } from './evaluate.js';

export function executeCommand(stmt: CommandStmt, machine: MachineApi, state: RunState, env: EvalEnv): CommandOutcome {
  const handler = COMMAND_HANDLERS.get(stmt.command);
  if (!handler) {
    return { actual: { kind: 'error', message: `${stmt.command} is not supported by this emulator yet` } };
  }
  const args = new Args(stmt.resolved ?? new Map(), env, COMMANDS.get(stmt.command));
  // Payloads of one statement never outlive it.
  machine.resetScratch();
  machine.setStatementLine?.(stmt.range.start.line + 1);
  try {
    return handler({ machine, args, state });
  } catch (e) {
    if (e instanceof KernelError) return { actual: { kind: 'errno', errno: e.errno, reason: e.reason } };
    if (e instanceof ArgFailure) return { actual: { kind: 'error', message: e.message } };
    return { actual: { kind: 'internal', message: e instanceof Error ? e.message : String(e) } };
  }
}
