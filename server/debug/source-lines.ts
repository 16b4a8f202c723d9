// The statements of a loaded program by file and line: where a breakpoint
// can go (a breakpoint on a comment or a blank line moves to the next
// statement), and what `goto` can target.
import { resolve } from 'node:path';
import type { Program, Stmt } from '../../emulator/language/ast.js';

export class SourceLines {
  /** Per absolute file, its statements in source order (every nesting level). */
  private readonly byFile = new Map<string, Stmt[]>();

  constructor(program: Program) {
    this.add(program.statements);
    for (const list of this.byFile.values()) list.sort((a, b) => a.range.start.line - b.range.start.line);
  }

  private add(stmts: Stmt[]): void {
    for (const s of stmts) {
      const file = resolve(s.file);
      let list = this.byFile.get(file);
      if (!list) this.byFile.set(file, (list = []));
      list.push(s);
      if (s.kind === 'repeat' || s.kind === 'proc') this.add(s.body);
      if (s.kind === 'include' && s.program) this.add(s.program.statements);
    }
  }

  /** The first statement starting at or after `line` (0-based), if any. */
  statementAtOrAfter(file: string, line: number): Stmt | undefined {
    return this.byFile.get(resolve(file))?.find((s) => s.range.start.line >= line);
  }

  /** Statements starting within [start, end] (0-based, inclusive). */
  statementsBetween(file: string, start: number, end: number): Stmt[] {
    return (this.byFile.get(resolve(file)) ?? []).filter((s) => s.range.start.line >= start && s.range.start.line <= end);
  }

  /** Every statement, numbered: goto targets are these indexes. */
  all(): Stmt[] {
    return [...this.byFile.values()].flat();
  }
}
