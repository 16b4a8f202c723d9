// The values a running trace computes with. Integers are u64 as bigint; the
// other kinds are what results, queries and literals produce. Nothing here
// wraps: a computation that cannot give a u64 gives an `error` value instead,
// which travels through further arithmetic so that an `expect` can say why.
import type { FaultRecord } from '../engine/machine-api.js';

export const U64_MAX = (1n << 64n) - 1n;

export type Value =
  | bigint
  | ListValue
  | BytesValue
  | RangeValue
  | RecordValue
  | StringValue
  | SymbolValue
  | FaultValue
  | ErrorValue;

export interface ListValue {
  kind: 'list';
  items: Value[];
}

/** `h"..."` and byte results (`access_rw`'s `.data`): a list of u8 for len, indexing and ==. */
export interface BytesValue {
  kind: 'bytes';
  bytes: Uint8Array;
}

/** `START..LAST`, inclusive, as `struct iommu_iova_range`. */
export interface RangeValue {
  kind: 'range';
  start: bigint;
  last: bigint;
}

/**
 * A record literal (`{iotlb=1}`), an element of a result list (a fault, a
 * vEVENT), or a command's result: `primary` is what the bare name means.
 */
export interface RecordValue {
  kind: 'record';
  fields: Map<string, Value>;
  primary?: Value;
}

export interface StringValue {
  kind: 'string';
  value: string;
}

/** A declared name (a device, a process, an fd) or a constant word (`none`, `kernel`, `user`, `null`). */
export interface SymbolValue {
  kind: 'symbol';
  name: string;
  of: SymbolKind;
}

export type SymbolKind = 'device' | 'iommu' | 'process' | 'fd' | 'guest_pt' | 'constant';

/** What `translate()` gives when the walk faults, and what `last_fault()` returns. */
export interface FaultValue {
  kind: 'fault';
  fault: FaultRecord;
}

/** A computation that has no u64 result: overflow, division by zero, a bad index, a query refused. */
export interface ErrorValue {
  kind: 'error';
  message: string;
}

export function list(items: Value[]): ListValue {
  return { kind: 'list', items };
}

export function bytes(b: Uint8Array): BytesValue {
  return { kind: 'bytes', bytes: b };
}

export function range(start: bigint, last: bigint): RangeValue {
  return { kind: 'range', start, last };
}

export function record(fields: Iterable<[string, Value]>, primary?: Value): RecordValue {
  return { kind: 'record', fields: new Map(fields), primary };
}

export function str(value: string): StringValue {
  return { kind: 'string', value };
}

export function symbol(name: string, of: SymbolKind): SymbolValue {
  return { kind: 'symbol', name, of };
}

export function fault(f: FaultRecord): FaultValue {
  return { kind: 'fault', fault: f };
}

export function error(message: string): ErrorValue {
  return { kind: 'error', message };
}

export function bool(b: boolean): bigint {
  return b ? 1n : 0n;
}

export function isError(v: Value): v is ErrorValue {
  return typeof v !== 'bigint' && v.kind === 'error';
}

/** A u64 from a plain number, or an error when it does not fit. */
export function u64(n: bigint): bigint | ErrorValue {
  return n < 0n || n > U64_MAX ? error(`overflow: ${formatInt(n)} is outside 0..2^64-1`) : n;
}

/** The value a result stands for when used as a whole: its primary value. */
export function primaryOf(v: Value): Value {
  return typeof v !== 'bigint' && v.kind === 'record' && v.primary !== undefined ? v.primary : v;
}

/** The integer behind a value, or an error value explaining why there is none. */
export function asInt(v: Value): bigint | ErrorValue {
  const p = primaryOf(v);
  if (typeof p === 'bigint') return p;
  switch (p.kind) {
    case 'error':
      return p;
    case 'fault':
      return error(`fault ${p.fault.kind} (${p.fault.detail})`);
    case 'symbol':
      // `null` is the NULL pointer wherever a number is wanted.
      return p.of === 'constant' && p.name === 'null' ? 0n : error(`${p.name} is not a number`);
    default:
      return error(`${formatValue(p)} is not a number`);
  }
}

/** The elements of a list or byte string (a byte string is a list of u8). */
export function elements(v: Value): Value[] | undefined {
  const p = primaryOf(v);
  if (typeof p === 'bigint') return undefined;
  if (p.kind === 'list') return p.items;
  if (p.kind === 'bytes') return Array.from(p.bytes, (b) => BigInt(b));
  return undefined;
}

