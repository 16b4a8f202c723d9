// A structural copy of a whole object graph: how the debugger takes a
// checkpoint of the machine and the run, and restores one. The engine is
// plain class instances (prototype methods, Map/Set, typed arrays, bigints,
// cycles), so copying own fields under the same prototypes yields a machine
// that behaves exactly like the original from that point on. Objects in
// `shared` (the program's AST: immutable, and identity matters to
// breakpoints) are kept, not copied. A function stored in the graph may be a
// closure over the original objects, which a copy would silently share: it
// is refused (CloneError), and the caller falls back to re-execution.

/** Something a structural copy cannot reproduce faithfully. */
export class CloneError extends Error {}

export function deepClone<T>(root: T, shared: ReadonlySet<object> = new Set()): T {
  const seen = new Map<object, unknown>();

  const copy = (v: unknown): unknown => {
    if (typeof v === 'function') throw new CloneError(`cannot copy the function ${v.name || '(anonymous)'}: it may close over state`);
    if (typeof v !== 'object' || v === null) return v;
    if (shared.has(v)) return v;
    const done = seen.get(v);
    if (done !== undefined) return done;
    if (v instanceof ArrayBuffer) {
      const b = v.slice(0);
      seen.set(v, b);
      return b;
    }
    if (ArrayBuffer.isView(v)) {
      // Views onto one buffer stay views onto one (copied) buffer.
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
    for (const key of Reflect.ownKeys(v)) {
      const d = Object.getOwnPropertyDescriptor(v, key)!;
      if ('value' in d) d.value = copy(d.value);
      Object.defineProperty(out, key, d);
    }
    return out;
  };

  return copy(root) as T;
}

/** Every object reachable from `root`: what a copy must keep rather than duplicate (an AST). */
export function reachableObjects(root: object): Set<object> {
  const all = new Set<object>();
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v !== 'object' || v === null || all.has(v)) continue;
    all.add(v);
    if (v instanceof Map) for (const [k, x] of v) stack.push(k, x);
    else if (v instanceof Set) for (const x of v) stack.push(x);
    for (const key of Reflect.ownKeys(v)) stack.push((v as Record<PropertyKey, unknown>)[key]);
  }
  return all;
}
