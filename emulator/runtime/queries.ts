// The built-in queries of trace-language §4: side-effect-free looks into the
// machine, the same in `expect`, the debug console and watch expressions.
// A query the machine refuses (an unknown id, a level the walk does not
// reach) is an error value carrying the machine's message, never a throw.
import type { MachineApi, WalkStep } from '../engine/machine-api.js';
import {
  asInt, bool, elements, error, fault, isError, list, primaryOf, record, symbol, type ErrorValue, type Value,
} from './values.js';

type Width = 1 | 2 | 4 | 8;
const WIDTHS: Record<string, Width> = { '8': 1, '16': 2, '32': 4, '64': 8 };

/** Evaluates the query `name` on already evaluated arguments. */
export function runQuery(machine: MachineApi, name: string, args: Value[]): Value {
  const q = QUERIES[name] ?? widthQuery(name);
  if (!q) return error(`${name}() is not a query`);
  const [min, max, body] = q;
  if (args.length < min || args.length > max) {
    return error(`${name}() takes ${min === max ? min : `${min} to ${max}`} argument${max === 1 ? '' : 's'}, not ${args.length}`);
  }
  try {
    return body(machine, args);
  } catch (e) {
    if (e instanceof ArgError) return e.value;
    return error(`${name}(): ${e instanceof Error ? e.message : String(e)}`);
  }
}

type QueryBody = (m: MachineApi, args: Value[]) => Value;
type Query = [minArgs: number, maxArgs: number, body: QueryBody];

class ArgError extends Error {
  constructor(readonly value: ErrorValue) {
    super(value.message);
  }
}

function int(v: Value | undefined): bigint {
  const n = asInt(v ?? 0n);
  if (isError(n)) throw new ArgError(n);
  return n;
}

function optNum(v: Value | undefined): number | undefined {
  return v === undefined ? undefined : Number(int(v));
}

/** The declared name a DEVICE or PROCESS argument stands for. */
function declared(v: Value | undefined, what: 'device' | 'process'): string {
  const p = v === undefined ? undefined : primaryOf(v);
  if (p !== undefined && typeof p !== 'bigint' && p.kind === 'symbol' && p.of === what) return p.name;
  throw new ArgError(error(`expected a ${what} name`));
}

/** The iommufd where ids resolve (trace-language §7). */
function fd(m: MachineApi): string {
  const f = m.queryIommufd();
  if (f === undefined) throw new ArgError(error('no iommufd is open, and none was closed'));
  return f;
}

function walkStepValue(s: WalkStep): Value {
  return record([
    ['stage', BigInt(s.stage)],
    ['level', BigInt(s.level)],
    ['table', s.table],
    ['index', BigInt(s.index)],
    ['descriptor', s.descriptor],
  ]);
}

const QUERIES: Record<string, Query> = {
  users: [1, 1, (m, [id]) => BigInt(m.users(fd(m), int(id)))],
  exists: [1, 1, (m, [id]) => bool(m.exists(fd(m), int(id)))],
  translate: [2, 3, (m, [dev, iova, pasid]) => {
    const r = m.translate(declared(dev, 'device'), int(iova), optNum(pasid));
    return 'pa' in r ? r.pa : fault(r.fault);
  }],
  pa: [1, 2, (m, [addr, proc]) => {
    const p = m.pa(int(addr), proc === undefined ? undefined : declared(proc, 'process'));
    return p ?? error(`no physical page is behind ${int(addr).toString(16)} (not mapped or not touched)`);
  }],
  mapped: [2, 2, (m, [id, iova]) => bool(m.mapped(fd(m), int(id), int(iova)))],
  pte: [3, 3, (m, [id, iova, level]) => m.pte(fd(m), int(id), int(iova), Number(int(level)))],
  owner: [1, 1, (m, [dev]) => symbol(m.owner(declared(dev, 'device')), 'constant')],
  pinned: [1, 1, (m, [addr]) => BigInt(m.pinned(int(addr)))],
  attached: [1, 2, (m, [dev, pasid]) => BigInt(m.attached(fd(m), int(dev), optNum(pasid)))],
  len: [1, 1, (_m, [v]) => {
    const items = elements(v!);
    return items ? BigInt(items.length) : error('len() wants a list or a byte string');
  }],
  walk: [2, 3, (m, [dev, iova, pasid]) => list(m.walk(declared(dev, 'device'), int(iova), optNum(pasid)).map(walkStepValue))],
  last_fault: [1, 1, (m, [dev]) => {
    const f = m.lastFault(declared(dev, 'device'));
    return f ? fault(f) : error('the device has not faulted');
  }],
  root: [1, 1, (m, [id]) => m.root(fd(m), int(id))],
  iotlb: [2, 2, (m, [id, i]) => m.iotlb ? m.iotlb(fd(m), int(id), Number(int(i))) : error('this engine has no iotlb()')],
  dev_cache: [2, 2, (m, [dev, i]) => m.devCache ? m.devCache(fd(m), int(dev), Number(int(i))) : error('this engine has no dev_cache()')],
};

/** `read8/16/32/64(ADDR)` (a CPU load) and `phys8/16/32/64(PA)`. */
function widthQuery(name: string): Query | undefined {
  const m = /^(read|phys)(8|16|32|64)$/.exec(name);
  if (!m) return undefined;
  const width = WIDTHS[m[2]!]!;
  return m[1] === 'read'
    ? [1, 2, (mc, [addr, proc]) => mc.cpuLoad(int(addr), width, proc === undefined ? undefined : declared(proc, 'process'))]
    : [1, 1, (mc, [pa]) => mc.physLoad(int(pa), width)];
}

/** The built-in query names, for completions. */
export function queryNames(): string[] {
  return Object.keys(QUERIES).sort();
}
