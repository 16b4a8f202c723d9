// The shape of the command table (commands.ts): what each command accepts,
// in which order positional arguments go, and what it binds. The checker
// validates statements against it; the runtime evaluates arguments with it.
import type { ObjectType } from '../engine/iommufd/object.js';

export type ArgKind =
  /** Any integer expression. */
  | { type: 'int' }
  /** An address expression (a memory region name evaluates to its start). */
  | { type: 'addr' }
  /** An object id: a name bound by a command of a matching result, or a raw number. */
  | { type: 'id'; objects: ObjectType[] }
  /** A name declared by a topology statement. */
  | { type: 'device' | 'iommu' | 'process' | 'memory' | 'fd' | 'guest_pt' | 'handle' }
  /** `a|b|c` of flag words, `0`, or a number; each word's bit is given. */
  | { type: 'flags'; flags: Record<string, bigint> }
  /** One constant by name, or a number when `numbers` is set. */
  | { type: 'enum'; values: Record<string, bigint>; numbers: boolean }
  /** One bare word from the list (`probe|remove`, `read|write`, `u8..u64`); the value is the word. */
  | { type: 'word'; words: string[] }
  /** A presence switch (`pri`, `no_dirty`, `memfd`): the bare word, or `KEY=0|1`. */
  | { type: 'switch' }
  | { type: 'ranges' }
  | { type: 'list' }
  | { type: 'record' }
  | { type: 'records' }
  | { type: 'bytes' }
  | { type: 'string' };

export interface ArgSpec {
  key: string;
  kind: ArgKind;
  required?: boolean;
  /** May be given without its key, in table order among the positional ones. */
  positional?: boolean;
}

export interface ResultSpec {
  /** What the bare NAME is: an object id (of these types), a number, a list or nothing. */
  primary: { type: 'id'; objects: ObjectType[] } | { type: 'int' } | { type: 'list' } | { type: 'handle' } | { type: 'none' };
  /** `NAME.field` names the command provides. */
  fields: string[];
}

export interface CommandSpec {
  name: string;
  args: ArgSpec[];
  result?: ResultSpec;
  /** The uAPI ioctl the command issues: raw struct controls and field keys apply. */
  ioctl?: string;
  /** Topology commands declare their first positional argument as a new name of this kind. */
  declares?: 'iommu' | 'device' | 'memory' | 'process' | 'fd' | 'guest_pt';
  /** Only meaningful with this IOMMU model (the selftest ops need `mock`). */
  model?: 'mock';
}
