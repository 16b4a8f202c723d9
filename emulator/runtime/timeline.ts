// A run that can go backwards: checkpoints (copies of the run and its
// machine) plus deterministic replay. To be at position P the timeline
// restores the latest checkpoint at or before P and steps forward from it;
// since a run is deterministic, the state reached is exactly the state that
// was there the first time (architecture.md), wherever the checkpoints are.
//
// Where they are is a cost policy, nothing else:
// - Spacing. A copy costs about as much as the state is large, whatever the
//   run did since the last one, so the gap between checkpoints is at least
//   COPY_COST_RATIO copies' worth of stepping (the copies themselves add at
//   most 1/COPY_COST_RATIO to a run, and what they cause after about twice
//   that), and at least RUN_FRACTION of the run so far
//   (a long run takes few copies; the newest is still within that fraction
//   of the end, so going back from there replays little). Both are measured
//   in statements from timings: where checkpoints fall depends on the
//   machine's speed, the states reached never do.
// - Retention. At most `maxCheckpoints` are kept, the start (re-created from
//   the program, free) among them. Beyond, the one whose removal leaves the
//   smallest gap for its distance from the current position goes, so the
//   survivors thin out geometrically away from where the user is: stepping
//   back nearby replays little, a goto far back replays from the nearest
//   survivor. The default keeps one copy besides the start: a copy holds at
//   most the engine's whole state (its objects, and the frames written since
//   it was taken), and with gaps as long as the spacing makes them every
//   copy further back than the last holds about that much, so a second one
//   took checkpoints past twice the engine's own memory.
// - Going back from a stop. Restoring a checkpoint means copying it (it must
//   stay as it was), which alone can cost more than 1% of a short run, and
//   the newest one may be a whole gap back. So while the debugger waits at a
//   stop, prepareBack makes a spare run just before the stop, which the next
//   move back adopts: a step back replays SPARE_LAG statements and copies
//   nothing. It first moves the checkpoint up to just before the spare, and
//   copies the spare from there: the spare then shares nearly all its frames
//   with the checkpoint, and copies stay within twice the engine's memory.
// Host memory frames are shared copy-on-write between a checkpoint and the
// run (PhysMem.shareWithCopy), so a copy costs the engine's objects, not the
// memory the trace touched.
import type { MachineApi } from '../engine/machine-api.js';
import type { Program, Stmt } from '../language/ast.js';
import { ProgramText, runnable } from '../language/program-text.js';
import { CloneError, deepClone } from './deep-clone.js';
import { Run, type StepEvent } from './interpreter.js';

export interface TimelineOptions {
  /** A checkpoint every this many statements, whatever copies cost (tests: positions that do not depend on timing). */
  interval?: number;
  /** Checkpoints kept, the start included (default 2, at least 2). */
  maxCheckpoints?: number;
  /** Milliseconds, for the adaptive spacing (default performance.now). */
  clock?: () => number;
}

/** What a scan asks at each position it passes. */
export interface ScanVisitor<T> {
  /** The state a segment starts from (a data breakpoint's old value). */
  begin?(run: Run): void;
  /** After the step that reached `run.statements`: a hit, or undefined. */
  after(run: Run, ev: StepEvent): T | undefined;
}

interface Checkpoint {
  position: number;
  /** Only ever stepped by prepareBack (moving it up): restoring copies it. Absent: re-create the run from the program. */
  run?: Run;
}

/**
 * Adaptive spacing: stepping between checkpoints takes at least this many
 * times what the last copy took. The copy's own time is about a third of
 * what a checkpoint costs: after it, the run copies every shared frame it
 * writes again, and the copies it replaces are collected. So 24 keeps
 * checkpoints at about 1/8 of a run (at 4 they were more than the run itself on
 * the benchmark workload).
 */
const COPY_COST_RATIO = 24;
/** Adaptive spacing: the gap is at least this fraction of the position (time-travel from the end replays < 1%). */
const RUN_FRACTION = 1 / 256;
/** Adaptive spacing: never closer than this many statements (before any copy has been timed). */
const MIN_GAP = 64;
/**
 * How far back of a stop prepareBack's spare is: a segment of a backwards
 * scan needs at least one step, and a step back over lands on the previous
 * position, so 2 serves it.
 */
const SPARE_LAG = 2;
/** How far before the spare prepareBack moves the checkpoint it copies the spare from (see there). */
const MOVE_LAG = MIN_GAP;
/** Every SAMPLE-th step is timed, for the cost of a statement (a prime: a trace's period rarely lines up with it). */
const SAMPLE = 13;
/**
 * The timed steps are averaged over windows of this many, and a statement's
 * cost is the cheapest of the last WINDOWS_KEPT windows' averages: a
 * collection or a burst of copy-on-write frame copies inflates the window it
 * falls in, and counting it would make statements look dearer, checkpoints
 * closer, and so bring more such collections and copies (a running average
 * over the run came out at 2.5x a plain run's rate on the benchmark).
 */
