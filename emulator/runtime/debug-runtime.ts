// A run under a debugger's control, knowing nothing of any protocol (the DAP
// session translates): continue, step over/in/out, pause, and going back
// (step back, reverse continue, goto) over a Timeline. Forward execution runs
// in slices that yield to the event loop, so a pause request is seen within
// one slice even in an endless loop. Emits:
//   'stopped' (Stop), 'output' (Output), 'end' (the run's mismatches),
//   'progress' (statements run so far) every PROGRESS_SLICES slices of a long run.
import { EventEmitter } from 'node:events';
import type { MachineApi, WalkStep } from '../engine/machine-api.js';
import type { Position, Program, Stmt } from '../language/ast.js';
import { Breakpoints, type Hit, type LogLine } from './breakpoints.js';
import { dmaTarget, type DmaTarget } from './dma-target.js';
import type { Run, StepEvent } from './interpreter.js';
import { mismatchMessage, type Actual } from './outcome.js';
import { Timeline, type TimelineOptions } from './timeline.js';

export interface Stop {
  reason: 'entry' | 'step' | 'pause' | 'goto' | Hit['reason'];
  hit?: Hit;
}

export interface Output {
  text: string;
  category: 'console' | 'stdout' | 'stderr';
  /** Where it comes from (a mismatch's statement, a logpoint). */
  stmt?: { file: string; line: number; column: number };
}

/** The last `dma` statement up to the current position: what it asked, what came of it, the walk. */
export interface LastDma extends DmaTarget {
  stmt: Stmt;
  outcome: Actual;
  /** The table walk for that IOVA as the machine stood right after the access. */
  walk: WalkStep[] | string;
}

/** Statements per slice before yielding to the event loop. */
const SLICE = 2000;
/** A run this many slices long reports progress (then again every as many). */
const PROGRESS_SLICES = 25;

export class DebugRuntime extends EventEmitter {
  readonly timeline: Timeline;
  readonly breakpoints = new Breakpoints();
  lastStop?: Stop;
  /** The furthest position ever reached: mismatches are reported once, the first time through. */
  private highWater = 0;
  /** Bumped by every command: a running slice loop whose token is stale stops silently. */
  private token = 0;
  private pauseRequested = false;

  constructor(program: Program, createMachine: () => MachineApi, opts?: TimelineOptions) {
    super();
    this.timeline = new Timeline(program, createMachine, opts);
  }

  get run(): Run {
    return this.timeline.run;
  }

  start(stopOnEntry: boolean): void {
    const hit = stopOnEntry ? undefined : this.breakpoints.atStart(this.run, (l) => this.emitOutput(l.text, 'console', l.stmt));
    if (stopOnEntry) this.stop({ reason: 'entry' });
    else if (hit) this.stop({ reason: hit.reason, hit });
    else this.continue();
  }

  continue(): void {
    this.forward(() => false);
  }

  stepIn(): void {
    this.forward(() => true);
  }

  /** Over: the next statement at this depth or shallower (a loop or call runs to its end). */
  next(): void {
    const depth = this.run.depth;
    this.forward((run) => run.depth <= depth);
  }

  stepOut(): void {
    const depth = this.run.depth;
    this.forward((run) => run.depth < depth);
  }

  pause(): void {
    this.pauseRequested = true;
  }

  /** Cancels whatever runs (disconnect, restart). */
  cancel(): void {
    this.token++;
  }

  /** Back over: the previous position at this depth or shallower, else the start. */
  stepBack(): void {
    const depth = this.run.depth;
    this.back({ after: (run) => (run.depth <= depth ? { reason: 'step' } : undefined) });
  }

  /** Back to the last position where a breakpoint would have stopped, else the start. */
  reverseContinue(): void {
    const bps = this.breakpoints;
    this.countHits();
    this.back({
      begin: (run) => bps.begin(run),
      after: (run, ev) => {
        const hit = bps.after(run, ev, false, () => {});
        return hit && { reason: hit.reason, hit };
      },
    });
  }

  /**
   * To the last time the statement at `place` was about to run (now and the
   * start included), or else the next time it will. A statement is known by
   * where it starts: a run parses a large file's statements as it reaches
   * them (language/program-text.ts), so the same statement may be another
   * object each time.
   */
  goto(place: StatementPlace): void {
    this.token++;
    const here = this.timeline.position;
    const at = (run: Run): boolean => isAt(run.nextStatement(), place);
    // scanBack leaves the run anywhere, and never looks at position 0 (no step reaches it): both are checked here.
    const found = this.timeline.scanBack(here + 1, { after: (run) => (at(run) ? true : undefined) });
    if (found || this.atStart(at)) {
      this.timeline.seek(found?.position ?? 0);
      this.breakpoints.begin(this.run);
      this.stop({ reason: 'goto' });
      return;
    }
    this.timeline.seek(here);
    this.forward(at, 'goto', false);
  }