/** A field of a record-like value (`r.num_iovas`, `g.start`, `last_fault(d).kind`). */
export function fieldOf(v: Value, name: string): Value {
  if (typeof v === 'bigint') return error(`a number has no field .${name}`);
  switch (v.kind) {
    case 'error':
      return v;
    case 'record': {
      const f = v.fields.get(name);
      return f ?? error(`no field .${name} (fields: ${[...v.fields.keys()].join(', ') || 'none'})`);
    }
    case 'range':
      if (name === 'start') return v.start;
      if (name === 'last') return v.last;
      return error(`a range has only .start and .last, not .${name}`);
    case 'fault':
      return faultField(v.fault, name);
    default:
      return error(`${formatValue(v)} has no field .${name}`);
  }
}

function faultField(f: FaultRecord, name: string): Value {
  const fields: Record<string, Value | undefined> = {
    kind: str(f.kind),
    addr: f.addr,
    write: bool(f.write),
    pasid: f.pasid === undefined ? undefined : BigInt(f.pasid),
    stage: f.stage === undefined ? undefined : BigInt(f.stage),
    level: f.level === undefined ? undefined : BigInt(f.level),
    event: f.event === undefined ? undefined : BigInt(f.event),
    reason: f.reason === undefined ? undefined : BigInt(f.reason),
    ipa: f.ipa,
    fetch_addr: f.fetchAddr,
    class: f.class === undefined ? undefined : BigInt(f.class),
    s2: f.s2 === undefined ? undefined : bool(f.s2),
    detail: str(f.detail),
  };
  // Own keys only: `.constructor` or `.__proto__` must not reach Object.prototype.
  return (Object.hasOwn(fields, name) ? fields[name] : undefined) ?? error(`this ${f.kind} fault record has no .${name}`);
}

/** `==` on values: numbers, byte strings as lists of u8, strings and symbols by name. */
export function valuesEqual(a: Value, b: Value): boolean | ErrorValue {
  const x = primaryOf(a);
  const y = primaryOf(b);
  for (const v of [x, y]) {
    if (typeof v !== 'bigint' && (v.kind === 'error' || v.kind === 'fault')) return asInt(v) as ErrorValue;
  }
  if (typeof x === 'bigint' || typeof y === 'bigint') {
    const xi = asInt(x);
    const yi = asInt(y);
    if (isError(xi)) return xi;
    if (isError(yi)) return yi;
    return xi === yi;
  }
  const xs = elements(x);
  const ys = elements(y);
  if (xs && ys) {
    if (xs.length !== ys.length) return false;
    for (let i = 0; i < xs.length; i++) {
      const e = valuesEqual(xs[i]!, ys[i]!);
      if (e !== true) return e;
    }
    return true;
  }
  if (x.kind === 'string' && y.kind === 'string') return x.value === y.value;
  if (x.kind === 'symbol' && y.kind === 'symbol') return x.name === y.name;
  if (x.kind === 'range' && y.kind === 'range') return x.start === y.start && x.last === y.last;
  if (x.kind === 'record' && y.kind === 'record') {
    if (x.fields.size !== y.fields.size) return false;
    for (const [k, v] of x.fields) {
      const w = y.fields.get(k);
      if (w === undefined) return false;
      const e = valuesEqual(v, w);
      if (e !== true) return e;
    }
    return true;
  }
  return error(`cannot compare ${formatValue(x)} with ${formatValue(y)}`);
}

/**
 * Small numbers in decimal (ids, counts), larger ones in hex (addresses,
 * lengths): how a kernel developer reads them in a log.
 */
export function formatInt(n: bigint): string {
  return n >= 0n && n < 1024n ? n.toString() : n < 0n ? `-0x${(-n).toString(16)}` : `0x${n.toString(16)}`;
}

export function formatValue(v: Value): string {
  if (typeof v === 'bigint') return formatInt(v);
  switch (v.kind) {
    case 'list':
      return `[${v.items.map(formatValue).join(', ')}]`;
    case 'bytes':
      return `h"${Array.from(v.bytes, (b) => b.toString(16).padStart(2, '0')).join(' ')}"`;
    case 'range':
      return `${formatInt(v.start)}..${formatInt(v.last)}`;
    case 'record': {
      const body = `{${[...v.fields].map(([k, x]) => `${k}=${formatValue(x)}`).join(', ')}}`;
      return v.primary === undefined ? body : `${formatValue(v.primary)} ${body}`;
    }
    case 'string':
      return JSON.stringify(v.value);
    case 'symbol':
      return v.name;
    case 'fault':
      return `fault ${v.fault.kind}`;
    case 'error':
      return `error (${v.message})`;
  }
}
