// Expressions printed back as source text, for messages that say which
// check failed (`users(ioas) == 2`) and for the debugger's views.
import type { BinaryOp, Expr } from '../language/ast.js';
import { formatInt } from './values.js';

export function printExpr(e: Expr): string {
  switch (e.kind) {
    case 'int':
      return formatInt(e.value);
    case 'string':
      return JSON.stringify(e.value);
    case 'bytes':
      return `h"${Array.from(e.value, (b) => b.toString(16).padStart(2, '0')).join(' ')}"`;
    case 'name':
      return e.name;
    case 'field':
      return `${printExpr(e.object)}.${e.field}`;
    case 'index':
      return `${printExpr(e.object)}[${printExpr(e.index)}]`;
    case 'call':
      return `${e.callee}(${e.args.map(printExpr).join(', ')})`;
    case 'binary':
      return `${operand(e.left, PRECEDENCE[e.op])} ${e.op} ${operand(e.right, PRECEDENCE[e.op] + 1)}`;
    case 'unary':
      return `${e.op}${e.operand.kind === 'binary' ? `(${printExpr(e.operand)})` : printExpr(e.operand)}`;
    case 'range':
      return `${printExpr(e.start)}..${printExpr(e.last)}`;
    case 'list':
      return `[${e.items.map(printExpr).join(', ')}]`;
    case 'record':
      return `{${e.entries.map((en) => `${en.key}=${printExpr(en.value)}`).join(', ')}}`;
  }
}

/** C's binding strengths, loosest first (the language keeps C's order). */
const PRECEDENCE: Record<BinaryOp, number> = {
  '||': 1, '&&': 2, '|': 3, '^': 4, '&': 5, '==': 6, '!=': 6, '<': 7, '<=': 7, '>': 7, '>=': 7,
  '<<': 8, '>>': 8, '+': 9, '-': 9, '*': 10, '/': 10, '%': 10,
};

/** An operand gets parentheses only where the text would otherwise group differently. */
function operand(e: Expr, min: number): string {
  return e.kind === 'binary' && PRECEDENCE[e.op] < min ? `(${printExpr(e)})` : printExpr(e);
}
