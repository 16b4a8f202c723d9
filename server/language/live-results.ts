// Live results: the document runs on a fresh engine in the background and
// each statement's actual outcome and every mismatch are recorded; inlay
// hints, hover, diagnostics and "accept the actual outcome" read them. This
// file holds the recording (shared by both ways of running) and the
// in-process runner: slices of a bounded number of statements (so no request
// waits behind a full run) with a total step budget, abandoned as soon as a
// newer text arrives. The server prefers live-worker-runner.ts, which runs the
// same steps in a worker thread bounded in memory too, and falls back to this.
import type { MachineApi } from '../../emulator/engine/machine-api.js';
import type { Range, Stmt } from '../../emulator/language/ast.js';
import { COMMANDS } from '../../emulator/language/commands.js';
import { Run } from '../../emulator/runtime/interpreter.js';
import { mismatchMessage, type Actual } from '../../emulator/runtime/outcome.js';
import { formatValue } from '../../emulator/runtime/values.js';
import type { Analysis } from './analysis.js';

export interface StatementResult {
  /** Commands get inlay hints; other statements (calls, lets) only count. */
  kind: Stmt['kind'];
  file: string;
  range: Range;
  /** The last outcome as it reads in a hint: `3`, `EBUSY`, `fault translation @ L3`. */
  shown: string;
  /** The same outcome as it would be written after `=>`. */
  outcome: string;
  reason?: string;
  /** How many times the statement ran (loops, procs). */
  count: number;
  /** For a statement that bound a new object: the object's `users` right after it. */
  users?: number;
}

export interface LiveMismatch {
  file: string;
  range: Range;
  message: string;
  /** The actual outcome, as written after `=>`. */
  actual: string;
}

export interface LiveResult {
  /** The analysis it ran: results are only shown for this exact text. */
  analysis: Analysis;
  /** By `stmtKey`: plain data, so a worker's run of the same text can fill it. */
  results: Map<string, StatementResult>;
  mismatches: LiveMismatch[];
  /** Set when the step budget ran out before the end. */
  stoppedEarly?: string;
}

export interface LiveOptions {
  createMachine: () => MachineApi;
  /** Statements per slice before yielding to pending requests. */
  sliceSteps?: number;
  /** Total statements before the run is abandoned. */
  maxSteps?: number;
  /** Runs the next slice later (default: setImmediate). */
  defer?: (fn: () => void) => void;
}

export class LiveRunner {
  private readonly running = new Map<string, { cancelled: boolean }>();

  constructor(private readonly opts: LiveOptions) {}

  /** Runs `a` (if it has no errors); `done` is called unless a newer run of the file replaces it. */
  start(a: Analysis, done: (r: LiveResult) => void): void {
    this.cancel(a.file);
    if (a.diagnostics.some((d) => d.severity === 'error')) return;
    const token = { cancelled: false };
    this.running.set(a.file, token);
    const result: LiveResult = { analysis: a, results: new Map(), mismatches: [] };
    let run: Run;
    try {
      run = new Run(a.program, { machine: this.opts.createMachine() });
    } catch (e) {
      result.stoppedEarly = `the run could not start: ${(e as Error).message}`;
      done(result);
      return;
    }
    const slice = this.opts.sliceSteps ?? 500;
    const max = this.opts.maxSteps ?? 200_000;
    const defer = this.opts.defer ?? ((fn) => setImmediate(fn));
    const step = (): void => {
      if (token.cancelled) return;
      if (runSteps(run, result, slice, max) === 'more') defer(step);
      else this.finish(a.file, token, result, done);
    };
    defer(step);
  }

  cancel(file: string): void {
    const t = this.running.get(file);
    if (t) t.cancelled = true;
    this.running.delete(file);
  }

  private finish(file: string, token: { cancelled: boolean }, result: LiveResult, done: (r: LiveResult) => void): void {
    if (this.running.get(file) === token) this.running.delete(file);
    done(result);
  }
}

