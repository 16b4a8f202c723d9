// The statements of a loaded program by file and line: where a breakpoint
// can go (a breakpoint on a comment or a blank line moves to the next
// statement), and what `goto` can target. It keeps where each statement
// starts, not the statement: a large trace is kept as text and parsed as it
// runs (emulator/language/program-text.ts), and goto knows a statement by
// its place.
import { resolve } from 'node:path';
import type { Program, StatementList, Stmt } from '../../emulator/language/ast.js';
import { runnable } from '../../emulator/language/index.js';
import type { StatementPlace } from '../../emulator/runtime/debug-runtime.js';

export class SourceLines {
  /** Per absolute file, where its statements start, in source order (every nesting level). */
  private readonly byFile = new Map<string, StatementPlace[]>();

  constructor(program: Program) {
    this.add(runnable(program).statements);
    for (const list of this.byFile.values()) list.sort((a, b) => a.range.start.line - b.range.start.line);
  }

  private add(stmts: StatementList): void {
    for (let i = 0; i < stmts.length; i++) this.addOne(stmts.at(i)!);
  }

  private addOne(s: Stmt): void {
    const file = resolve(s.file);
    let list = this.byFile.get(file);
    if (!list) this.byFile.set(file, (list = []));
    list.push({ file: s.file, range: { start: s.range.start } });
    if (s.kind === 'repeat' || s.kind === 'proc') this.add(s.body);
    if (s.kind === 'include' && s.program) this.add(s.program.statements);
  }

  /** The first statement starting at or after `line` (0-based), if any. */
  statementAtOrAfter(file: string, line: number): StatementPlace | undefined {
    return this.byFile.get(resolve(file))?.find((s) => s.range.start.line >= line);
  }

  /** Statements starting within [start, end] (0-based, inclusive). */
  statementsBetween(file: string, start: number, end: number): StatementPlace[] {
    return (this.byFile.get(resolve(file)) ?? []).filter((s) => s.range.start.line >= start && s.range.start.line <= end);
  }

  /** Every statement, numbered: goto targets are these indexes. */
  all(): StatementPlace[] {
    return [...this.byFile.values()].flat();
  }
}
