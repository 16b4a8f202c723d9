// Expressions (trace-language §4). Arithmetic is on u64 and never wraps: a
// result outside 0..2^64-1 is an `overflow` error value, division by zero is
// an error value, and an error operand makes the whole expression that error.
import type { BinaryOp, Expr, UnaryOp } from '../language/ast.js';
import {
  U64_MAX, asInt, bool, bytes, elements, error, fieldOf, formatInt, isError, list, primaryOf, range, record, str, u64,
  valuesEqual, type ErrorValue, type Value,
} from './values.js';

/** What an expression can see: names, and the built-in queries. */
export interface EvalEnv {
  lookup(name: string): Value | undefined;
  /** A built-in query (`users(ID)`, `translate(DEV, IOVA)`, ...). */
  query(name: string, args: Value[]): Value;
}

export function evaluate(e: Expr, env: EvalEnv): Value {
  switch (e.kind) {
    case 'int':
      return u64(e.value);
    case 'string':
      return str(e.value);
    case 'bytes':
      return bytes(e.value);
    case 'name':
      return env.lookup(e.name) ?? error(`${e.name} is not defined`);
    case 'field':
      return fieldOf(evaluate(e.object, env), e.field);
    case 'index':
      return index(evaluate(e.object, env), evaluate(e.index, env));
    case 'call': {
      // A query fails with the first error among its arguments.
      const args = e.args.map((a) => evaluate(a, env));
      return firstError(args) ?? env.query(e.callee, args);
    }
    case 'binary':
      return binary(e.op, e.left, e.right, env);
    case 'unary':
      return unary(e.op, evaluate(e.operand, env));
    case 'range': {
      const s = asInt(evaluate(e.start, env));
      if (isError(s)) return s;
      const l = asInt(evaluate(e.last, env));
      if (isError(l)) return l;
      return range(s, l);
    }
    case 'list': {
      const items = e.items.map((x) => evaluate(x, env));
      return firstError(items) ?? list(items);
    }
    case 'record': {
      const entries: [string, Value][] = e.entries.map((en) => [en.key, evaluate(en.value, env)]);
      return firstError(entries.map(([, v]) => v)) ?? record(entries);
    }
  }
}

function firstError(vs: Value[]): ErrorValue | undefined {
  return vs.find(isError) as ErrorValue | undefined;
}

function index(obj: Value, idx: Value): Value {
  if (isError(obj)) return obj;
  const i = asInt(idx);
  if (isError(i)) return i;
  const items = elements(obj);
  if (!items) return error(`cannot index ${describe(obj)}`);
  if (i >= BigInt(items.length)) return error(`index ${formatInt(i)} is past the end (length ${items.length})`);
  return items[Number(i)]!;
}

function describe(v: Value): string {
  const p = primaryOf(v);
  return typeof p === 'bigint' ? 'a number' : `a ${p.kind}`;
}

function binary(op: BinaryOp, le: Expr, re: Expr, env: EvalEnv): Value {
  // && and || evaluate their right side only when it decides the result.
  if (op === '&&' || op === '||') {
    const l = asInt(evaluate(le, env));
    if (isError(l)) return l;
    if (op === '&&' ? l === 0n : l !== 0n) return bool(op === '||');
    const r = asInt(evaluate(re, env));
    return isError(r) ? r : bool(r !== 0n);
  }
  const lv = evaluate(le, env);
  const rv = evaluate(re, env);
  if (op === '==' || op === '!=') {
    const eq = valuesEqual(lv, rv);
    if (typeof eq !== 'boolean') return eq;
    return bool(op === '==' ? eq : !eq);
  }
  const l = asInt(lv);
  if (isError(l)) return l;
  const r = asInt(rv);
  if (isError(r)) return r;
  return arith(op, l, r);
}

/** One u64 operation; exported for property tests. */
export function arith(op: Exclude<BinaryOp, '==' | '!=' | '&&' | '||'>, l: bigint, r: bigint): bigint | ErrorValue {
  switch (op) {
    case '+':
      return checked(l + r, op, l, r);
    case '-':
      return checked(l - r, op, l, r);
    case '*':
      return checked(l * r, op, l, r);
    case '/':
      return r === 0n ? error(`division by zero: ${shown(op, l, r)}`) : l / r;
    case '%':
      return r === 0n ? error(`division by zero: ${shown(op, l, r)}`) : l % r;
    case '<<':
      // Shifting a set bit out of the 64 bits is an overflow like any other.
      return r >= 64n ? (l === 0n ? 0n : overflow(op, l, r)) : checked(l << r, op, l, r);
    case '>>':
      return r >= 64n ? 0n : l >> r;
    case '&':
      return l & r;
    case '|':
      return l | r;
    case '^':
      return l ^ r;
    case '<':
      return bool(l < r);
    case '<=':
      return bool(l <= r);
    case '>':
      return bool(l > r);
    case '>=':
      return bool(l >= r);
  }
}

// The operation's text is built only for an error: arithmetic runs for
// nearly every argument of every statement, and formatting both operands
// each time cost more than the arithmetic.
function shown(op: BinaryOp, l: bigint, r: bigint): string {
  return `${formatInt(l)} ${op} ${formatInt(r)}`;
}

function overflow(op: BinaryOp, l: bigint, r: bigint): ErrorValue {
  return error(`overflow: ${shown(op, l, r)} is outside 0..2^64-1`);
}

function checked(n: bigint, op: BinaryOp, l: bigint, r: bigint): bigint | ErrorValue {
  return n < 0n || n > U64_MAX ? overflow(op, l, r) : n;
}

function unary(op: UnaryOp, v: Value): Value {
  const n = asInt(v);
  if (isError(n)) return n;
  switch (op) {
    case '-':
      return n === 0n ? 0n : error(`overflow: -${formatInt(n)} is outside 0..2^64-1`);
    case '~':
      return U64_MAX ^ n;
    case '!':
      return bool(n === 0n);
  }
}