/** Where a statement stands: the same text run elsewhere (a worker) gives the same key. */
export function stmtKey(stmt: { file: string; range: Range }): string {
  return `${stmt.file}:${stmt.range.start.line}:${stmt.range.start.character}`;
}

/**
 * Runs up to `count` statements of `run` into `result`; 'done' when the run
 * ended, stopped on the budget `max`, or threw (then `stoppedEarly` says why).
 * `changed` collects the keys of the statements whose results were updated.
 */
export function runSteps(run: Run, result: Omit<LiveResult, 'analysis'>, count: number, max: number, changed?: Set<string>): 'more' | 'done' {
  try {
    for (let i = 0; i < count; i++) {
      const ev = run.step();
      if (!ev) return 'done';
      const key = record(result, ev.stmt, ev.actual, run.machine);
      changed?.add(key);
      if (ev.mismatch) {
        result.mismatches.push({ file: ev.mismatch.file, range: ev.mismatch.range, message: mismatchMessage(ev.mismatch), actual: outcomeText(ev.actual) });
      }
      if (run.statements >= max) {
        result.stoppedEarly = `live results stop after ${max} statements`;
        return 'done';
      }
    }
    return 'more';
  } catch (e) {
    result.stoppedEarly = `the run stopped: ${(e as Error).message}`;
    return 'done';
  }
}

function record(result: Omit<LiveResult, 'analysis'>, stmt: Stmt, actual: Actual, machine: MachineApi): string {
  const key = stmtKey(stmt);
  const prev = result.results.get(key);
  result.results.set(key, {
    kind: stmt.kind,
    file: stmt.file,
    range: stmt.range,
    shown: shownText(actual),
    outcome: outcomeText(actual),
    reason: actual.kind === 'errno' ? actual.reason : actual.kind === 'fault' ? actual.fault.detail : undefined,
    count: (prev?.count ?? 0) + 1,
    users: objectUsers(stmt, actual, machine),
  });
  return key;
}

/** The users of the object a statement just created, on the iommufd it ran on. */
function objectUsers(stmt: Stmt, actual: Actual, machine: MachineApi): number | undefined {
  if (stmt.kind !== 'command' || !stmt.bind || actual.kind !== 'ok' || typeof actual.value !== 'bigint') return undefined;
  if (COMMANDS.get(stmt.command)?.result?.primary.type !== 'id') return undefined;
  const fd = stmt.resolved?.get('iommufd');
  try {
    return machine.users(fd?.kind === 'name' ? fd.name : 'iommufd', actual.value);
  } catch {
    // The machine refuses the id (the statement's id came from a raw override): nothing to show.
    return undefined;
  }
}

/** What `=> ...` would say to expect exactly this outcome. */
export function outcomeText(actual: Actual): string {
  switch (actual.kind) {
    case 'ok':
      return actual.value === undefined ? 'ok' : formatValue(actual.value);
    case 'errno':
      return actual.errno;
    case 'fault':
      return `fault ${actual.fault.kind}`;
    case 'error':
    case 'internal':
      return 'ok';
  }
}

function shownText(actual: Actual): string {
  switch (actual.kind) {
    case 'fault': {
      const f = actual.fault;
      return `fault ${f.kind}${f.level !== undefined ? ` @ L${f.level}` : ''}`;
    }
    case 'error':
      return `error: ${actual.message}`;
    case 'internal':
      return `internal error: ${actual.message}`;
    default:
      return outcomeText(actual);
  }
}

/** Hover's live line for a binding: the outcome of the statement that bound it, and its object's users. */
export function describeLive(result: LiveResult | undefined, a: Analysis): ((def: { stmt?: Stmt }) => string | undefined) | undefined {
  if (result?.analysis !== a) return undefined;
  return (def) => {
    const r = def.stmt ? result.results.get(stmtKey(def.stmt)) : undefined;
    if (!r) return undefined;
    const runs = r.count > 1 ? ` (last of ${r.count} runs)` : '';
    const users = r.users !== undefined ? `; its object has ${r.users} user${r.users === 1 ? '' : 's'} after this statement` : '';
    return `=> ${r.outcome}${runs}${users}`;
  };
}
