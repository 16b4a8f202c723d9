// Turning a statement into the bytes of a uAPI struct, and the struct the
// kernel wrote back into result fields. The raw controls of trace-language
// §2 live here: `size=N` (the size/argsz field and the buffer length),
// `trailing=B` (every byte past the kernel's struct), `arg=null`, and field
// overrides that replace what the statement derived.
import { readLE, writeLE, type FieldDef, type StructDef } from '../engine/uapi/layout.js';
import { Slabs } from '../engine/memory/slabs.js';

export interface StructControls {
  /** The size the caller passes; default the kernel's sizeof. */
  size?: number;
  /** The byte written past the kernel's struct when `size` is larger. */
  trailing?: number;
  /** `arg=null`: a NULL argument pointer. */
  argNull?: boolean;
  /** Field values given as keys; they win over derived ones. */
  overrides?: ReadonlyMap<string, bigint>;
}

/** The field that carries the struct's size (`size`, or VFIO's `argsz`). */
function sizeField(def: StructDef): FieldDef {
  return def.fields[0]!;
}

/** The struct field a statement key names: the field itself, or an `out_` field without its prefix. */
export function fieldForKey(def: StructDef, key: string): string | undefined {
  return def.fields.find((f) => f.name === key || f.name === `out_${key}`)?.name;
}

/**
 * Builds the argument of one ioctl: `values` are the fields the statement
 * derived (unnamed fields are zero), then the controls apply.
 */
export function buildStruct(def: StructDef, values: Readonly<Record<string, bigint>>, controls: StructControls = {}): Uint8Array | null {
  if (controls.argNull) return null;
  const size = controls.size ?? def.size;
  // The fields are written straight into the caller's buffer (at least the
  // kernel's sizeof long, so every field fits), then cut to `size`.
  const out = userBuffer(size > def.size ? size : def.size);
  const plan = planOf(def);
  store(out, sizeField(def), size === def.size ? plan.size : BigInt(size));
  let i = 0;
  for (const name in values) store(out, plan.fieldAt(i++, name), values[name]!);
  if (controls.overrides) for (const [name, v] of controls.overrides) store(out, plan.field(name), v);
  if (size < def.size) return out.slice(0, size);
  if (controls.trailing) out.fill(controls.trailing, def.size);
  return out;
}

/** The size of the slabs that `userBuffer` carves arguments from. */
const SLAB_BYTES = 64 * 1024;
/** Each argument starts 8-aligned, as a struct in user memory would. */
const ARGUMENTS = new Slabs(SLAB_BYTES, SLAB_BYTES, 8);

/**
 * A fresh zeroed buffer of `n` bytes for one ioctl's argument (the kernel
 * writes its outputs into it). Carved from a shared slab (slabs.ts): a
 * Uint8Array of its own costs ~240 bytes of heap (it has its own buffer
 * object), a view ~100, and every statement that issues an ioctl makes one.
 */
function userBuffer(n: number): Uint8Array {
  return n > SLAB_BYTES / 8 ? new Uint8Array(n) : ARGUMENTS.take(n);
}

/**
 * A u64 and its bytes: a field is stored into it and its low bytes copied
 * out. Storing a BigInt into a BigUint64Array truncates it to 64 bits
 * without a BigInt-to-Number conversion, which costs more than the copy;
 * every field of every ioctl passes here. (Typed arrays are little-endian
 * on every platform Node runs on, as the structs are.)
 */
const U64 = new BigUint64Array(1);
const U64_BYTES = new Uint8Array(U64.buffer);

/**
 * What building one struct needs, worked out once per struct rather than
 * per ioctl: its fields by name (the first of a name, as `field` finds it),
 * and its size as the BigInt its size field usually holds.
 */
class StructPlan {
  private readonly byName = new Map<string, FieldDef>();
  /**
   * The value names of the last build, in order, and their fields: a
   * command passes the same names in the same order every time, so the
   * n-th name is nearly always the one seen last time (one comparison of
   * interned names instead of a hash lookup per value).
   */
  private readonly lastNames: string[] = [];
  private readonly lastFields: FieldDef[] = [];
  readonly size: bigint;

  constructor(private readonly def: StructDef) {
    for (const f of def.fields) if (!this.byName.has(f.name)) this.byName.set(f.name, f);
    this.size = BigInt(def.size);
  }

