// The built-in queries (trace-language.md §4): their arguments and what they
// return. The same table serves `expect`, the debug console, conditional
// breakpoints and watch expressions. Query names are reserved.
import type { ObjectType } from '../engine/iommufd/object.js';
import type { ArgKind } from './command-spec.js';
import type { StaticValue } from './static-value.js';

export interface QuerySpec {
  name: string;
  /** Argument kinds; those past `required` may be left out. */
  args: { name: string; kind: ArgKind }[];
  required: number;
  returns: StaticValue;
}

const INT: ArgKind = { type: 'int' };
const ADDR: ArgKind = { type: 'addr' };
const DEVICE: ArgKind = { type: 'device' };
const id = (...objects: ObjectType[]): ArgKind => ({ type: 'id', objects });
const ANY_ID = id('DEVICE', 'HWPT_PAGING', 'HWPT_NESTED', 'IOAS', 'ACCESS', 'FAULT', 'VIOMMU', 'VDEVICE', 'VEVENTQ', 'HW_QUEUE');
const HWPT = id('HWPT_PAGING', 'HWPT_NESTED');
const NUMBER: StaticValue = { t: 'int' };

/** The fields of `last_fault()` (FaultRecord in the engine's terms). */
export const FAULT_FIELDS = ['kind', 'event', 'reason', 'stage', 'level', 'class', 's2', 'addr', 'ipa', 'fetch_addr'];

const q = (name: string, required: number, returns: StaticValue, ...args: [string, ArgKind][]): QuerySpec => ({
  name,
  required,
  returns,
  args: args.map(([n, kind]) => ({ name: n, kind })),
});

const LIST: QuerySpec[] = [
  q('users', 1, NUMBER, ['ID', ANY_ID]),
  q('exists', 1, NUMBER, ['ID', ANY_ID]),
  q('translate', 2, NUMBER, ['DEVICE', DEVICE], ['IOVA', INT], ['PASID', INT]),
  q('pa', 1, NUMBER, ['ADDR', ADDR], ['PROCESS', { type: 'process' }]),
  q('mapped', 2, NUMBER, ['IOAS_OR_HWPT', id('IOAS', 'HWPT_PAGING', 'HWPT_NESTED')], ['IOVA', INT]),
  ...[8, 16, 32, 64].map((w) => q(`read${w}`, 1, NUMBER, ['ADDR', ADDR])),
  q('pte', 3, NUMBER, ['HWPT', HWPT], ['IOVA', INT], ['LEVEL', INT]),
  q('owner', 1, { t: 'unknown' }, ['DEVICE', DEVICE]),
  q('pinned', 1, NUMBER, ['ADDR', ADDR]),
  q('attached', 1, NUMBER, ['DEV', id('DEVICE')], ['PASID', INT]),
  q('len', 1, NUMBER, ['LIST', { type: 'list' }]),
  q('walk', 2, { t: 'list' }, ['DEVICE', DEVICE], ['IOVA', INT], ['PASID', INT]),
  q('last_fault', 1, { t: 'record', fields: FAULT_FIELDS }, ['DEVICE', DEVICE]),
  q('root', 1, NUMBER, ['HWPT', HWPT]),
  ...[8, 16, 32, 64].map((w) => q(`phys${w}`, 1, NUMBER, ['PA', INT])),
  q('iotlb', 2, NUMBER, ['HWPT', HWPT], ['I', INT]),
  q('dev_cache', 2, NUMBER, ['DEV', id('DEVICE')], ['I', INT]),
];

export const QUERIES: ReadonlyMap<string, QuerySpec> = new Map(LIST.map((s) => [s.name, s]));

/** Bare words with a fixed meaning: `owner()`'s answers and the NULL pointer. */
export const CONSTANTS: ReadonlySet<string> = new Set(['none', 'kernel', 'user', 'null']);
