// Checks an expression and works out what it is statically: undefined names,
// unknown queries and their arities, fields a result does not have, operands
// that are not numbers, and constant arithmetic outside 0..2^64-1.
import type { BinaryOp, Expr, Range, UnaryOp } from './ast.js';
import { checkKind } from './check-kind.js';
import type { CheckContext } from './check-context.js';
import { MAX_U64 } from './lexer.js';
import { CONSTANTS, QUERIES } from './queries.js';
import { UNKNOWN, describeValue, isNumeric, type StaticValue } from './static-value.js';
import { didYouMean } from './suggest.js';

// Shared results for the values that carry nothing else (static values are never changed).
const INT: StaticValue = { t: 'int' };
const STRING: StaticValue = { t: 'string' };
const LIST: StaticValue = { t: 'list' };

export function checkExpr(ctx: CheckContext, e: Expr, allowRange = false): StaticValue {
  switch (e.kind) {
    case 'int':
      return { t: 'int', value: e.value };
    case 'string':
      return STRING;
    case 'bytes':
      return LIST;
    case 'name':
      return resolveName(ctx, e.name, e.range);
    case 'field':
      return checkField(ctx, e.object, e.field, e.fieldRange);
    case 'index': {
      const object = checkExpr(ctx, e.object);
      if (object.t !== 'unknown' && object.t !== 'list' && !(object.t === 'result' && object.primary === 'list')) {
        ctx.error(e.object.range, `cannot index ${describeValue(object)}: only lists and byte strings have elements`);
      }
      numericOperand(ctx, e.index, '[]');
      return UNKNOWN;
    }
    case 'call':
      return checkCall(ctx, e.callee, e.calleeRange, e.args, e.range);
    case 'unary':
      return checkUnary(ctx, e.op, e.operand, e.range);
    case 'binary':
      return checkBinary(ctx, e.op, e.left, e.right, e.range);
    case 'range':
      if (!allowRange) ctx.error(e.range, "a range 'FIRST..LAST' is only allowed in a list of ranges or after 'repeat NAME in'");
      numericOperand(ctx, e.start, '..');
      numericOperand(ctx, e.last, '..');
      return UNKNOWN;
    case 'list':
      for (const item of e.items) checkExpr(ctx, item, true);
      return LIST;
    case 'record':
      for (const entry of e.entries) checkExpr(ctx, entry.value);
      return { t: 'record', fields: e.entries.map((x) => x.key) };
  }
}

export function resolveName(ctx: CheckContext, name: string, range: Range): StaticValue {
  if (CONSTANTS.has(name)) return { t: 'constant', name };
  const binding = ctx.scope.lookup(name);
  if (binding) return binding.value;
  if (QUERIES.has(name)) {
    ctx.error(range, `'${name}' is a built-in query: call it as ${name}(...)`);
    return UNKNOWN;
  }
  const later = ctx.declaredLater(name);
  if (later) ctx.error(range, `'${name}' is used before its declaration on line ${later.line} (${later.what} must come before its first use)`);
  else ctx.error(range, `undefined name '${name}'`);
  return UNKNOWN;
}

function checkField(ctx: CheckContext, objectExpr: Expr, field: string, fieldRange: Range): StaticValue {
  const object = checkExpr(ctx, objectExpr);
  const subject = objectExpr.kind === 'name' ? `'${objectExpr.name}' (${describeValue(object)})` : describeValue(object);
  if (object.t === 'result' || (object.t === 'record' && object.fields)) {
    const fields = object.fields ?? [];
    if (!fields.includes(field)) {
      const list = fields.length ? `its fields are ${fields.join(', ')}` : 'it has no fields';
      ctx.error(fieldRange, `${subject} has no field '${field}'; ${list}`);
    }
    return UNKNOWN;
  }
  if (object.t === 'unknown' || object.t === 'record') return UNKNOWN;
  ctx.error(fieldRange, `${subject} has no fields`);
  return UNKNOWN;
}

