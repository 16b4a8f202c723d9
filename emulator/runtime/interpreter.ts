// Runs a checked program on a machine, one statement per step. This is the
// state the debugger inspects (frames, locals, mismatches) and the CLI runs
// to the end; it knows nothing of any protocol. Loops, procedure calls and
// includes open frames, each with its own locals (trace-language §4).
import type { MachineApi } from '../engine/machine-api.js';
import type { CallStmt, CommandStmt, Expr, IncludeStmt, ProcStmt, RepeatStmt, StatementList, Stmt } from '../language/ast.js';
import { RunState, type CommandOutcome } from './commands/context.js';
import { evaluate, type EvalEnv } from './evaluate.js';
import { executeCommand } from './execute-command.js';
import { compareOutcome, type Actual, type Mismatch } from './outcome.js';
import { printExpr } from './print-expr.js';
import { runQuery } from './queries.js';
import { Scope } from './scope.js';
import { asInt, error, formatValue, isError, symbol, type Value } from './values.js';

export interface RunOptions {
  /** A fresh machine: the run declares its topology on it. */
  machine: MachineApi;
}

/** What one step did. */
export interface StepEvent {
  stmt: Stmt;
  actual: Actual;
  /** The statement opened a frame (a loop with iterations, a call, an include). */
  entered: boolean;
  /** Set when the outcome differs from the statement's expectation. */
  mismatch?: Mismatch;
}

export type FrameKind = 'file' | 'loop' | 'proc' | 'include';

/** One frame of the call stack as the debugger shows it. */
export interface FrameInfo {
  kind: FrameKind;
  /** The file path, `proc NAME`, `repeat i in A..B` (at i = 3) or `include "x"`. */
  name: string;
  file: string;
  /** The innermost frame's next statement; an outer frame's statement that opened the frame above it. */
  statement?: Stmt;
  /** Its bindings in the order they were made. */
  locals: [string, Value][];
}

/** Bare words that are constants (trace-language §1). */
const CONSTANTS: ReadonlyMap<string, Value> = new Map(
  ['none', 'kernel', 'user', 'null'].map((n) => [n, symbol(n, 'constant')]),
);

interface LoopState {
  variable?: string;
  /** The value of the iteration running now. */
  current: bigint;
  last: bigint;
}

interface Frame {
  kind: FrameKind;
  name: string;
  file: string;
  stmts: StatementList;
  /** The next statement to run. */
  pc: number;
  scope: Scope;
  /** Procedures visible from this frame's block (an include adds to its parent's). */
  procs: Map<string, ProcStmt>;
  loop?: LoopState;
  /** What its statements' expressions see; it follows `scope` as iterations replace it. */
  env: EvalEnv;
}

export class Run {
  readonly machine: MachineApi;
  readonly state = new RunState();
  readonly mismatches: Mismatch[] = [];
  /** How many statements have run. */
  statements = 0;
  private readonly stack: Frame[] = [];
  private readonly root: Scope;
  /** Names whose binding statement failed, with why: later uses say so instead of "not defined". */
  private readonly unbound = new Map<string, string>();
  /** What the command statement running now did (`runCommand` leaves it for `command`'s step record). */
  private lastOutcome: CommandOutcome | undefined;

  /** `program`: a checked program, or `runnable(program)` to parse its statements one at a time as they run. */
  constructor(program: { file: string; statements: StatementList }, opts: RunOptions) {
    this.machine = opts.machine;
    this.root = new Scope();
    this.push({ kind: 'file', name: program.file, file: program.file, stmts: program.statements, scope: this.root, procs: new Map() });
    this.settle();
  }

  get done(): boolean {
    return this.stack.length === 0;
  }

  /** How many frames are open (0 once the program has ended): what step over/out compare. */
  get depth(): number {
    return this.stack.length;
  }

  /** The statement the next step runs, without building the frames (checked after every step by the debugger). */
  nextStatement(): Stmt | undefined {
    const f = this.stack[this.stack.length - 1];
    return f?.stmts.at(f.pc);
  }

  /** Executes the next statement; undefined once the program has ended. */
  step(): StepEvent | undefined {
    const frame = this.stack[this.stack.length - 1];
    if (!frame) return undefined;
    const stmt = frame.stmts.at(frame.pc++)!;
    this.statements++;
    const ev = this.execute(stmt, frame);
    if (ev.mismatch) this.mismatches.push(ev.mismatch);
    this.settle();
    return ev;
  }

