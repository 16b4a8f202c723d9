// Checks one value against the kind an argument wants (command-spec.ts):
// an IOAS where a device id is wanted, a declared device where its bound id
// is wanted, a flag word outside the command's set, an unknown enum constant.
// Raw numbers are always accepted for ids: the kernel sees only numbers.
import type { ObjectType } from '../engine/iommufd/object.js';
import type { Expr } from './ast.js';
import type { ArgKind } from './command-spec.js';
import type { CheckContext } from './check-context.js';
import { checkExpr, resolveName } from './check-expr.js';
import { anId, describeValue, isNumeric, type DeclKind, type StaticValue } from './static-value.js';

const DECL_WANTED: Record<DeclKind | 'handle', string> = {
  iommu: 'an IOMMU name',
  device: "a declared device (like 'm0')",
  memory: 'a memory region',
  process: 'a process name',
  fd: 'an iommufd name',
  guest_pt: 'a guest page table name',
  handle: 'an SVA handle (from sva_bind)',
};

/** `what` names the argument in messages: "'dev_id' of 'attach'", "argument ID of users()". */
export function checkKind(ctx: CheckContext, e: Expr, kind: ArgKind, what: string): void {
  switch (kind.type) {
    case 'int':
    case 'addr':
      return wantNumber(ctx, e, what);
    case 'id':
      return wantId(ctx, e, kind.objects, what);
    case 'iommu':
    case 'device':
    case 'memory':
    case 'process':
    case 'fd':
    case 'guest_pt':
    case 'handle':
      return wantName(ctx, e, kind.type, what);
    case 'flags':
      return wantFlags(ctx, e, kind.flags, what);
    case 'enum':
      return wantConstant(ctx, e, kind.values, what);
    case 'word':
      if (e.kind !== 'name' || !kind.words.includes(e.name)) {
        ctx.error(e.range, `expected ${oneOf(kind.words)} for ${what}, found ${shown(e)}`);
      }
      return;
    case 'switch':
      // A bare switch word is resolved by the caller; a keyed one takes 0 or 1.
      return wantNumber(ctx, e, what);
    case 'ranges':
      return wantList(ctx, e, what, "a list of ranges '[FIRST..LAST, ...]'", (item) => {
        if (item.kind === 'range') checkExpr(ctx, item, true);
        else ctx.error(item.range, `expected a range 'FIRST..LAST' in ${what}, found ${shown(item)}`);
      });
    case 'list':
      return wantList(ctx, e, what, "a list '[a, b, ...]'", (item) => wantNumber(ctx, item, what));
    case 'records':
      return wantList(ctx, e, what, "a list of records '[{key=value, ...}, ...]'", (item) => wantRecord(ctx, item, what));
    case 'record':
      return wantRecord(ctx, e, what);
    case 'bytes':
      if (e.kind === 'int' || e.kind === 'string' || e.kind === 'record') ctx.error(e.range, `expected a byte string (h"...") for ${what}, found ${shown(e)}`);
      else checkExpr(ctx, e);
      return;
    case 'string':
      if (e.kind !== 'string') ctx.error(e.range, `expected a string for ${what}, found ${shown(e)}`);
      return;
  }
}

function wantNumber(ctx: CheckContext, e: Expr, what: string): void {
  const v = checkExpr(ctx, e);
  if (!isNumeric(v)) ctx.error(e.range, `${what} wants a number, but ${subject(e, v)}`);
}

function wantId(ctx: CheckContext, e: Expr, objects: ObjectType[], what: string): void {
  const v = checkExpr(ctx, e);
  if (v.t === 'result' && v.primary === 'id' && v.objects && !v.objects.some((o) => objects.includes(o))) {
    ctx.error(e.range, `${subject(e, v)}, but ${what} wants ${anId(objects)}`);
  } else if (v.t === 'declared' && v.what === 'device' && objects.includes('DEVICE')) {
    ctx.error(e.range, `${subject(e, v)}, but ${what} wants a DEVICE id: bind it first ('d = bind ${v.name}')`);
  } else if (!isNumeric(v) || v.t === 'declared') {
    ctx.error(e.range, `${subject(e, v)}, but ${what} wants ${anId(objects)}`);
  }
}