function checkCall(ctx: CheckContext, callee: string, calleeRange: Range, args: Expr[], range: Range): StaticValue {
  const spec = QUERIES.get(callee);
  if (!spec) {
    const binding = ctx.scope.lookup(callee);
    if (binding?.value.t === 'proc') ctx.error(calleeRange, `'${callee}' is a proc: call it as a statement of its own, not inside an expression`);
    else ctx.error(calleeRange, `unknown query '${callee}'${didYouMean(callee, QUERIES.keys())}`);
    for (const a of args) checkExpr(ctx, a);
    return UNKNOWN;
  }
  if (args.length < spec.required || args.length > spec.args.length) {
    const names = spec.args.map((a, i) => (i < spec.required ? a.name : `[${a.name}]`)).join(', ');
    const count = spec.required === spec.args.length ? `${spec.required}` : `${spec.required} to ${spec.args.length}`;
    ctx.error(range, `'${callee}' takes ${count} argument${spec.args.length === 1 ? '' : 's'} (${names}), found ${args.length}`);
  }
  args.forEach((a, i) => {
    const argSpec = spec.args[i];
    if (argSpec) checkKind(ctx, a, argSpec.kind, `argument ${argSpec.name} of ${callee}()`);
    else checkExpr(ctx, a);
  });
  return spec.returns;
}

function checkUnary(ctx: CheckContext, op: UnaryOp, operand: Expr, range: Range): StaticValue {
  const v = numericOperand(ctx, operand, op);
  if (v === undefined) return INT;
  if (op === '!') return { t: 'int', value: v === 0n ? 1n : 0n };
  if (op === '~') return { t: 'int', value: MAX_U64 ^ v };
  if (v !== 0n) {
    ctx.error(range, `overflow: -${v} is below 0 (integers are unsigned 64-bit)`);
    return INT;
  }
  return { t: 'int', value: 0n };
}

function checkBinary(ctx: CheckContext, op: BinaryOp, left: Expr, right: Expr, range: Range): StaticValue {
  if (op === '==' || op === '!=') {
    // Equality also compares constants (`owner(m0) == user`) and byte strings.
    const l = checkExpr(ctx, left);
    const r = checkExpr(ctx, right);
    if (l.t === 'int' && r.t === 'int' && l.value !== undefined && r.value !== undefined) {
      return { t: 'int', value: (l.value === r.value) === (op === '==') ? 1n : 0n };
    }
    return INT;
  }
  const a = numericOperand(ctx, left, op);
  const b = numericOperand(ctx, right, op);
  if (a === undefined || b === undefined) return INT;
  const folded = fold(op, a, b);
  if (typeof folded === 'bigint') return { t: 'int', value: folded };
  ctx.error(range, folded);
  return INT;
}

/** Checks an operand of an arithmetic operator; returns its value when constant. */
function numericOperand(ctx: CheckContext, e: Expr, op: string): bigint | undefined {
  const v = checkExpr(ctx, e);
  if (!isNumeric(v)) {
    const what = e.kind === 'name' ? `'${e.name}' is ${describeValue(v)}` : `this is ${describeValue(v)}`;
    ctx.error(e.range, `'${op}' needs a number, but ${what}`);
  }
  return v.t === 'int' ? v.value : undefined;
}

/** Constant arithmetic, unsigned 64-bit; a result out of range is an error message. */
function fold(op: BinaryOp, a: bigint, b: bigint): bigint | string {
  const bool = (x: boolean): bigint => (x ? 1n : 0n);
  let r: bigint;
  switch (op) {
    case '+': r = a + b; break;
    case '-': r = a - b; break;
    case '*': r = a * b; break;
    case '/':
    case '%':
      if (b === 0n) return `division by zero in '${a} ${op} ${b}'`;
      r = op === '/' ? a / b : a % b;
      break;
    case '<<': r = b >= 64n ? (a === 0n ? 0n : MAX_U64 + 1n) : a << b; break;
    case '>>': r = b >= 64n ? 0n : a >> b; break;
    case '&': r = a & b; break;
    case '|': r = a | b; break;
    case '^': r = a ^ b; break;
    case '<': r = bool(a < b); break;
    case '<=': r = bool(a <= b); break;
    case '>': r = bool(a > b); break;
    case '>=': r = bool(a >= b); break;
    case '&&': r = bool(a !== 0n && b !== 0n); break;
    case '||': r = bool(a !== 0n || b !== 0n); break;
    default: r = bool(a === b);
  }
  if (r < 0n || r > MAX_U64) return `overflow: ${a} ${op} ${b} is outside 0..0xffffffffffffffff`;
  return r;
}
