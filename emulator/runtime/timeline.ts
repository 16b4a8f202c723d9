// A run that can go backwards: checkpoints (copies of the run and its
// machine, taken every `interval` statements) plus deterministic replay. To
// be at position P the timeline restores the latest checkpoint at or before P
// and steps forward from it; since a run is deterministic, the state reached
// is exactly the state that was there the first time (architecture.md).
// Checkpoints thin out (the interval doubles) so an endless loop keeps a
// bounded number of them.
import type { MachineApi } from '../engine/machine-api.js';
import type { Program } from '../language/ast.js';
import { CloneError, deepClone, reachableObjects } from './deep-clone.js';
import { Run, type StepEvent } from './interpreter.js';

export interface TimelineOptions {
  /** Statements between checkpoints at first (default 256). */
  interval?: number;
  /** Above this many checkpoints the interval doubles (default 64). */
  maxCheckpoints?: number;
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
  /** Never stepped: restoring copies it again. Absent: re-create the run from the program. */
  run?: Run;
}

export class Timeline {
  run: Run;
  private readonly shared: Set<object>;
  private checkpoints: Checkpoint[] = [];
  private interval: number;
  private readonly maxCheckpoints: number;
  /** False once a copy failed: only the start remains, by re-running the program. */
  private copies = true;

  constructor(
    private readonly program: Program,
    private readonly createMachine: () => MachineApi,
    opts: TimelineOptions = {},
  ) {
    this.interval = opts.interval ?? 256;
    this.maxCheckpoints = opts.maxCheckpoints ?? 64;
    // The AST is immutable and its identity is how statements are recognised: checkpoints share it.
    this.shared = reachableObjects(program);
    this.run = this.fresh();
    this.checkpoints.push({ position: 0 });
  }

  get position(): number {
    return this.run.statements;
  }

  /** One statement forwards, taking a checkpoint when one is due. */
  step(): StepEvent | undefined {
    const ev = this.run.step();
    if (ev && this.copies && this.position % this.interval === 0 && this.latestAtOrBefore(this.position).position !== this.position) {
      this.takeCheckpoint();
    }
    return ev;
  }

  /** Moves to `target` (clamped to the end of the program if it ends sooner). */
  seek(target: number): void {
    const cp = this.latestAtOrBefore(target);
    // Going forwards from here is cheaper than from the checkpoint when we are past it.
    if (!(this.position <= target && this.position >= cp.position)) this.restore(cp);
    while (this.position < target && this.step());
  }

  /**
   * The last position before `before` where `visitor` reports a hit, found by
   * replaying segment after segment backwards from the nearest checkpoint.
   * Leaves the run at an unspecified position: seek afterwards.
   */
  scanBack<T>(before: number, visitor: ScanVisitor<T>): { position: number; hit: T } | undefined {
    let end = before - 1;
    while (end >= 1) {
      const cp = this.latestAtOrBefore(end - 1);
      this.restore(cp);
      visitor.begin?.(this.run);
      let found: { position: number; hit: T } | undefined;
      while (this.position < end) {
        const ev = this.run.step();
        if (!ev) break;
        const hit = visitor.after(this.run, ev);
        if (hit !== undefined) found = { position: this.position, hit };
      }
      if (found) return found;
      end = cp.position;
    }
    return undefined;
  }

  private latestAtOrBefore(position: number): Checkpoint {
    let best = this.checkpoints[0]!;
    for (const cp of this.checkpoints) if (cp.position <= position && cp.position > best.position) best = cp;
    return best;
  }

  private restore(cp: Checkpoint): void {
    this.run = cp.run ? deepClone(cp.run, this.shared) : this.fresh();
  }

  private fresh(): Run {
    return new Run(this.program, { machine: this.createMachine() });
  }

  private takeCheckpoint(): void {
    try {
      this.checkpoints.push({ position: this.position, run: deepClone(this.run, this.shared) });
    } catch (e) {
      if (!(e instanceof CloneError)) throw e;
      this.copies = false;
      this.checkpoints = [{ position: 0 }];
      return;
    }
    this.checkpoints.sort((a, b) => a.position - b.position);
    if (this.checkpoints.length > this.maxCheckpoints) {
      this.interval *= 2;
      this.checkpoints = this.checkpoints.filter((c) => c.position % this.interval === 0);
    }
  }
}
