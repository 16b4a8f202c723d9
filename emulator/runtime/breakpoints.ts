// Where a debugged run stops by itself: line breakpoints (with conditions in
// the trace's expression language, hit counts and logpoints), function
// breakpoints on a command or a procedure, exception breakpoints (a
// mismatch, an errno, a DMA fault) and data breakpoints (a watched value
// changed). Checked after every step, forwards and in backward scans.
import { ERRNO } from '../engine/errno.js';
import type { Expr, Stmt } from '../language/ast.js';
import type { Run, StepEvent } from './interpreter.js';
import { mismatchMessage } from './outcome.js';
import { dmaTarget } from './dma-target.js';
import { parseExpression } from './parse-expression.js';
import { printExpr } from './print-expr.js';
import { formatValue, isError, asInt, str, symbol, u64, type Value } from './values.js';

export interface LineBreakpoint {
  id: number;
  file: string;
  /** 0-based line of the statement it is on. */
  line: number;
  condition?: Expr;
  /** Stops on the Nth hit and after (DAP hitCondition `N`, `>= N`, `% N` for every Nth). */
  hit?: { op: '>=' | '%'; n: number };
  /** Logpoint: text and `{expr}` parts; it prints instead of stopping. */
  log?: (string | Expr)[];
}

/**
 * The hits of a hit-counted breakpoint: every position, from the start of
 * the trace, where its statement was next with its condition true. A hit's
 * number is a property of its position, not of how the debugger got there,
 * so forwards, backwards and after a goto the Nth hit is the same place.
 */
interface HitLedger {
  /** The last position whose hit is known (-1: none yet). */
  upTo: number;
  /** Positions of the hits, ascending. */
  positions: number[];
}

export interface FunctionBreakpoint {
  id: number;
  name: string;
  condition?: Expr;
}

export type ExceptionFilter = 'mismatch' | 'errno' | 'fault' | 'stale';

export interface DataBreakpoint {
  id: number;
  /** What `read` watches, for messages. */
  description: string;
  read: (run: Run) => string;
}

/** Why a run stopped by itself. */
export interface Hit {
  reason: 'breakpoint' | 'function breakpoint' | 'exception' | 'data breakpoint';
  ids: number[];
  /** Shown in the UI next to the stop. */
  text: string;
  /** For exceptions: the filter and the failure in the kernel's words. */
  exception?: { filter: ExceptionFilter; description: string; stmt: Stmt };
}

export interface LogLine {
  text: string;
  stmt: Stmt;
}

export class Breakpoints {
  /**
   * Line breakpoints by file, then line: lineHit looks here after every
   * step, so breakpoints on other lines cost one lookup, not a scan.
   */
  private byLine = new Map<string, Map<number, LineBreakpoint[]>>();
  /** The hit-counted ones, whose ledgers count() extends at every position. */
  private counted: LineBreakpoint[] = [];
  /** By file, line and condition text: setting a file's breakpoints again keeps the counts of unchanged ones. */
  private ledgers = new Map<string, HitLedger>();
  private functions: FunctionBreakpoint[] = [];
  private exceptions = new Map<ExceptionFilter, Expr | undefined>();
  private data: DataBreakpoint[] = [];
  /** The watched values at the last position checked. */
  private dataValues: string[] = [];
  /** Each device's stale-IOTLB record at the last position checked: a new record is a new stale hit. */
  private staleRecords = new Map<string, object | undefined>();
  private nextId = 1;

  allocateId(): number {
    return this.nextId++;
  }

  setLines(file: string, bps: LineBreakpoint[]): void {
    const byLine = new Map<number, LineBreakpoint[]>();
    for (const bp of bps) {
      const at = byLine.get(bp.line);
      if (at) at.push(bp);
      else byLine.set(bp.line, [bp]);
    }
    this.byLine.set(file, byLine);
    this.counted = [...this.byLine.values()].flatMap((lines) => [...lines.values()].flat()).filter((bp) => bp.hit);
  }

  /** The last position every hit-counted breakpoint has counted (the shortest ledger's end; Infinity: none is hit-counted). */
  countedUpTo(): number {
    let low = Infinity;
    for (const bp of this.counted) low = Math.min(low, this.ledger(bp).upTo);
    return low;
  }

