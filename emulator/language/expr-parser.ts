// Expressions (trace-language.md §4) by precedence climbing, with C's
// precedence. Binary operators bind greedily, so an argument is a whole
// expression (`user_va=ram + 0x1000`). Postfix `[` and a call's `(` must touch
// what they follow: with a space in between they start the next argument.
import type { BinaryOp, Expr, RecordEntry, UnaryOp } from './ast.js';
import type { TokenStream } from './token-stream.js';

/** An operator's binding power: C's order, loosest first; 0 for a token that is not a binary operator. */
function precedenceOf(op: string): number {
  switch (op) {
    case '||':
      return 1;
    case '&&':
      return 2;
    case '|':
      return 3;
    case '^':
      return 4;
    case '&':
      return 5;
    case '==': case '!=':
      return 6;
    case '<': case '<=': case '>': case '>=':
      return 7;
    case '<<': case '>>':
      return 8;
    case '+': case '-':
      return 9;
    case '*': case '/': case '%':
      return 10;
    default:
      return 0;
  }
}

const isUnaryOp = (op: string): boolean => op === '-' || op === '~' || op === '!';

/**
 * An expression, optionally `START..LAST` (ranges bind loosest of all).
 * `what` names it in "expected ..." errors, with `{}` standing for `subject`
 * (`"an argument of '{}'"`, `command`): the two are joined only when an error
 * is reported, since almost every expression parses and a string built per
 * argument and per operator would be a large share of the parser's garbage.
 */
export function parseExpr(ts: TokenStream, what = 'an expression', subject = ''): Expr {
  const start = parseBinary(ts, 1, what, subject);
  if (!ts.isOp('..')) return start;
  ts.next();
  const last = parseBinary(ts, 1, "the last address of a range after '..'", '');
  return { kind: 'range', start, last, range: { start: start.range.start, end: last.range.end } };
}

function parseBinary(ts: TokenStream, minPrec: number, what: string, subject: string): Expr {
  let left = parseUnary(ts, what, subject);
  // The n-th operator of a chain puts its left side n levels deep.
  for (let links = 1; ; links++) {
    const t = ts.cur;
    const prec = t.type === 'op' ? precedenceOf(t.text) : 0;
    if (prec === 0 || prec < minPrec) return left;
    const op = t.text as BinaryOp;
    ts.next();
    ts.enter(links);
    const right = parseBinary(ts, prec + 1, "an operand after '{}'", op);
    ts.leave(links);
    left = { kind: 'binary', op, left, right, range: { start: left.range.start, end: right.range.end } };
  }
}

function parseUnary(ts: TokenStream, what: string, subject: string): Expr {
  const t = ts.cur;
  if (t.type === 'op' && isUnaryOp(t.text)) {
    const op = t.text as UnaryOp;
    const start = ts.start();
    ts.next();
    ts.enter();
    const operand = parseUnary(ts, "an operand after '{}'", op);
    ts.leave();
    return { kind: 'unary', op, operand, range: { start, end: operand.range.end } };
  }
  return parsePostfix(ts, parsePrimary(ts, what, subject));
}

function parsePostfix(ts: TokenStream, expr: Expr): Expr {
  for (;;) {
    if (ts.isOp('.')) {
      ts.next();
      const f = ts.expectName("a field name after '.'");
      expr = { kind: 'field', object: expr, field: f.name, fieldRange: f.range, range: ts.rangeFrom(expr.range.start) };
    } else if (ts.isOp('[') && !ts.cur.spaced) {
      ts.next();
      ts.enter();
      const index = parseExpr(ts, "an index after '['");
      ts.leave();
      ts.expectOp(']', 'to close the index');
      expr = { kind: 'index', object: expr, index, range: ts.rangeFrom(expr.range.start) };
    } else {
      return expr;
    }
  }
}

function parsePrimary(ts: TokenStream, what: string, subject: string): Expr {
  const t = ts.cur;
  switch (t.type) {
    case 'int': {
      const value = t.int;
      const range = ts.range();
      ts.next();
      return { kind: 'int', value, range };
    }
    case 'string': {
      const value = t.str;
      const range = ts.range();
      ts.next();
      return { kind: 'string', value, range };
    }
    case 'bytes': {
      const value = t.bytes ?? new Uint8Array();
      const range = ts.range();
      ts.next();
      return { kind: 'bytes', value, range };
    }
    case 'name': {
      const name = t.text;
      const range = ts.range();
      ts.next();
      if (ts.isOp('(') && !ts.cur.spaced) return parseCall(ts, name, range);
      return { kind: 'name', name, range };
    }
    case 'op':
      if (t.text === '(') {
        const start = ts.start();
        ts.next();
        ts.enter();
        const inner = parseExpr(ts);
        ts.leave();
        ts.expectOp(')', "to close '('");
        // The parentheses widen the range so diagnostics point at what was written.
        // (`inner` is a node just built and referenced nowhere else: widening it in place is the same as a copy.)
        inner.range = ts.rangeFrom(start);
        return inner;
      }
      if (t.text === '[') return parseList(ts);
      if (t.text === '{') return parseRecord(ts);
      break;
    default:
      break;
  }
  return ts.fail(`expected ${what.replace('{}', () => subject)}`);
}

function parseCall(ts: TokenStream, callee: string, calleeRange: Expr['range']): Expr {
  const args = parseSeparated(ts, ')', () => parseExpr(ts, "an argument of '{}'", callee), `to close the arguments of '${callee}'`);
  return { kind: 'call', callee, calleeRange, args, range: ts.rangeFrom(calleeRange.start) };
}

function parseList(ts: TokenStream): Expr {
  const start = ts.start();
  const items = parseSeparated(ts, ']', () => parseExpr(ts, 'a list element'), 'to close the list');
  return { kind: 'list', items, range: ts.rangeFrom(start) };
}

function parseRecord(ts: TokenStream): Expr {
  const start = ts.start();
  const entries = parseSeparated(
    ts,
    '}',
    (): RecordEntry => {
      const key = ts.expectName("a field name in a record ('{key=value, ...}')");
      ts.expectOp('=', `after record field '${key.name}'`);
      return { key: key.name, keyRange: key.range, value: parseExpr(ts, "a value for record field '{}'", key.name) };
    },
    'to close the record',
  );
  return { kind: 'record', entries, range: ts.rangeFrom(start) };
}

/** `open item (',' item)* [','] close`, with the opening token still to consume. */
function parseSeparated<T>(ts: TokenStream, close: string, item: () => T, closeContext: string): T[] {
  ts.next();
  const items: T[] = [];
  while (!ts.isOp(close)) {
    ts.enter();
    items.push(item());
    ts.leave();
    if (!ts.isOp(',')) break;
    ts.next();
  }
  ts.expectOp(close, `or ',' ${closeContext}`);
  return items;
}