  /** Found by replaying up to here, so it is right after going back too. */
  lastDma(): LastDma | undefined {
    const here = this.timeline.position;
    const found = this.timeline.scanBack(here + 1, { after: dmaOf });
    this.timeline.seek(here);
    return found?.hit;
  }

  /**
   * Brings every hit-counted breakpoint's ledger up to the current position
   * by replaying the positions it has not seen (a breakpoint set late, or
   * positions passed by goto or seek, which do not count); the run ends where
   * it was, in the same state, as replay is deterministic.
   */
  private countHits(): void {
    const here = this.timeline.position;
    const from = this.breakpoints.countedUpTo() + 1;
    if (from > here) return;
    this.timeline.seek(from);
    this.breakpoints.count(this.run);
    while (this.timeline.position < here && this.timeline.step()) this.breakpoints.count(this.run);
  }

  private atStart(at: (run: Run) => boolean): boolean {
    this.timeline.seek(0);
    return at(this.run);
  }

  private back(visitor: Parameters<Timeline['scanBack']>[1] & { after: (run: Run, ev: StepEvent) => Stop | undefined }): void {
    this.token++;
    const found = this.timeline.scanBack(this.timeline.position, visitor);
    this.timeline.seek(found?.position ?? 0);
    this.breakpoints.begin(this.run);
    this.stop(found?.hit ?? { reason: 'entry' });
  }

  /**
   * Runs forwards until `done` says so, a breakpoint hits (unless
   * `breakpoints` is false), a pause is requested, or the program ends.
   */
  private forward(done: (run: Run, ev: StepEvent) => boolean, reason: Stop['reason'] = 'step', breakpoints = true): void {
    const token = ++this.token;
    this.pauseRequested = false;
    if (breakpoints) this.countHits();
    this.breakpoints.begin(this.run);
    let slices = 0;
    const log = (l: LogLine): void => this.emitOutput(l.text, 'console', l.stmt);
    const slice = (): void => {
      if (token !== this.token) return;
      if (++slices % PROGRESS_SLICES === 0) this.emit('progress', this.run.statements);
      if (this.pauseRequested) return this.stop({ reason: 'pause' });
      for (let i = 0; i < SLICE; i++) {
        const ev = this.timeline.step();
        if (!ev) return this.end();
        this.report(ev);
        const hit = breakpoints ? this.breakpoints.after(this.run, ev, true, log) : undefined;
        if (this.run.done) return this.end();
        if (hit) return this.stop({ reason: hit.reason, hit });
        if (done(this.run, ev)) return this.stop({ reason });
      }
      setImmediate(slice);
    };
    setImmediate(slice);
  }

  /** A mismatch, the first time the run passes it. */
  private report(ev: StepEvent): void {
    if (this.timeline.position <= this.highWater) return;
    this.highWater = this.timeline.position;
    if (ev.mismatch) this.emitOutput(mismatchMessage(ev.mismatch), 'stderr', ev.stmt);
  }

  private emitOutput(text: string, category: Output['category'], stmt?: Stmt): void {
    const out: Output = { text, category };
    if (stmt) out.stmt = { file: stmt.file, line: stmt.range.start.line, column: stmt.range.start.character };
    this.emit('output', out);
  }

  private stop(s: Stop): void {
    this.token++;
    this.lastStop = s;
    this.emit('stopped', s);
    this.whileStopped();
  }

  private end(): void {
    this.token++;
    this.emit('end', this.run.mismatches);
    this.whileStopped();
  }

  /**
   * Once the stop has been reported, the timeline prepares for going back
   * from here while the user looks at it, unless another command came in
   * the meantime (a command never waits for more than one such step).
   */
  private whileStopped(): void {
    const token = this.token;
    setImmediate(() => {
      if (token === this.token) this.timeline.prepareBack();
    });
  }
}

function dmaOf(run: Run, ev: StepEvent): LastDma | undefined {
  const t = dmaTarget(run, ev.stmt);
  if (!t) return undefined;
  let walk: LastDma['walk'];
  try {
    walk = run.machine.walk(t.device, t.iova, t.pasid);
  } catch (e) {
    walk = e instanceof Error ? e.message : String(e);
  }
  return { stmt: ev.stmt, ...t, outcome: ev.actual, walk };
}

/** Where a statement starts: enough to know it again (a Stmt is one). */
export interface StatementPlace {
  file: string;
  range: { start: Position };
}

function isAt(stmt: Stmt | undefined, place: StatementPlace): boolean {
  return stmt !== undefined && stmt.file === place.file && stmt.range.start.line === place.range.start.line && stmt.range.start.character === place.range.start.character;
}