  /**
   * Records the hits at the run's position, for the breakpoints whose ledger
   * ends just before it. Called at every position a forward run passes
   * (after() does it), and by the runtime's catch-up replay.
   */
  count(run: Run): void {
    if (this.counted.length === 0) return;
    const p = run.statements;
    const next = run.nextStatement();
    for (const bp of this.counted) {
      const l = this.ledger(bp);
      if (l.upTo !== p - 1) continue;
      l.upTo = p;
      if (next && next.file === bp.file && next.range.start.line === bp.line && (!bp.condition || truthy(run.evaluate(bp.condition)))) l.positions.push(p);
    }
  }

  private ledger(bp: LineBreakpoint): HitLedger {
    const key = `${bp.file}:${bp.line}:${bp.condition ? printExpr(bp.condition) : ''}`;
    let l = this.ledgers.get(key);
    if (!l) this.ledgers.set(key, (l = { upTo: -1, positions: [] }));
    return l;
  }

  /** The number of the hit at `position` (1 = the first), counting from the start of the trace. */
  private hitNumber(bp: LineBreakpoint, position: number): number {
    const ps = this.ledger(bp).positions;
    let lo = 0;
    let hi = ps.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ps[mid]! <= position) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  setFunctions(bps: FunctionBreakpoint[]): void {
    this.functions = bps;
  }

  setExceptions(filters: Map<ExceptionFilter, Expr | undefined>): void {
    this.exceptions = filters;
  }

  setData(bps: DataBreakpoint[], run: Run): void {
    this.data = bps;
    this.begin(run);
  }

  /** Records the watched values at the position a scan or a run starts from. */
  begin(run: Run): void {
    this.dataValues = this.data.map((d) => d.read(run));
    this.staleRecords.clear();
    for (const [name, v] of run.state.declared) {
      if (typeof v !== 'bigint' && v.kind === 'symbol' && v.of === 'device') this.staleRecords.set(name, run.machine.lastStaleHit?.(name));
    }
  }

  /**
   * A DMA that used a stale IOTLB entry: it succeeded, so only the device's
   * record says so, and only a record newer than the last position's counts.
   */
  private staleHit(run: Run, ev: StepEvent): { description: string; bindings: Map<string, Value> } | undefined {
    const t = dmaTarget(run, ev.stmt);
    if (!t) return undefined;
    const before = this.staleRecords.get(t.device);
    const now = run.machine.lastStaleHit?.(t.device);
    this.staleRecords.set(t.device, now);
    if (!now || now === before) return undefined;
    const b = new Map<string, Value>([['iova', now.iova], ['pa', now.pa], ['device', symbol(t.device, 'device')]]);
    return { description: `stale IOTLB hit: ${now.message}`, bindings: b };
  }

  /**
   * After a step: the hit it causes, if any. Going forwards (`forward`)
   * counts hits and prints logpoints through `log`; a backward scan only
   * asks whether the position would stop.
   */
  after(run: Run, ev: StepEvent, forward: boolean, log: (l: LogLine) => void): Hit | undefined {
    if (forward) this.count(run);
    return this.exception(run, ev) ?? this.dataChange(run) ?? this.functionHit(run, ev) ?? this.lineHit(run, forward, log);
  }

  /** At the start of a run (nothing stepped yet): a breakpoint on the first statement. */
  atStart(run: Run, log: (l: LogLine) => void): Hit | undefined {
    this.count(run);
    return this.lineHit(run, true, log);
  }

  private exception(run: Run, ev: StepEvent): Hit | undefined {
    for (const [filter, condition] of this.exceptions) {
      const found = filter === 'stale' ? this.staleHit(run, ev) : failureOf(filter, ev);
      if (!found) continue;
      if (condition && !truthy(run.evaluate(condition, 0, found.bindings))) continue;
      return { reason: 'exception', ids: [], text: found.description, exception: { filter, description: found.description, stmt: ev.stmt } };
    }
    return undefined;
  }

  private dataChange(run: Run): Hit | undefined {
    if (this.data.length === 0) return undefined;
    const now = this.data.map((d) => d.read(run));
    const changed = this.data.filter((_d, i) => now[i] !== this.dataValues[i]);
    const before = this.dataValues;
    this.dataValues = now;
    if (changed.length === 0) return undefined;
    const text = changed.map((d) => `${d.description}: ${before[this.data.indexOf(d)]} -> ${now[this.data.indexOf(d)]}`).join('; ');
    return { reason: 'data breakpoint', ids: changed.map((d) => d.id), text };
  }

