// Running one command statement: its arguments read through the command
// table, its handler, and every way it can end turned into an Actual. A
// kernel refusal is an errno, a bad argument an `error`, anything else a
// bug of the emulator (`internal`): none of them stops the run.
import { KernelError } from '../engine/errno.js';
import type { MachineApi } from '../engine/machine-api.js';
import type { CommandStmt, Expr } from '../language/ast.js';
import { COMMANDS } from '../language/commands.js';
import { ArgFailure, Args, argWords, type ArgWords } from './args.js';
import { COMMAND_HANDLERS } from './commands/index.js';
import type { CommandContext, CommandHandler, CommandOutcome, RunState } from './commands/context.js';
import type { EvalEnv } from './evaluate.js';

interface Runnable {
  handler: CommandHandler;
  /** The flag and constant words of its arguments, from its table entry. */
  words: ArgWords;
}

/**
 * Each command's handler and what its table entry says, under one key: a
 * statement's command name is a string the parser has just cut from the
 * text, so every map lookup hashes and compares it afresh.
 */
const RUNNABLE: ReadonlyMap<string, Runnable> = new Map(
  [...COMMAND_HANDLERS].map(([name, handler]) => [name, { handler, words: argWords(COMMANDS.get(name)) }]),
);

const NO_ARGS: ReadonlyMap<string, Expr> = new Map();

/**
 * The context every handler gets, one for every statement rather than a
 * context and an argument reader made per statement: a handler is done with
 * both when it returns (its outcome keeps neither), and no handler runs
 * another statement. (It holds on to the last statement's machine until the
 * next statement, which is no more than its run does.)
 */
class Context implements CommandContext {
  readonly args: Args;

  constructor(
    public machine: MachineApi,
    public state: RunState,
    env: EvalEnv,
  ) {
    this.args = new Args(NO_ARGS, env);
  }
}

let context: Context | undefined;

export function executeCommand(stmt: CommandStmt, machine: MachineApi, state: RunState, env: EvalEnv): CommandOutcome {
  const command = RUNNABLE.get(stmt.command);
  if (!command) {
    return { actual: { kind: 'error', message: `${stmt.command} is not supported by this emulator yet` } };
  }
  const ctx = (context ??= new Context(machine, state, env));
  ctx.machine = machine;
  ctx.state = state;
  ctx.args.reset(stmt.resolved ?? NO_ARGS, env, command.words);
  // Payloads of one statement never outlive it.
  machine.resetScratch();
  machine.setStatementLine?.(stmt.range.start.line + 1);
  try {
    return command.handler(ctx);
  } catch (e) {
    if (e instanceof KernelError) return { actual: { kind: 'errno', errno: e.errno, reason: e.reason } };
    if (e instanceof ArgFailure) return { actual: { kind: 'error', message: e.message } };
    return { actual: { kind: 'internal', message: e instanceof Error ? e.message : String(e) } };
  }
}
