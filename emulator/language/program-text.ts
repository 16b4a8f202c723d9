// A checked file kept as its text plus where each top-level statement starts
// (two 32-bit numbers a statement) rather than as a tree: the tree of a
// loaded trace is ~1.6 KB a statement, its text ~40 bytes. A statement is
// parsed again when asked for, and what the checker wrote into it (each
// command's `resolved`, an include's program) is written again.
import type { Program, ProcStmt, StatementList, Stmt } from './ast.js';
import { checkCommandArgs } from './check-command.js';
import { StatementReader } from './parser.js';

export class ProgramText implements Program {
  /** Where each statement starts: source offset and 0-based line (sized in the constructor, grown if needed). */
  private starts: Int32Array;
  private lines: Int32Array;
  private count = 0;
  private readonly procIndexes: number[] = [];
  /** The checked program of each top-level include, by statement index (undefined where it could not be loaded). */
  private readonly includes = new Map<number, Program | undefined>();
  private all: Stmt[] | undefined;
  private reader: StatementReader | undefined;
  /** The statement the reader read last. */
  private readerAt = -2;
  /** The statement parsed last: a run asks for the same one twice (what runs next, then running it). */
  private lastIndex = -1;
  private last: Stmt | undefined;

  constructor(
    readonly file: string,
    private readonly text: string,
  ) {
    // A statement every 32 characters: a large file rarely grows (copies) them.
    const guess = Math.max(16, text.length >> 5);
    this.starts = new Int32Array(guess);
    this.lines = new Int32Array(guess);
  }

  /** Notes the next top-level statement, checked, which starts at source `offset` on 0-based `line`. */
  add(s: Stmt, offset: number, line: number): void {
    const i = this.count++;
    if (i === this.starts.length) {
      this.starts = grow(this.starts);
      this.lines = grow(this.lines);
    }
    this.starts[i] = offset;
    this.lines[i] = line;
    if (s.kind === 'proc') this.procIndexes.push(i);
    else if (s.kind === 'include') this.includes.set(i, s.program);
  }

  /**
   * Every statement has been added. The tables are cut to length without a
   * copy (copying them was ~2% of a check): what they keep beyond is at
   * most what they grew by, a few bytes a statement.
   */
  seal(): void {
    this.starts = this.starts.subarray(0, this.count);
    this.lines = this.lines.subarray(0, this.count);
  }

  get statementCount(): number {
    return this.count;
  }

  /** The `i`th top-level statement (0-based), as the checker saw it. */
  statementAt(i: number): Stmt {
    if (this.all) return this.all[i]!;
    if (i !== this.lastIndex) {
      this.last = this.parseAt(i);
      this.lastIndex = i;
    }
    return this.last!;
  }

  /**
   * Every top-level statement, parsed once and then kept: for what walks the
   * whole tree (the debugger's breakpoint lines and goto targets, tests).
   * A run reads `onDemand` instead.
   */
  get statements(): Stmt[] {
    return (this.all ??= Array.from({ length: this.count }, (_, i) => this.parseAt(i)));
  }

  /** The programs of the file's top-level includes that could be loaded. */
  includedPrograms(): Program[] {
    return [...this.includes.values()].filter((p) => p !== undefined);
  }

  /** The top-level procs (a run hoists them before it starts). */
  procs(): ProcStmt[] {
    return this.procIndexes.map((i) => this.statementAt(i) as ProcStmt);
  }

  /** The statements for a run: parsed one at a time as it reaches them, none kept. */
  readonly onDemand: StatementList = new OnDemandStatements(this);

  private parseAt(i: number): Stmt {
    if (i < 0 || i >= this.count) throw new RangeError(`${this.file} has ${this.count} statements, not ${i + 1}`);
    const reader = (this.reader ??= new StatementReader(this.file, this.text));
    // A run asks for statements in order: the reader then goes on from the last one rather than seeking.
    let s = i === this.readerAt + 1 ? reader.next() : undefined;
    if (!s || reader.offset !== this.starts[i]) s = reader.at(this.starts[i]!, this.lines[i]!);
    this.readerAt = i;
    if (!s) throw new Error(`statement ${i + 1} of ${this.file} no longer parses`);
    annotate(s);
    // The checker loads a top-level include (and records `undefined` when it cannot); a nested one is an error it leaves alone.
    if (s.kind === 'include') s.program = this.includes.get(i);
    return s;
  }
}

class OnDemandStatements implements StatementList {
  constructor(private readonly program: ProgramText) {}

  get length(): number {
    return this.program.statementCount;
  }

  at(i: number): Stmt | undefined {
    return i >= 0 && i < this.program.statementCount ? this.program.statementAt(i) : undefined;
  }

  procs(): readonly ProcStmt[] {
    return this.program.procs();
  }
}

/** What a run needs of a program: its file and its top-level statements (parsed one at a time if it keeps only text). */
export function runnable(p: Program): { file: string; statements: StatementList } {
  return p instanceof ProgramText ? { file: p.file, statements: p.onDemand } : p;
}

/** Writes into a statement parsed again each command's `resolved`, as checking did (an include's program is the caller's). */
function annotate(s: Stmt): void {
  if (s.kind === 'command') checkCommandArgs(undefined, s);
  else if (s.kind === 'repeat' || s.kind === 'proc') s.body.forEach(annotate);
}

function grow(a: Int32Array): Int32Array {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}
