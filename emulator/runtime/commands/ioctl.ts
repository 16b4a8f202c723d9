// Issuing one ioctl for a statement: the struct the statement derived, with
// the raw controls and field overrides it was given, and the struct the
// kernel wrote back turned into the statement's result.
import type { KernelError } from '../../engine/errno.js';
import { iommufdCmd, type IoctlDef } from '../../engine/uapi/iommufd.js';
import type { StructDef } from '../../engine/uapi/layout.js';
import { buildStruct, decodeField, decodeStruct, fieldForKey, type StructControls } from '../marshal.js';
import type { Actual } from '../outcome.js';
import type { Value } from '../values.js';
import { iommufd, type CommandContext, type CommandOutcome } from './context.js';

/**
 * One ioctl's end: its error, and the struct the kernel left. The fields are
 * decoded when first read: most statements bind no name, so their result
 * record (every field, as a Map) was built only to be dropped.
 *
 * A successful call is also its statement's outcome (`finish`), one object
 * rather than three: its `actual` and its result record are made when first
 * read, and a statement that expects plain success reads neither
 * (`succeeded` says enough; interpreter.ts).
 */
export class IoctlDone implements CommandOutcome {
  private decoded: Map<string, bigint> | undefined;
  /** The field that is the statement's value and its record's bare name (`finish`). */
  private primary: string | undefined;
  private extra: readonly [string, Value][] = NO_EXTRA;
  /** The result record once made or given; NOT_MADE before. */
  private made: Value | undefined | typeof NOT_MADE = NOT_MADE;

  constructor(
    readonly error: KernelError | undefined,
    private readonly def: StructDef,
    /** The struct after the call (as passed, if the kernel wrote nothing back); null for `arg=null`. Never modified. */
    private readonly bytes: Uint8Array | null,
  ) {}

  /** The fields of the struct after the call; never modified. */
  get out(): Map<string, bigint> {
    return (this.decoded ??= this.bytes ? decodeStruct(this.def, this.bytes) : new Map());
  }

  /** `out.get(key)` without decoding the other fields. */
  field(key: string): bigint | undefined {
    if (this.decoded) return this.decoded.get(key);
    return this.bytes ? decodeField(this.def, this.bytes, key) : undefined;
  }

  get succeeded(): boolean {
    return this.error === undefined;
  }

  /**
   * As an outcome (`finish` makes a successful call one): `ok` with the
   * primary field as its value. Made at each read (a run reads it once at
   * most) rather than kept in a field of every call.
   */
  get actual(): Actual {
    const e = this.error;
    if (e) return { kind: 'errno', errno: e.errno, reason: e.reason };
    return { kind: 'ok', value: this.primary === undefined ? undefined : this.field(this.primary) };
  }

  /** The result record: made on first read (a statement that binds a name), or given (`out.result = ...`). */
  get result(): Value | undefined {
    if (this.made === NOT_MADE) this.made = outputs(this, this.primary, this.extra);
    return this.made;
  }

  set result(v: Value | undefined) {
    this.made = v;
  }

  /** Makes a successful call its statement's outcome (`finish`). */
  asOutcome(primary: string | undefined, extra: readonly [string, Value][]): CommandOutcome {
    this.primary = primary;
    this.extra = extra;
    return this;
  }
}

const NO_CONTROLS: StructControls = {};
/** `IoctlDone.made` before its result record is made (undefined is a result: no outputs). */
const NOT_MADE: unique symbol = Symbol('not made');
/** No extra result fields: one shared empty list rather than a new one per ioctl. */
const NO_EXTRA: readonly [string, Value][] = [];

/** `size=`, `trailing=`, `arg=null` and every key left over that names a field of the struct. */
function controls(ctx: CommandContext, def: IoctlDef): StructControls {
  const { args } = ctx;
  // The controls are keys no handler reads: with every key read, there are none to look for.
  if (args.allRead()) return NO_CONTROLS;
  const argNull = args.has('arg') && (args.word('arg') === 'null' || args.int('arg') === 0n);
  const size = args.num('size');
  const trailing = args.num('trailing');
  let overrides: Map<string, bigint> | undefined;
  for (const key of args.unused()) {
    const name = fieldForKey(def.struct, key);
    if (name !== undefined) (overrides ??= new Map()).set(name, args.required(key));
  }
  return { argNull, size, trailing, overrides };
}

/**
 * Issues `def` on the statement's iommufd, or on a VFIO device file when
 * `device` is given. Call it after every other argument has been read: the
 * keys still unread are the field overrides.
 */
export function issue(ctx: CommandContext, def: IoctlDef, values: Record<string, bigint>, device?: string): IoctlDone {
  const fd = device === undefined ? iommufd(ctx) : undefined;
  const arg = buildStruct(def.struct, values, controls(ctx, def));
  // VFIO's device ioctls are _IO(';', nr) as well, so one encoding serves both files.
  const cmd = iommufdCmd(def.nr);
  const r = fd === undefined ? ctx.machine.vfioIoctl(device!, cmd, arg) : ctx.machine.ioctl(fd, cmd, arg);
  return new IoctlDone(r.error, def.struct, r.arg);
}

/**
 * The struct's output fields (plus `extra`) as a result record whose bare
 * name is the field `primary`, or `primaryValue`.
 */
export function outputs(done: IoctlDone, primary?: string, extra: readonly [string, Value][] = NO_EXTRA, primaryValue?: Value): Value {
  // `done.out` is this call's own map and is only ever read, so a record
  // without extra fields takes it as it is rather than copying it.
  let fields = done.out as Map<string, Value>;
  if (extra.length > 0) {
    fields = new Map(fields);
    for (const [k, v] of extra) fields.set(k, v);
  }
  return { kind: 'record', fields, primary: primary === undefined ? primaryValue : done.field(primary) };
}

/** The usual ending: errno on failure, else the output record. */
export function finish(done: IoctlDone, primary?: string, extra: readonly [string, Value][] = NO_EXTRA): CommandOutcome {
  if (done.error) return { actual: { kind: 'errno', errno: done.error.errno, reason: done.error.reason } };
  return done.asOutcome(primary, extra);
}