  /** The field of the `index`-th value, named `name`. */
  fieldAt(index: number, name: string): FieldDef {
    if (this.lastNames[index] === name) return this.lastFields[index]!;
    const f = this.field(name);
    this.lastNames[index] = name;
    this.lastFields[index] = f;
    return f;
  }

  field(name: string): FieldDef {
    const f = this.byName.get(name);
    if (f === undefined) throw new Error(`struct ${this.def.name} has no field ${name}`);
    return f;
  }
}

const PLANS = new WeakMap<StructDef, StructPlan>();

function planOf(def: StructDef): StructPlan {
  let plan = PLANS.get(def);
  if (!plan) PLANS.set(def, (plan = new StructPlan(def)));
  return plan;
}

/** Writes the low `f.size` bytes of `value` little-endian, as `storeLE` does (unrolled: a loop measured slower). */
function store(bytes: Uint8Array, f: FieldDef, value: bigint): void {
  U64[0] = value;
  const o = f.offset;
  const n = f.size;
  bytes[o] = U64_BYTES[0]!;
  if (n === 1) return;
  bytes[o + 1] = U64_BYTES[1]!;
  if (n === 2) return;
  bytes[o + 2] = U64_BYTES[2]!;
  bytes[o + 3] = U64_BYTES[3]!;
  if (n === 4) return;
  bytes[o + 4] = U64_BYTES[4]!;
  bytes[o + 5] = U64_BYTES[5]!;
  bytes[o + 6] = U64_BYTES[6]!;
  bytes[o + 7] = U64_BYTES[7]!;
}

/**
 * The fields of a struct as the kernel left it, keyed as the language names
 * them (without `out_`); the size field and `__reserved` padding are left out.
 * A struct shorter than the kernel's reads as zero past its end.
 */
export function decodeStruct(def: StructDef, bytes: Uint8Array): Map<string, bigint> {
  const out = decodeFields(def, bytes);
  out.delete(sizeField(def).name);
  return out;
}

/** One field of `decodeStruct`'s result (`key` as the language names it), without decoding the others. */
export function decodeField(def: StructDef, bytes: Uint8Array, key: string): bigint | undefined {
  if (key === sizeField(def).name) return undefined;
  // The last field of that name wins, as in decodeStruct's Map: search from the end.
  const fields = namedFields(def);
  for (let i = fields.length - 1; i >= 0; i--) {
    const f = fields[i]!;
    if (f.key === key) return readLE(bytes, f.offset, f.size);
  }
  return undefined;
}

/** Every named field of a struct (a driver blob has no size field to leave out). */
export function decodeFields(def: StructDef, bytes: Uint8Array): Map<string, bigint> {
  const out = new Map<string, bigint>();
  // readLE reads bytes past the end of a short struct as zero.
  for (const f of namedFields(def)) out.set(f.key, readLE(bytes, f.offset, f.size));
  return out;
}

interface NamedField {
  /** The name as the language says it: `out_` dropped. */
  key: string;
  offset: number;
  size: number;
}

/** Per struct: its fields that results show (no `__reserved` padding), worked out once rather than per ioctl. */
const NAMED_FIELDS = new WeakMap<StructDef, readonly NamedField[]>();

function namedFields(def: StructDef): readonly NamedField[] {
  let list = NAMED_FIELDS.get(def);
  if (!list) {
    list = def.fields
      .filter((f) => !f.name.startsWith('__'))
      .map((f) => ({ key: f.name.startsWith('out_') ? f.name.slice(4) : f.name, offset: f.offset, size: f.size }));
    NAMED_FIELDS.set(def, list);
  }
  return list;
}

/** A packed little-endian array of fixed-size integer records (iova ranges, bitmaps). */
export function packWords(words: readonly bigint[], width: 4 | 8): Uint8Array {
  const out = new Uint8Array(words.length * width);
  words.forEach((w, i) => writeLE(out, i * width, width, w));
  return out;
}

export function unpackWords(bytes: Uint8Array, width: 4 | 8): bigint[] {
  const out: bigint[] = [];
  for (let off = 0; off + width <= bytes.length; off += width) out.push(readLE(bytes, off, width));
  return out;
}
