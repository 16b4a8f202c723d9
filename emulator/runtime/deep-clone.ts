// A structural copy of a whole object graph: how the debugger takes a
// checkpoint of the machine and the run, and restores one. The engine is
// plain class instances (prototype methods, Map/Set, typed arrays, bigints,
// cycles), so copying own fields under the same prototypes yields a machine
// that behaves exactly like the original from that point on. Objects in
// `shared` (the program's AST: immutable, and identity matters to
// breakpoints) are kept, not copied. A function stored in the graph may be a
// closure over the original objects, which a copy would silently share: it
// is refused (CloneError), and the caller falls back to re-execution.
//
// A deeply frozen object (a module's constant, handed to every device that
// needs it) is kept too: it cannot change, and copying it would split one
// object the original shares into two.
//
// An object may also let a copy share part of what it holds: one with a
// `shareWithCopy()` method (host memory: its frames, which it copies before
// writing them again) is asked, before it is copied, which objects the copy
// keeps as they are.

/** Something a structural copy cannot reproduce faithfully. */
export class CloneError extends Error {}

/** See the header: what an object that shares part of itself with its copies implements. */
interface SharesWithCopy {
  shareWithCopy(): Iterable<object>;
}

function sharesWithCopy(v: object): v is SharesWithCopy {
  return typeof (v as Partial<SharesWithCopy>).shareWithCopy === 'function';
}

export function deepClone<T>(root: T, shared: ReadonlySet<object> = new Set()): T {
  /** Each object met so far and its copy (itself when it is kept: `shareWithCopy`, deeply frozen). */
  const seen = new Map<object, unknown>();

  const copy = (v: unknown): unknown => {
    if (typeof v === 'function') throw new CloneError(`cannot copy the function ${v.name || '(anonymous)'}: it may close over state`);
    if (typeof v !== 'object' || v === null) return v;
    const done = seen.get(v);
    if (done !== undefined) return done;
    if (shared.has(v)) return v;
    if (Array.isArray(v) && Object.getPrototypeOf(v) === Array.prototype) return copyArray(v);
    if (v instanceof ArrayBuffer) {
      const b = v.slice(0);
      seen.set(v, b);
      return b;
    }
    if (ArrayBuffer.isView(v)) {
      // Views onto one buffer stay views onto one (copied) buffer. A typed
      // array's own keys are its elements, which the buffer copy carries:
      // walking them one by one made a 4 KiB frame cost 4096 property copies.
      const buf = copy(v.buffer) as ArrayBuffer;
      const Ctor = v.constructor as new (b: ArrayBuffer, off: number, len: number) => ArrayBufferView;
      const len = v instanceof DataView ? v.byteLength : (v as unknown as { length: number }).length;
      const out = new Ctor(buf, v.byteOffset, len);
      seen.set(v, out);
      return out;
    }
    if (v instanceof WeakMap || v instanceof WeakSet || v instanceof Promise) {
      throw new CloneError(`cannot copy a ${v.constructor.name}`);
    }
    if (deeplyFrozen(v)) {
      seen.set(v, v);
      return v;
    }
    if (sharesWithCopy(v)) for (const o of v.shareWithCopy()) seen.set(o, o);
    // Maps, Sets and arrays need their internal slots: construct, then adopt the prototype (subclasses).
    const proto = Object.getPrototypeOf(v) as object | null;
    const out: object =
      v instanceof Map ? new Map() : v instanceof Set ? new Set() : Array.isArray(v) ? new Array(v.length) : Object.create(proto);
    if (Object.getPrototypeOf(out) !== proto) Object.setPrototypeOf(out, proto);
    seen.set(v, out);
    if (v instanceof Map) {
      for (const [k, x] of v) (out as Map<unknown, unknown>).set(copy(k), copy(x));
    } else if (v instanceof Set) {
      for (const x of v) (out as Set<unknown>).add(copy(x));
    }
    copyOwnProperties(v, out, copy);
    return out;
  };

  /**
   * A plain array, element by element: the engine holds thousands of small
   * ones, and going through each index's property descriptor cost more than
   * the rest of the copy. One with properties besides its elements (never
   * seen in the engine) goes through them all after all.
   */
  const copyArray = (v: unknown[]): unknown[] => {
    const out = new Array<unknown>(v.length);
    seen.set(v, out);
    let present = 0;
    for (let i = 0; i < v.length; i++) {
      if (!(i in v)) continue;
      out[i] = copy(v[i]);
      present++;
    }
    if (Reflect.ownKeys(v).length !== present + 1) copyOwnProperties(v, out, copy);
    return out;
  };

  return copy(root) as T;
}

/** Frozen, and so is every object it holds (a Map or Set is never: freezing does not stop `set`). */
function deeplyFrozen(v: object): boolean {
  if (!Object.isFrozen(v) || v instanceof Map || v instanceof Set) return false;
  for (const key of Reflect.ownKeys(v)) {
    const x = (v as Record<PropertyKey, unknown>)[key];
    if (typeof x === 'object' && x !== null && !deeplyFrozen(x)) return false;
  }
  return true;
}

function copyOwnProperties(from: object, to: object, copy: (v: unknown) => unknown): void {
  const src = from as Record<PropertyKey, unknown>;
  const dst = to as Record<PropertyKey, unknown>;
  // Class fields and object literal entries are plain data properties (the
  // engine's own kind): when every own property is one, they are assigned,
  // which costs far less than defining each through its descriptor on a
  // fresh object (the larger part of a checkpoint's time). Anything else
  // (symbols, non-enumerable, read-only or accessor properties) is defined.
  const keys = Object.keys(from);
  if (Object.getOwnPropertyNames(from).length === keys.length && Object.getOwnPropertySymbols(from).length === 0) {
    let plain = true;
    for (const key of keys) {
      const d = Object.getOwnPropertyDescriptor(from, key)!;
      if (!('value' in d) || !d.writable || !d.configurable) {
        plain = false;
        break;
      }
    }
    if (plain) {
      for (const key of keys) dst[key] = copy(src[key]);
      return;
    }
  }
  for (const key of Reflect.ownKeys(from)) {
    const d = Object.getOwnPropertyDescriptor(from, key)!;
    if ('value' in d) d.value = copy(d.value);
    Object.defineProperty(to, key, d);
  }
}
