// Moves parsed statements down or up by whole lines: a segment parsed on its
// own (incremental-parse.ts) starts at line 0, and the segments below an
// edit that added or removed lines move with it. The parser shares range and
// position objects between nodes (a statement's start is its first token's),
// so every range is replaced by a moved copy, never changed in place: a
// shared one is then never moved twice.
import type { Argument, Expr, Outcome, Range, Stmt } from '../../emulator/language/ast.js';

export function shiftRange(r: Range, lines: number): Range {
  return { start: { line: r.start.line + lines, character: r.start.character }, end: { line: r.end.line + lines, character: r.end.character } };
}

export function shiftStatements(statements: readonly Stmt[], lines: number): void {
  for (const s of statements) shiftStatement(s, lines);
}

/** Moves diagnostics (or anything with a range) in place. */
export function shiftRanged(items: readonly { range: Range }[], lines: number): void {
  for (const d of items as { range: Range }[]) d.range = shiftRange(d.range, lines);
}

function shiftStatement(s: Stmt, n: number): void {
  s.range = shiftRange(s.range, n);
  switch (s.kind) {
    case 'command':
      if (s.bind) s.bind = { name: s.bind.name, range: shiftRange(s.bind.range, n) };
      s.commandRange = shiftRange(s.commandRange, n);
      for (const a of s.args) shiftArgument(a, n);
      if (s.expect) shiftOutcome(s.expect, n);
      return;
    case 'let':
      s.nameRange = shiftRange(s.nameRange, n);
      shiftExpr(s.value, n);
      return;
    case 'expect':
      shiftExpr(s.condition, n);
      return;
    case 'repeat':
      if (s.count) shiftExpr(s.count, n);
      if (s.variable) s.variable = { name: s.variable.name, range: shiftRange(s.variable.range, n) };
      if (s.from) shiftExpr(s.from, n);
      if (s.to) shiftExpr(s.to, n);
      shiftStatements(s.body, n);
      return;
    case 'proc':
      s.nameRange = shiftRange(s.nameRange, n);
      s.params = s.params.map((p) => ({ name: p.name, range: shiftRange(p.range, n) }));
      shiftStatements(s.body, n);
      return;
    case 'call':
      s.nameRange = shiftRange(s.nameRange, n);
      for (const a of s.args) shiftExpr(a, n);
      return;
    case 'include':
      // The included program is another file's: its lines do not move.
      s.pathRange = shiftRange(s.pathRange, n);
      return;
  }
}

function shiftArgument(a: Argument, n: number): void {
  a.range = shiftRange(a.range, n);
  if (a.kind === 'keyed') a.keyRange = shiftRange(a.keyRange, n);
  shiftExpr(a.value, n);
}

function shiftOutcome(o: Outcome, n: number): void {
  o.range = shiftRange(o.range, n);
  if (o.kind === 'value') shiftExpr(o.value, n);
}

function shiftExpr(e: Expr, n: number): void {
  e.range = shiftRange(e.range, n);
  switch (e.kind) {
    case 'field':
      e.fieldRange = shiftRange(e.fieldRange, n);
      return shiftExpr(e.object, n);
    case 'index':
      shiftExpr(e.object, n);
      return shiftExpr(e.index, n);
    case 'call':
      e.calleeRange = shiftRange(e.calleeRange, n);
      for (const a of e.args) shiftExpr(a, n);
      return;
    case 'binary':
      shiftExpr(e.left, n);
      return shiftExpr(e.right, n);
    case 'unary':
      return shiftExpr(e.operand, n);
    case 'range':
      shiftExpr(e.start, n);
      return shiftExpr(e.last, n);
    case 'list':
      for (const item of e.items) shiftExpr(item, n);
      return;
    case 'record':
      for (const entry of e.entries) {
        entry.keyRange = shiftRange(entry.keyRange, n);
        shiftExpr(entry.value, n);
      }
      return;
    case 'int':
    case 'string':
    case 'bytes':
    case 'name':
      return;
  }
}
