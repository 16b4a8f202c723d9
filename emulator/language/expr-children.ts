// The direct sub-expressions of an expression, in source order: for walks that
// treat every child alike (selection ranges); walks that treat children
// differently (the checker, the symbol index) keep their own switch.
import type { Expr } from './ast.js';

export function exprChildren(e: Expr): Expr[] {
  switch (e.kind) {
    case 'field':
      return [e.object];
    case 'index':
      return [e.object, e.index];
    case 'call':
      return e.args;
    case 'binary':
      return [e.left, e.right];
    case 'unary':
      return [e.operand];
    case 'range':
      return [e.start, e.last];
    case 'list':
      return e.items;
    case 'record':
      return e.entries.map((x) => x.value);
    default:
      return [];
  }
}
