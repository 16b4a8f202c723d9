// Byte layouts of uAPI structs, and a view to read and write their fields.
// Structs cross the user/kernel boundary as bytes (little-endian, x86-64
// layout) so that the framework's size checks, trailing bytes and partial
// copies behave exactly as the kernel's do.
import { loadLE, storeLE } from '../memory/little-endian.js';

export interface FieldDef {
  name: string;
  offset: number;
  size: 1 | 2 | 4 | 8;
  /** A user pointer (the language can override it, e.g. `data_uptr=0`). */
  pointer?: boolean;
}

export interface StructDef {
  name: string;
  /** sizeof() of the kernel's struct. */
  size: number;
  /** Offset of the end of the last required field: a shorter `size` is EINVAL. */
  minSize: number;
  fields: FieldDef[];
}

type FieldSpec = [name: string, size: 1 | 2 | 4 | 8, pointer?: 'ptr'];

/** Lays fields out in order with natural alignment, as the C compiler does. */
export function struct(name: string, specs: FieldSpec[], lastRequired?: string): StructDef {
  const fields: FieldDef[] = [];
  let offset = 0;
  for (const [fname, size, ptr] of specs) {
    offset = Math.ceil(offset / size) * size;
    fields.push({ name: fname, offset, size, pointer: ptr === 'ptr' || undefined });
    offset += size;
  }
  const align = Math.max(...specs.map((s) => s[1]));
  const size = Math.ceil(offset / align) * align;
  let minSize = size;
  if (lastRequired !== undefined) {
    const f = fields.find((x) => x.name === lastRequired);
    if (!f) throw new Error(`struct ${name}: no field ${lastRequired}`);
    minSize = f.offset + f.size;
  }
  return { name, size, minSize, fields };
}

export function field(def: StructDef, name: string): FieldDef {
  // A plain loop: every ioctl looks fields up by name several times, and structs have a dozen fields at most.
  const fields = def.fields;
  for (let i = 0; i < fields.length; i++) if (fields[i]!.name === name) return fields[i]!;
  throw new Error(`struct ${def.name} has no field ${name}`);
}

/** Reads and writes the fields of one struct instance held in `bytes`. */
export class StructView {
  constructor(
    readonly def: StructDef,
    readonly bytes: Uint8Array,
  ) {}

  static zeroed(def: StructDef): StructView {
    return new StructView(def, new Uint8Array(def.size));
  }

  get(name: string): bigint {
    const f = field(this.def, name);
    return readLE(this.bytes, f.offset, f.size);
  }

  /**
   * The field as a JS number (for fields of 4 bytes or less: ids, sizes,
   * counts). Read straight from the bytes: ids are looked up on every ioctl,
   * and a BigInt made only to be converted back is wasted work.
   */
  num(name: string): number {
    const f = field(this.def, name);
    const b = this.bytes;
    const o = f.offset;
    // Past the end of a short buffer reads as zero: readLE knows how.
    if (f.size === 8 || o + f.size > b.length) return Number(readLE(b, o, f.size));
    if (f.size === 1) return b[o]!;
    if (f.size === 2) return b[o]! | (b[o + 1]! << 8);
    return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
  }

  set(name: string, value: bigint | number): void {
    const f = field(this.def, name);
    writeLE(this.bytes, f.offset, f.size, BigInt(value));
  }
}

/** A field's value; bytes past the end of `bytes` read as zero. */
export function readLE(bytes: Uint8Array, offset: number, size: number): bigint {
  if (offset + size <= bytes.length && (size === 1 || size === 2 || size === 4 || size === 8)) return loadLE(bytes, offset, size);
  let v = 0n;
  for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[offset + i] ?? 0);
  return v;
}

export function writeLE(bytes: Uint8Array, offset: number, size: number, value: bigint): void {
  if (size === 1 || size === 2 || size === 4 || size === 8) {
    storeLE(bytes, offset, size, value);
    return;
  }
  let v = BigInt.asUintN(size * 8, value);
  for (let i = 0; i < size; i++) {
    bytes[offset + i] = Number(v & 0xffn);
    v >>= 8n;
  }
}