const WINDOW = 32;
const WINDOWS_KEPT = 8;

export class Timeline {
  run: Run;
  private readonly shared: Set<object>;
  /** Sorted by position; [0] is the start. */
  private checkpoints: Checkpoint[] = [];
  /** Index of the latest checkpoint at or before the run's position. */
  private base = 0;
  private readonly interval: number | undefined;
  private readonly maxCheckpoints: number;
  private readonly clock: () => number;
  /** False once a copy failed: only the start remains, by re-running the program. */
  private copies = true;
  /** Milliseconds the last few checkpoints' copies took (the least is the cost: a collection during one only inflates it). */
  private copyMs: number[] = [];
  /** Milliseconds per statement in the last few windows of timed steps, and the current window's total. */
  private windowRates: number[] = [];
  private windowMs = 0;
  private windowSteps = 0;
  private steps = 0;
  /** A run a little before a stop, made while the debugger waited (prepareBack). */
  private spare?: Run;

  constructor(
    private readonly program: Program,
    private readonly createMachine: () => MachineApi,
    opts: TimelineOptions = {},
  ) {
    this.interval = opts.interval;
    this.maxCheckpoints = Math.max(2, opts.maxCheckpoints ?? 2);
    this.clock = opts.clock ?? (() => performance.now());
    this.shared = statementNodes(program);
    this.run = this.fresh();
    this.checkpoints.push({ position: 0 });
  }

  get position(): number {
    return this.run.statements;
  }

  /** The positions of the checkpoints kept, ascending (the start included). */
  get checkpointPositions(): number[] {
    return this.checkpoints.map((c) => c.position);
  }

  /** One statement forwards, taking a checkpoint when one is due. */
  step(): StepEvent | undefined {
    const timed = ++this.steps % SAMPLE === 0;
    const t0 = timed ? this.clock() : 0;
    const ev = this.run.step();
    if (timed) this.sampled(this.clock() - t0);
    if (ev) this.arrived();
    return ev;
  }

  private sampled(ms: number): void {
    this.windowMs += ms;
    if (++this.windowSteps < WINDOW) return;
    this.windowRates = [...this.windowRates.slice(1 - WINDOWS_KEPT), this.windowMs / WINDOW];
    this.windowMs = 0;
    this.windowSteps = 0;
  }

  /** Moves to `target` (clamped to the end of the program if it ends sooner). */
  seek(target: number): void {
    this.rewind(target);
    while (this.position < target && this.step());
  }

  /**
   * While the debugger waits at a stop: a copy of the run SPARE_LAG
   * statements back, which the next move back adopts instead of copying a
   * checkpoint (a whole copy of the engine's objects) and replaying up to a
   * gap from it, so stepping back costs SPARE_LAG statements. The copy and
   * replay are the same work, done before the user asks.
   */
  prepareBack(): void {
    const at = this.position - SPARE_LAG;
    if (!this.copies || at < 1) return;
    const cp = this.checkpoints[this.latestAtOrBefore(at)]!;
    // After stepping forwards the spare only has to follow (no copy): forward stepping stays cheap.
    const follow = this.spare !== undefined && this.spare.statements <= at && this.spare.statements >= cp.position;
    // No more replay than between two checkpoints: the next command waits for all of it.
    if (at - (follow ? this.spare!.statements : cp.position) > this.gap()) return;
    if (follow || !cp.run) {
      const run = follow ? this.spare! : this.fresh();
      while (run.statements < at && run.step());
      this.spare = run;
      return;
    }
    // The checkpoint itself moves up to MOVE_LAG before `at` and the spare is
    // copied from it there: the frames written on the way are then held once
    // besides the run's, where a spare copied first and stepped after held a
    // second copy of them (a whole engine's worth past a long gap). The lag
    // keeps the next few step backs' spares within reach of it.
    const to = at - MOVE_LAG;
    while (cp.run.statements < to && cp.run.step());
    cp.position = cp.run.statements;
    const run = deepClone(cp.run, this.shared);
    while (run.statements < at && run.step());
    this.spare = run;
  }

  /**
   * The last position before `before` where `visitor` reports a hit, found by
   * replaying segment after segment backwards from the nearest checkpoint.
   * Leaves the run at an unspecified position: seek afterwards.
   */
  scanBack<T>(before: number, visitor: ScanVisitor<T>): { position: number; hit: T } | undefined {
    let end = before - 1;
    while (end >= 1) {
      this.rewind(end - 1);
      // Wherever the segment starts (a checkpoint, the spare, the run itself), the next one ends there.
      const from = this.position;
      visitor.begin?.(this.run);
      let found: { position: number; hit: T } | undefined;
      while (this.position < end) {
        const ev = this.step();
        if (!ev) break;
        const hit = visitor.after(this.run, ev);
        if (hit !== undefined) found = { position: this.position, hit };
      }
      if (found) return found;
      end = from;
    }
    return undefined;
  }