  private functionHit(run: Run, ev: StepEvent): Hit | undefined {
    const next = run.nextStatement();
    const ids: number[] = [];
    for (const fb of this.functions) {
      // A command stops before it runs; a procedure once its frame is open, at its first statement.
      const atCommand = next?.kind === 'command' && next.command === fb.name;
      const enteredProc = ev.stmt.kind === 'call' && ev.entered && ev.stmt.name === fb.name;
      if ((atCommand || enteredProc) && (!fb.condition || truthy(run.evaluate(fb.condition)))) ids.push(fb.id);
    }
    return ids.length > 0 ? { reason: 'function breakpoint', ids, text: this.functions.filter((f) => ids.includes(f.id)).map((f) => f.name).join(', ') } : undefined;
  }

  private lineHit(run: Run, forward: boolean, log: (l: LogLine) => void): Hit | undefined {
    const next = run.nextStatement();
    if (!next) return undefined;
    const ids: number[] = [];
    const here = this.byLine.get(next.file)?.get(next.range.start.line);
    if (!here) return undefined;
    for (const bp of here) {
      if (bp.condition && !truthy(run.evaluate(bp.condition))) continue;
      if (bp.hit) {
        // The ledger covers this position: forwards count() just ran, backwards the runtime caught up first.
        const n = this.hitNumber(bp, run.statements);
        if (bp.hit.op === '>=' ? n < bp.hit.n : n % bp.hit.n !== 0) continue;
      }
      if (bp.log) {
        if (forward) log({ text: interpolate(bp.log, run), stmt: next });
        continue;
      }
      ids.push(bp.id);
    }
    return ids.length > 0 ? { reason: 'breakpoint', ids, text: `line ${next.range.start.line + 1}` } : undefined;
  }
}

function truthy(v: Value): boolean {
  const n = asInt(v);
  return !isError(n) && n !== 0n;
}

/** A failure of the kind `filter` catches in the step, with the names its condition may use. */
function failureOf(filter: Exclude<ExceptionFilter, 'stale'>, ev: StepEvent): { description: string; bindings: Map<string, Value> } | undefined {
  const a = ev.actual;
  const b = new Map<string, Value>();
  switch (filter) {
    case 'mismatch':
      if (!ev.mismatch) return undefined;
      b.set('expected', str(ev.mismatch.expected)).set('got', str(ev.mismatch.got));
      return { description: `mismatch: ${mismatchMessage(ev.mismatch)}`, bindings: b };
    case 'errno':
      if (a.kind !== 'errno') return undefined;
      // `errno == EBUSY`: every errno name is a constant in the condition.
      for (const name of Object.keys(ERRNO)) b.set(name, symbol(name, 'constant'));
      b.set('errno', symbol(a.errno, 'constant')).set('reason', str(a.reason));
      return { description: `${a.errno}: ${a.reason}`, bindings: b };
    case 'fault': {
      if (a.kind !== 'fault') return undefined;
      const f = a.fault;
      b.set('kind', str(f.kind)).set('addr', u64(f.addr)).set('write', f.write ? 1n : 0n).set('detail', str(f.detail));
      if (f.level !== undefined) b.set('level', BigInt(f.level));
      if (f.pasid !== undefined) b.set('pasid', BigInt(f.pasid));
      return { description: `DMA fault ${f.kind} at ${formatValue(f.addr)} (${f.write ? 'write' : 'read'}): ${f.detail}`, bindings: b };
    }
  }
}

/** Parses a logpoint message: text with `{expr}` parts. */
export function parseLogMessage(text: string): (string | Expr)[] | { error: string } {
  const parts: (string | Expr)[] = [];
  const re = /\{([^}]*)\}/g;
  let last = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    parts.push(text.slice(last, m.index));
    const p = parseExpression(m[1]!);
    if (!p.ok) return { error: `{${m[1]}}: ${p.message}` };
    parts.push(p.expr);
    last = m.index + m[0].length;
  }
  parts.push(text.slice(last));
  return parts.filter((p) => p !== '');
}

function interpolate(parts: (string | Expr)[], run: Run): string {
  return parts.map((p) => (typeof p === 'string' ? p : formatValue(run.evaluate(p)))).join('');
}

/** DAP hitCondition text: `N` or `>= N` (from the Nth hit on), `% N` (every Nth). */
export function parseHitCondition(text: string): LineBreakpoint['hit'] | { error: string } {
  const m = /^\s*(>=|%)?\s*(\d+)\s*$/.exec(text);
  if (!m) return { error: `hit count "${text}" is not N, >= N or % N` };
  return { op: m[1] === '%' ? '%' : '>=', n: Number(m[2]) };
}
