// One expression typed outside a trace (a breakpoint condition, a logpoint's
// `{expr}`, a watch, the debug console), parsed with the language's own
// parser so it means exactly what it would mean in the trace.
import type { Expr } from '../language/ast.js';
import { parse } from '../language/parser.js';

export type ParsedExpression = { ok: true; expr: Expr } | { ok: false; message: string };

export function parseExpression(text: string): ParsedExpression {
  // As the condition of an `expect`, the parser reads exactly one expression.
  const { program, diagnostics } = parse('<expression>', `expect ${text}`);
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) return { ok: false, message: errors[0]!.message };
  const stmt = program.statements[0];
  if (program.statements.length !== 1 || stmt?.kind !== 'expect') return { ok: false, message: `not one expression: ${text}` };
  return { ok: true, expr: stmt.condition };
}