  /**
   * Puts the run at the latest state it has at or before `at`: where it is
   * already (when that is no earlier than the checkpoint before `at`), else
   * the spare (adopted: it is used once) when no earlier than that
   * checkpoint, else a copy of that checkpoint.
   */
  private rewind(at: number): void {
    const i = this.latestAtOrBefore(at);
    const from = this.checkpoints[i]!.position;
    if (this.position <= at && this.position >= from) return;
    const spare = this.spare;
    if (spare && spare.statements <= at && spare.statements >= from) {
      this.spare = undefined;
      this.run = spare;
      this.base = i;
      return;
    }
    this.restore(i);
  }

  private latestAtOrBefore(position: number): number {
    let i = this.checkpoints.length - 1;
    while (i > 0 && this.checkpoints[i]!.position > position) i--;
    return i;
  }

  /** After a step forwards: past a checkpoint kept from before, or time for a new one. */
  private arrived(): void {
    const p = this.position;
    const next = this.checkpoints[this.base + 1];
    if (next && next.position <= p) {
      this.base++;
      return;
    }
    if (this.copies && p - this.checkpoints[this.base]!.position >= this.gap()) this.takeCheckpoint();
  }

  /** Statements due between checkpoints now (see the header). */
  private gap(): number {
    if (this.interval !== undefined) return this.interval;
    const msPerStatement = this.windowRates.length > 0 ? Math.min(...this.windowRates) : 0;
    const copyMs = this.copyMs.length > 0 ? Math.min(...this.copyMs) : 0;
    const copyWorth = msPerStatement > 0 ? (COPY_COST_RATIO * copyMs) / msPerStatement : 0;
    return Math.max(MIN_GAP, copyWorth, this.position * RUN_FRACTION);
  }

  private restore(i: number): void {
    const cp = this.checkpoints[i]!;
    this.run = cp.run ? deepClone(cp.run, this.shared) : this.fresh();
    this.base = i;
  }

  private fresh(): Run {
    return new Run(runnable(this.program), { machine: this.createMachine() });
  }

  private takeCheckpoint(): void {
    const t0 = this.clock();
    let run: Run;
    try {
      run = deepClone(this.run, this.shared);
    } catch (e) {
      if (!(e instanceof CloneError)) throw e;
      this.copies = false;
      this.checkpoints = [this.checkpoints[0]!];
      this.base = 0;
      return;
    }
    this.copyMs = [...this.copyMs.slice(-2), this.clock() - t0];
    this.checkpoints.splice(++this.base, 0, { position: this.position, run });
    if (this.checkpoints.length > this.maxCheckpoints) this.thin();
  }

  /**
   * Drops one checkpoint, neither the start nor the one the run is past:
   * the one whose removal leaves the smallest gap for its distance from
   * here, so what remains is dense nearby and sparse far away.
   */
  private thin(): void {
    const cps = this.checkpoints;
    const here = this.position;
    let drop = -1;
    let best = Infinity;
    for (let i = 1; i < cps.length; i++) {
      if (i === this.base) continue;
      const gap = (cps[i + 1]?.position ?? Math.max(here, cps[i]!.position)) - cps[i - 1]!.position;
      const score = gap / (Math.abs(here - cps[i]!.position) + 1);
      if (score < best) {
        best = score;
        drop = i;
      }
    }
    cps.splice(drop, 1);
    if (drop < this.base) this.base--;
  }
}

/**
 * What checkpoints share with the run instead of copying: the program's
 * statements and statement lists. They never change; the rest of the AST
 * (expressions, ranges) is reached only through them. Collecting these
 * rather than every AST node keeps starting a session on a large trace
 * cheap (a walk of the whole AST took seconds at 20k statements).
 */
function statementNodes(program: Program, into = new Set<object>()): Set<object> {
  into.add(program);
  if (program instanceof ProgramText) {
    // A run parses its statements as it reaches them (they are fresh objects, and few are alive at once):
    // shared are the list it reads them from, the program behind it, and the included programs' trees.
    into.add(program.onDemand);
    for (const p of program.includedPrograms()) if (!into.has(p)) statementNodes(p, into);
    return into;
  }
  const visit = (stmts: Stmt[]): void => {
    into.add(stmts);
    for (const s of stmts) {
      into.add(s);
      if (s.kind === 'repeat' || s.kind === 'proc') visit(s.body);
      else if (s.kind === 'include' && s.program && !into.has(s.program)) statementNodes(s.program, into);
    }
  };
  visit(program.statements);
  return into;
}
