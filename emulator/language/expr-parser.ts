// Expressions (trace-language.md §4) by precedence climbing, with C's
// precedence. Binary operators bind greedily, so an argument is a whole
// expression (`user_va=ram + 0x1000`). Postfix `[` and a call's `(` must touch
// what they follow: with a space in between they start the next argument.
import type { BinaryOp, Expr, RecordEntry, UnaryOp } from './ast.js';
import type { TokenStream } from './token-stream.js';

const PRECEDENCE: Record<BinaryOp, number> = {
  '||': 1,
  '&&': 2,
  '|': 3,
  '^': 4,
  '&': 5,
  '==': 6, '!=': 6,
  '<': 7, '<=': 7, '>': 7, '>=': 7,
  '<<': 8, '>>': 8,
  '+': 9, '-': 9,
  '*': 10, '/': 10, '%': 10,
};

const UNARY = new Set<string>(['-', '~', '!']);

function binaryOp(ts: TokenStream): BinaryOp | undefined {
  const t = ts.peek();
  return t.type === 'op' && Object.prototype.hasOwnProperty.call(PRECEDENCE, t.text) ? (t.text as BinaryOp) : undefined;
}

/** An expression, optionally `START..LAST` (ranges bind loosest of all). */
export function parseExpr(ts: TokenStream, what = 'an expression'): Expr {
  const start = parseBinary(ts, 1, what);
  if (!ts.isOp('..')) return start;
  ts.next();
  const last = parseBinary(ts, 1, "the last address of a range after '..'");
  return { kind: 'range', start, last, range: { start: start.range.start, end: last.range.end } };
}

function parseBinary(ts: TokenStream, minPrec: number, what: string): Expr {
  let left = parseUnary(ts, what);
  // The n-th operator of a chain puts its left side n levels deep.
  for (let links = 1; ; links++) {
    const op = binaryOp(ts);
    if (op === undefined || PRECEDENCE[op] < minPrec) return left;
    ts.next();
    const right = ts.nested(() => parseBinary(ts, PRECEDENCE[op] + 1, `an operand after '${op}'`), links);
    left = { kind: 'binary', op, left, right, range: { start: left.range.start, end: right.range.end } };
  }
}

function parseUnary(ts: TokenStream, what: string): Expr {
  const t = ts.peek();
  if (t.type === 'op' && UNARY.has(t.text)) {
    ts.next();
    const operand = ts.nested(() => parseUnary(ts, `an operand after '${t.text}'`));
    return { kind: 'unary', op: t.text as UnaryOp, operand, range: { start: t.range.start, end: operand.range.end } };
  }
  return parsePostfix(ts, parsePrimary(ts, what));
}

function parsePostfix(ts: TokenStream, expr: Expr): Expr {
  for (;;) {
    if (ts.isOp('.')) {
      ts.next();
      const f = ts.expectName("a field name after '.'");
      expr = { kind: 'field', object: expr, field: f.text, fieldRange: f.range, range: ts.rangeFrom(expr.range.start) };
    } else if (ts.isOp('[') && !ts.peek().spaced) {
      ts.next();
      const index = ts.nested(() => parseExpr(ts, "an index after '['"));
      ts.expectOp(']', 'to close the index');
      expr = { kind: 'index', object: expr, index, range: ts.rangeFrom(expr.range.start) };
    } else {
      return expr;
    }
  }
}

function parsePrimary(ts: TokenStream, what: string): Expr {
  const t = ts.peek();
  switch (t.type) {
    case 'int':
      ts.next();
      return { kind: 'int', value: t.int ?? 0n, range: t.range };
    case 'string':
      ts.next();
      return { kind: 'string', value: t.str ?? '', range: t.range };
    case 'bytes':
      ts.next();
      return { kind: 'bytes', value: t.bytes ?? new Uint8Array(), range: t.range };
    case 'name':
      ts.next();
      if (ts.isOp('(') && !ts.peek().spaced) return parseCall(ts, t.text, t.range);
      return { kind: 'name', name: t.text, range: t.range };
    case 'op':
      if (t.text === '(') {
        ts.next();
        const inner = ts.nested(() => parseExpr(ts));
        ts.expectOp(')', "to close '('");
        // The parentheses widen the range so diagnostics point at what was written.
        return { ...inner, range: ts.rangeFrom(t.range.start) };
      }
      if (t.text === '[') return parseList(ts);
      if (t.text === '{') return parseRecord(ts);
      break;
    default:
      break;
  }
  return ts.fail(`expected ${what}`);
}

function parseCall(ts: TokenStream, callee: string, calleeRange: Expr['range']): Expr {
  const args = parseSeparated(ts, ')', () => parseExpr(ts, `an argument of '${callee}'`), `to close the arguments of '${callee}'`);
  return { kind: 'call', callee, calleeRange, args, range: ts.rangeFrom(calleeRange.start) };
}

function parseList(ts: TokenStream): Expr {
  const start = ts.peek().range.start;
  const items = parseSeparated(ts, ']', () => parseExpr(ts, 'a list element'), 'to close the list');
  return { kind: 'list', items, range: ts.rangeFrom(start) };
}

function parseRecord(ts: TokenStream): Expr {
  const start = ts.peek().range.start;
  const entries = parseSeparated(
    ts,
    '}',
    (): RecordEntry => {
      const key = ts.expectName("a field name in a record ('{key=value, ...}')");
      ts.expectOp('=', `after record field '${key.text}'`);
      return { key: key.text, keyRange: key.range, value: parseExpr(ts, `a value for record field '${key.text}'`) };
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
    items.push(ts.nested(item));
    if (!ts.isOp(',')) break;
    ts.next();
  }
  ts.expectOp(close, `or ',' ${closeContext}`);
  return items;
}