  /**
   * `step()` without its record, for runs that do not look at each step (the
   * CLI's): most statements are commands, and their step records were made
   * only to be dropped. False once the program has ended.
   */
  advance(): boolean {
    const frame = this.stack[this.stack.length - 1];
    if (!frame) return false;
    const stmt = frame.stmts.at(frame.pc++)!;
    this.statements++;
    let mismatch: Mismatch | undefined;
    if (stmt.kind === 'command') {
      mismatch = this.runCommand(stmt, frame);
      // Not kept: a checkpoint's copy of the run would copy it.
      this.lastOutcome = undefined;
    } else mismatch = this.execute(stmt, frame).mismatch;
    if (mismatch) this.mismatches.push(mismatch);
    this.settle();
    return true;
  }

  /** Runs every remaining statement; returns all mismatches of the run. */
  runToEnd(): Mismatch[] {
    while (this.advance());
    return this.mismatches;
  }

  /** The call stack, innermost frame first. */
  frames(): FrameInfo[] {
    return this.stack.map((f, i): FrameInfo => {
      const innermost = i === this.stack.length - 1;
      const statement = f.stmts.at(innermost ? f.pc : f.pc - 1);
      const locals = [...(f.kind === 'file' ? this.state.declared : []), ...f.scope.bindings];
      const name = f.loop?.variable ? `${f.name} (${f.loop.variable} = ${formatValue(f.loop.current)})` : f.name;
      return { kind: f.kind, name, file: f.file, statement, locals };
    }).reverse();
  }

  /** Evaluates an expression in a frame (0 = innermost), as a watch or the debug console would. */
  evaluate(expr: Expr, frameIndex = 0, extra?: ReadonlyMap<string, Value>): Value {
    const f = this.stack[this.stack.length - 1 - frameIndex] ?? this.stack[0];
    const env = this.env({ scope: f?.scope ?? this.root });
    // `extra` names (a breakpoint condition's `errno`, `kind`) shadow the trace's own.
    return evaluate(expr, extra ? new ShadowedEnv(extra, env) : env);
  }

  private env(frame: { readonly scope: Scope }): EvalEnv {
    return new FrameEnv(frame, this.state.declared, this.unbound, this.machine);
  }

  private push(f: Omit<Frame, 'pc' | 'env'>): void {
    const frame = { ...f, pc: 0 } as Frame;
    // Made once per frame rather than once per statement.
    frame.env = this.env(frame);
    hoistProcs(frame.stmts, frame.procs);
    this.stack.push(frame);
  }

  /**
   * Moves to the next statement that will run: past procedure definitions
   * (they are hoisted, not executed), into the next iteration of a loop, or
   * out of frames that have ended.
   */
  private settle(): void {
    for (;;) {
      const f = this.stack[this.stack.length - 1];
      if (!f) return;
      if (f.pc < f.stmts.length) {
        if (f.stmts.at(f.pc)!.kind === 'proc') {
          f.pc++;
          continue;
        }
        return;
      }
      if (f.loop && f.loop.current < f.loop.last) {
        // A body with nothing to run cannot change anything: jump to its last iteration
        // instead of spinning (`repeat 1000000000 {}` must not hang a debugger's step).
        if (onlyProcs(f.stmts)) f.loop.current = f.loop.last;
        else f.loop.current++;
        f.pc = 0;
        f.scope = this.iterationScope(f.scope.parent!, f.loop);
        continue;
      }
      this.stack.pop();
    }
  }

  private iterationScope(parent: Scope, loop: LoopState): Scope {
    const s = new Scope(parent);
    if (loop.variable) s.bind(loop.variable, loop.current);
    return s;
  }

  private execute(stmt: Stmt, frame: Frame): StepEvent {
    switch (stmt.kind) {
      case 'command':
        return this.command(stmt, frame);
      case 'let': {
        const v = evaluate(stmt.value, frame.env);
        if (isError(v)) {
          this.noteUnbound(stmt.name, stmt);
          return this.failed(stmt, 'ok', v.message);
        }
        frame.scope.bind(stmt.name, v);
        this.unbound.delete(stmt.name);
        return { stmt, actual: { kind: 'ok', value: v }, entered: false };
      }
      case 'expect':
        return this.expect(stmt.condition, stmt, frame);
      case 'repeat':
        return this.repeat(stmt, frame);
      case 'call':
        return this.call(stmt, frame);
      case 'include':
        return this.include(stmt, frame);
      case 'proc':
        return { stmt, actual: { kind: 'ok' }, entered: false };
    }
  }