function wantName(ctx: CheckContext, e: Expr, kind: DeclKind | 'handle', what: string): void {
  if (kind === 'memory' && e.kind !== 'name') {
    // A memfd is also accepted by its number, for the kernel's own fd checks.
    return wantNumber(ctx, e, what);
  }
  if (e.kind !== 'name') {
    ctx.error(e.range, `expected ${DECL_WANTED[kind]} for ${what}, found ${shown(e)}`);
    return;
  }
  const v = resolveName(ctx, e.name, e.range);
  const ok =
    v.t === 'unknown' ||
    (v.t === 'declared' && v.what === kind) ||
    (kind === 'handle' && v.t === 'result' && v.primary === 'handle');
  if (!ok) {
    const hint = kind === 'device' && v.t === 'result' && v.objects?.includes('DEVICE') ? ' (the device itself, not the id bind returned)' : '';
    ctx.error(e.range, `${subject(e, v)}, but ${what} wants ${DECL_WANTED[kind]}${hint}`);
  }
}

/** `a|b|c` of the set's words, numbers, or any number-valued expression. */
function wantFlags(ctx: CheckContext, e: Expr, set: Record<string, bigint>, what: string): void {
  if (e.kind === 'binary' && e.op === '|') {
    wantFlags(ctx, e.left, set, what);
    wantFlags(ctx, e.right, set, what);
  } else if (e.kind === 'name' && Object.prototype.hasOwnProperty.call(set, e.name)) {
    return;
  } else if (e.kind === 'name' && !ctx.scope.lookup(e.name)) {
    const words = Object.keys(set);
    const expected = words.length ? `expected ${oneOf(words)}, or a number` : 'it takes no flag words, only numbers';
    ctx.error(e.range, `unknown flag '${e.name}' for ${what} (${expected})`);
  } else {
    wantNumber(ctx, e, what);
  }
}

function wantConstant(ctx: CheckContext, e: Expr, values: Record<string, bigint>, what: string): void {
  if (e.kind === 'name' && Object.prototype.hasOwnProperty.call(values, e.name)) return;
  if (e.kind === 'name' && !ctx.scope.lookup(e.name)) {
    ctx.error(e.range, `unknown constant '${e.name}' for ${what} (expected ${oneOf(Object.keys(values))}, or a number)`);
    return;
  }
  wantNumber(ctx, e, what);
}

function wantList(ctx: CheckContext, e: Expr, what: string, expected: string, item: (x: Expr) => void): void {
  if (e.kind === 'list') e.items.forEach(item);
  else if (e.kind === 'name' || e.kind === 'field' || e.kind === 'index') checkExpr(ctx, e);
  else ctx.error(e.range, `expected ${expected} for ${what}, found ${shown(e)}`);
}

function wantRecord(ctx: CheckContext, e: Expr, what: string): void {
  if (e.kind === 'record' || e.kind === 'bytes' || e.kind === 'name' || e.kind === 'field' || e.kind === 'index') checkExpr(ctx, e);
  else ctx.error(e.range, `expected a record '{key=value, ...}' or a byte string for ${what}, found ${shown(e)}`);
}

function subject(e: Expr, v: StaticValue): string {
  return e.kind === 'name' ? `'${e.name}' is ${describeValue(v)}` : `this is ${describeValue(v)}`;
}

/** How a written expression is named in "found ..." messages. */
function shown(e: Expr): string {
  switch (e.kind) {
    case 'name':
      return `'${e.name}'`;
    case 'int':
      return `the number ${e.value}`;
    case 'string':
      return 'a string';
    case 'bytes':
      return 'a byte string';
    case 'list':
      return 'a list';
    case 'record':
      return 'a record';
    default:
      return 'an expression';
  }
}

function oneOf(words: string[]): string {
  if (words.length === 1) return `'${words[0]}'`;
  return `one of ${words.join('|')}`;
}
