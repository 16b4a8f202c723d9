// `iotrace run` runs a file's statements as the checker finishes them,
// instead of checking the whole file and then parsing every statement again
// to run it (a loaded trace keeps only its text: language/program-text.ts).
// The run is speculative: nothing of it is seen until the check is done,
// and a file with an error does not run at all (trace-language §6), so the
// run is then dropped. It stays at most RUN_AHEAD_STEPS a checked statement
// (plus RUN_AHEAD_SLACK) ahead, so a loop cannot hold the check up for long,
// nor a file with a late error cost much more than its check. A top-level
// proc ends it: a run hoists its file's procs when it starts, so it must
// know them all; the file then runs once checked, from the start.
import type { StatementList, Stmt } from '../language/ast.js';
import { runnable, type ProgramText } from '../language/program-text.js';
import type { MachineApi } from '../engine/machine-api.js';
import { Run } from './interpreter.js';

const RUN_AHEAD_STEPS = 8;
const RUN_AHEAD_SLACK = 4096;
/** Statements kept after they are checked: those a run may still ask for again (what runs next, then running it). */
const WINDOW = 4;

export class RunAhead {
  private list: CheckedStatements | undefined;
  private run: Run | undefined;
  private gaveUp = false;

  constructor(
    private readonly file: string,
    private readonly createMachine: () => MachineApi,
    private readonly maxSteps: number,
  ) {}

  /** A top-level statement was checked (and added to `program`): run what can run. */
  checked(s: Stmt, program: ProgramText): void {
    if (this.gaveUp) return;
    if (s.kind === 'proc') {
      this.gaveUp = true;
      this.list = this.run = undefined;
      return;
    }
    const list = (this.list ??= new CheckedStatements(program));
    list.add(s);
    const run = (this.run ??= new Run({ file: this.file, statements: list }, { machine: this.createMachine() }));
    // The run looks at the statement after the one it runs (to skip procs, or to end): it must be checked already.
    const budget = Math.min(this.maxSteps, RUN_AHEAD_STEPS * list.length + RUN_AHEAD_SLACK);
    while (list.asked + 1 < list.length && run.statements < budget && run.advance());
  }

  /** The check is done, without errors: the run to go on with. */
  finish(program: ProgramText): Run {
    return this.run ?? new Run(runnable(program), { machine: this.createMachine() });
  }
}

/**
 * The file's top-level statements as far as they are checked: the last few
 * as the checker made them, older ones parsed again from the program's text
 * (a run that paused inside a loop comes back to them later).
 */
class CheckedStatements implements StatementList {
  /** A ring: statement i (of the last WINDOW added) is at i % WINDOW, so adding one moves nothing. */
  private readonly recent: Stmt[] = [];
  /** How many statements have been added. */
  private added = 0;
  /** The highest index asked for: the statement the run will run next. */
  asked = -1;

  constructor(private readonly program: ProgramText) {}

  add(s: Stmt): void {
    this.recent[this.added % WINDOW] = s;
    this.added++;
  }

  get length(): number {
    return this.program.statementCount;
  }

  at(i: number): Stmt | undefined {
    if (i > this.asked) this.asked = i;
    if (i < this.added && i >= this.added - WINDOW && i >= 0) return this.recent[i % WINDOW];
    return this.program.onDemand.at(i);
  }

  /** None: a top-level proc ends the run ahead (see the header). */
  procs(): readonly [] {
    return [];
  }
}