  private noteUnbound(name: string, stmt: Stmt): void {
    this.unbound.set(name, `${name} is not bound: its statement at line ${stmt.range.start.line + 1} failed`);
  }

  /** A statement that could not be carried out: `expected ok, got error (why)`. */
  private failed(stmt: Stmt, expected: string, message: string): StepEvent {
    const actual: Actual = { kind: 'error', message };
    return { stmt, actual, entered: false, mismatch: { file: stmt.file, range: stmt.range, expected, got: 'error', reason: message } };
  }

  private command(stmt: CommandStmt, frame: Frame): StepEvent {
    const mismatch = this.runCommand(stmt, frame);
    const actual = this.lastOutcome!.actual;
    this.lastOutcome = undefined;
    return { stmt, actual, entered: false, mismatch };
  }

  /** Runs a command statement: its outcome goes to `lastOutcome`; returns its mismatch. */
  private runCommand(stmt: CommandStmt, frame: Frame): Mismatch | undefined {
    const env = frame.env;
    const out = (this.lastOutcome = executeCommand(stmt, this.machine, this.state, env));
    const expect = stmt.expect;
    // The usual statement expects plain success and binds nothing: an
    // outcome that knows it succeeded need not make its `actual` (an ioctl's).
    if (out.succeeded === true && (expect === undefined || expect.kind === 'ok') && !stmt.bind) return undefined;
    const expectedValue = expect?.kind === 'value' ? evaluate(expect.value, env) : undefined;
    if (expectedValue !== undefined && isError(expectedValue)) {
      const ev = this.failed(stmt, 'a value', `the expected value: ${expectedValue.message}`);
      this.lastOutcome = { actual: ev.actual };
      return ev.mismatch;
    }
    const actual = out.actual;
    const diff = compareOutcome(expect, expectedValue, actual);
    if (stmt.bind) {
      // A failed statement binds nothing, except the outputs the kernel writes back on failure.
      // Read only here: an ioctl's result record is built when first read (commands/ioctl.ts).
      const bound = actual.kind === 'ok' ? out.result ?? actual.value : out.result;
      if (bound !== undefined) {
        frame.scope.bind(stmt.bind.name, bound);
        this.unbound.delete(stmt.bind.name);
      } else {
        this.noteUnbound(stmt.bind.name, stmt);
      }
    }
    return diff && { file: stmt.file, range: stmt.range, ...diff };
  }

  /** `expect EXPR`: a mismatch unless non-zero; the message shows the compared values. */
  private expect(cond: Expr, stmt: Stmt, frame: Frame): StepEvent {
    const env = frame.env;
    const v = evaluate(cond, env);
    const n = asInt(v);
    if (!isError(n) && n !== 0n) return { stmt, actual: { kind: 'ok', value: v }, entered: false };
    const got = isError(n) ? 'error' : formatValue(n);
    const reason = isError(n) ? `${printExpr(cond)}: ${n.message}` : explain(cond, env);
    return {
      stmt,
      actual: isError(n) ? { kind: 'error', message: n.message } : { kind: 'ok', value: v },
      entered: false,
      mismatch: { file: stmt.file, range: stmt.range, expected: 'non-zero', got, reason },
    };
  }

  private repeat(stmt: RepeatStmt, frame: Frame): StepEvent {
    const env = frame.env;
    let first = 0n;
    let last: bigint;
    if (stmt.count) {
      const n = asInt(evaluate(stmt.count, env));
      if (isError(n)) return this.failed(stmt, 'ok', `repeat count: ${n.message}`);
      if (n === 0n) return { stmt, actual: { kind: 'ok' }, entered: false };
      first = 1n;
      last = n;
    } else {
      const a = asInt(stmt.from ? evaluate(stmt.from, env) : 0n);
      if (isError(a)) return this.failed(stmt, 'ok', `repeat start: ${a.message}`);
      const b = asInt(stmt.to ? evaluate(stmt.to, env) : 0n);
      if (isError(b)) return this.failed(stmt, 'ok', `repeat end: ${b.message}`);
      // A > B runs zero times (trace-language §7).
      if (a > b) return { stmt, actual: { kind: 'ok' }, entered: false };
      first = a;
      last = b;
    }
    const loop: LoopState = { variable: stmt.variable?.name, current: first, last };
    const label = stmt.variable
      ? `repeat ${stmt.variable.name} in ${formatValue(first)}..${formatValue(last)}`
      : `repeat ${formatValue(last)}`;
    this.push({
      kind: 'loop', name: label, file: stmt.file, stmts: stmt.body, scope: this.iterationScope(frame.scope, loop),
      procs: new Map(frame.procs), loop,
    });
    return { stmt, actual: { kind: 'ok' }, entered: true };
  }

