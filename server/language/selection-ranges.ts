// Selection ranges (expand selection): from the innermost expression at the
// cursor out through its enclosing expressions, the argument, the statement,
// each enclosing block, to the whole document.
import type { Argument, Expr, Position, Range, Stmt } from '../../emulator/language/ast.js';
import { exprChildren } from '../../emulator/language/expr-children.js';
import type { Analysis } from './analysis.js';
import { containsPosition, containsRange } from './positions.js';

/** Ranges around `pos`, innermost first, each strictly containing the one before. */
export function selectionRanges(a: Analysis, pos: Position): Range[] {
  const last = a.lines.lineCount - 1;
  const found: Range[] = [{ start: { line: 0, character: 0 }, end: { line: last, character: a.lines.lineText(last).length } }];
  statements(a.program.statements, pos, found);
  // Walked outermost first; keep each range once, innermost first.
  const out: Range[] = [];
  for (const r of found.reverse()) {
    const prev = out[out.length - 1];
    if (!prev || (containsRange(r, prev) && !sameRange(r, prev))) out.push(r);
  }
  return out;
}

function sameRange(a: Range, b: Range): boolean {
  return a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character;
}

function statements(list: Stmt[], pos: Position, out: Range[]): void {
  const s = list.find((x) => containsPosition(x.range, pos));
  if (!s) return;
  out.push(s.range);
  switch (s.kind) {
    case 'command':
      if (s.bind && containsPosition(s.bind.range, pos)) out.push(s.bind.range);
      if (containsPosition(s.commandRange, pos)) out.push(s.commandRange);
      for (const arg of s.args) argument(arg, pos, out);
      if (s.expect && containsPosition(s.expect.range, pos)) {
        out.push(s.expect.range);
        if (s.expect.kind === 'value') expr(s.expect.value, pos, out);
      }
      return;
    case 'let':
      return expr(s.value, pos, out);
    case 'expect':
      return expr(s.condition, pos, out);
    case 'call':
      for (const e of s.args) expr(e, pos, out);
      return;
    case 'repeat':
      for (const e of [s.count, s.from, s.to]) if (e) expr(e, pos, out);
      return statements(s.body, pos, out);
    case 'proc':
      return statements(s.body, pos, out);
    case 'include':
      return;
  }
}

function argument(arg: Argument, pos: Position, out: Range[]): void {
  if (!containsPosition(arg.range, pos)) return;
  out.push(arg.range);
  expr(arg.value, pos, out);
}

function expr(e: Expr, pos: Position, out: Range[]): void {
  if (!containsPosition(e.range, pos)) return;
  out.push(e.range);
  for (const child of exprChildren(e)) expr(child, pos, out);
}
