// What the checker knows about a value before anything runs: enough to catch
// an IOAS id where a device id is wanted, a field a result does not have, or
// a constant expression that overflows; anything else is `unknown`.
import type { ObjectType } from '../engine/iommufd/object.js';

export type DeclKind = 'iommu' | 'device' | 'memory' | 'process' | 'fd' | 'guest_pt';

export type StaticValue =
  /** Not known statically (a proc parameter, a list element, ...): every use is accepted. */
  | { t: 'unknown' }
  /** A number; `value` when it is a constant. */
  | { t: 'int'; value?: bigint }
  /** A command's result: its primary value (an object id of `objects`, or `primary`) and its fields. */
  | { t: 'result'; command: string; objects?: ObjectType[]; primary: 'id' | 'int' | 'list' | 'handle' | 'none'; fields: string[] }
  /** A name declared by a topology statement (a memory region is also an address). */
  | { t: 'declared'; what: DeclKind; name: string }
  /** A record whose fields are known (`last_fault()`), or not. */
  | { t: 'record'; fields?: string[] }
  | { t: 'list' }
  | { t: 'string' }
  /** A bare constant word: `none`, `kernel`, `user`, `null`. */
  | { t: 'constant'; name: string }
  | { t: 'proc'; params: string[] };

export const UNKNOWN: StaticValue = { t: 'unknown' };

const DECL_NAMES: Record<DeclKind, string> = {
  iommu: 'an IOMMU',
  device: 'a declared device',
  memory: 'a memory region',
  process: 'a process',
  fd: 'an iommufd',
  guest_pt: 'a guest page table',
};

/** "a declared device", "an IOAS id (from ioas_alloc)", ...: for messages. */
export function describeValue(v: StaticValue): string {
  switch (v.t) {
    case 'declared':
      return DECL_NAMES[v.what];
    case 'result':
      if (v.primary === 'id') return `${anId(v.objects ?? [])} (from ${v.command})`;
      if (v.primary === 'handle') return `a handle (from ${v.command})`;
      return `the result of ${v.command}`;
    case 'int':
      return 'a number';
    case 'record':
      return 'a record';
    case 'list':
      return 'a list';
    case 'string':
      return 'a string';
    case 'constant':
      return `the constant '${v.name}'`;
    case 'proc':
      return 'a proc';
    case 'unknown':
      return 'a value';
  }
}

/** `DEVICE`, `IOAS or HWPT_PAGING`: the object types an id may name. */
export function idName(objects: readonly ObjectType[]): string {
  if (objects.length <= 1) return objects[0] ?? 'object';
  return `${objects.slice(0, -1).join(', ')} or ${objects[objects.length - 1]}`;
}

/** "an IOAS id", "a DEVICE id", "a HWPT_PAGING or HWPT_NESTED id". */
export function anId(objects: readonly ObjectType[]): string {
  const name = idName(objects);
  return `${/^[AEIO]/.test(name) ? 'an' : 'a'} ${name} id`;
}

/** True for values that stand for a number at run time. */
export function isNumeric(v: StaticValue): boolean {
  if (v.t === 'declared') return v.what === 'memory';
  if (v.t === 'result') return v.primary === 'id' || v.primary === 'int';
  return v.t === 'int' || v.t === 'unknown';
}