  private call(stmt: CallStmt, frame: Frame): StepEvent {
    const proc = frame.procs.get(stmt.name);
    if (!proc) return this.failed(stmt, 'ok', `no procedure ${stmt.name} is defined here`);
    if (proc.params.length !== stmt.args.length) {
      return this.failed(stmt, 'ok', `${stmt.name} takes ${proc.params.length} arguments, not ${stmt.args.length}`);
    }
    const env = frame.env;
    // A procedure sees its parameters and the file's top-level names, not its caller's locals.
    const scope = new Scope(this.root);
    for (let i = 0; i < proc.params.length; i++) {
      const v = evaluate(stmt.args[i]!, env);
      if (isError(v)) return this.failed(stmt, 'ok', `argument ${proc.params[i]!.name}: ${v.message}`);
      scope.bind(proc.params[i]!.name, v);
    }
    this.push({ kind: 'proc', name: `proc ${proc.name}`, file: proc.file, stmts: proc.body, scope, procs: new Map(frame.procs) });
    return { stmt, actual: { kind: 'ok' }, entered: true };
  }

  /** An included file runs in the includer's scope: its names and procedures stay afterwards. */
  private include(stmt: IncludeStmt, frame: Frame): StepEvent {
    if (!stmt.program) return this.failed(stmt, 'ok', `"${stmt.path}" was not loaded`);
    if (stmt.program.statements.length === 0) return { stmt, actual: { kind: 'ok' }, entered: false };
    this.push({
      kind: 'include', name: `include "${stmt.path}"`, file: stmt.program.file, stmts: stmt.program.statements,
      scope: frame.scope, procs: frame.procs,
    });
    return { stmt, actual: { kind: 'ok' }, entered: true };
  }
}

/**
 * What an expression in a frame sees: its scopes, the declared names, the
 * constants, and why a name whose statement failed is unbound. One is made
 * per frame (and per debugger evaluation).
 */
class FrameEnv implements EvalEnv {
  constructor(
    /** Read at each lookup: a loop's frame gets a new scope every iteration. */
    private readonly frame: { readonly scope: Scope },
    private readonly declared: ReadonlyMap<string, Value>,
    private readonly unbound: ReadonlyMap<string, string>,
    private readonly machine: MachineApi,
  ) {}

  lookup(name: string): Value | undefined {
    const v = this.frame.scope.lookup(name) ?? this.declared.get(name) ?? CONSTANTS.get(name);
    // Bare words (`write`, `u32`) miss every map above: most runs have no failed binding to look for.
    if (v !== undefined || this.unbound.size === 0) return v;
    const why = this.unbound.get(name);
    return why === undefined ? undefined : error(why);
  }

  query(name: string, args: Value[]): Value {
    return runQuery(this.machine, name, args);
  }
}

/** An environment with some names (a breakpoint condition's `errno`, `kind`) in front of another's. */
class ShadowedEnv implements EvalEnv {
  constructor(
    private readonly extra: ReadonlyMap<string, Value>,
    private readonly env: EvalEnv,
  ) {}

  lookup(name: string): Value | undefined {
    return this.extra.get(name) ?? this.env.lookup(name);
  }

  query(name: string, args: Value[]): Value {
    return this.env.query(name, args);
  }
}

function hoistProcs(stmts: StatementList, into: Map<string, ProcStmt>): void {
  if (stmts.procs) {
    for (const p of stmts.procs()) into.set(p.name, p);
    return;
  }
  for (let i = 0; i < stmts.length; i++) {
    const s = stmts.at(i)!;
    if (s.kind === 'proc') into.set(s.name, s);
  }
}

function onlyProcs(stmts: StatementList): boolean {
  for (let i = 0; i < stmts.length; i++) if (stmts.at(i)!.kind !== 'proc') return false;
  return true;
}

/** Why an `expect` was zero: the expression, and for a comparison the values it compared. */
function explain(cond: Expr, env: EvalEnv): string {
  const text = printExpr(cond);
  if (cond.kind === 'binary' && ['==', '!=', '<', '<=', '>', '>='].includes(cond.op)) {
    return `${text}: ${formatValue(evaluate(cond.left, env))} ${cond.op} ${formatValue(evaluate(cond.right, env))}`;
  }
  if (cond.kind === 'unary' && cond.op === '!') return `${text}: ${printExpr(cond.operand)} is ${formatValue(evaluate(cond.operand, env))}`;
  return text;
}
