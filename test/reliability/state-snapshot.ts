// A deep, deterministic text picture of an object graph (the whole Machine):
// every reachable object's class and own fields, Maps and Sets in their
// order, byte arrays by content. Two snapshots are equal exactly when the
// graphs are, so "a failed ioctl changed nothing" is a string compare. It
// walks the engine's private fields on purpose (each object is tagged with
// the path it was first reached by, for messages): a rollback that forgets an
// internal counter is a bug even when no query shows it yet.

/** Fields that are not kernel state: allocator cursors whose value no trace can observe. */
export interface SnapshotOptions {
  /** `ClassName.field` pairs to leave out. */
  ignore?: ReadonlySet<string>;
  /** Map entries to leave out, by value: storage markers that stand for "no entry". */
  omitEntry?: (value: unknown) => boolean;
}

/**
 * The object table keeps a released id's key, marked free, to dodge V8's cost
 * of deleting and re-adding a Map key (object-table.ts): such an entry means
 * the same as no entry, so rollback checks leave it out.
 */
export const freeSlot = (value: unknown): boolean => (value as { state?: unknown } | undefined)?.state === 'free';

export function snapshot(root: unknown, opts: SnapshotOptions = {}): string {
  const seen = new Map<object, number>();
  const out: string[] = [];
  const ignore = opts.ignore ?? new Set<string>();

  const ref = (v: unknown, path: string): string => {
    if (v === null || v === undefined) return String(v);
    switch (typeof v) {
      case 'bigint':
        return `${v}n`;
      case 'string':
        return JSON.stringify(v);
      case 'number':
      case 'boolean':
        return String(v);
      case 'function':
        return 'fn';
      case 'symbol':
        return v.toString();
    }
    const obj = v as object;
    const known = seen.get(obj);
    if (known !== undefined) return `#${known}`;
    const n = seen.size;
    seen.set(obj, n);
    // Reserve the line first so the picture lists objects in first-visit order.
    const at = out.push('') - 1;
    out[at] = `#${n} ${describe(obj, path)}  @${path}`;
    return `#${n}`;
  };

  const describe = (obj: object, path: string): string => {
    if (ArrayBuffer.isView(obj)) {
      const bytes = new Uint8Array(obj.buffer, obj.byteOffset, obj.byteLength);
      return `bytes[${bytes.length}] ${Buffer.from(bytes).toString('hex')}`;
    }
    if (Array.isArray(obj)) return `[${obj.map((v, i) => ref(v, `${path}[${i}]`)).join(', ')}]`;
    if (obj instanceof Map) return `Map{${[...obj].filter(([, v]) => !opts.omitEntry?.(v)).map(([k, v], i) => `${ref(k, `${path}.key${i}`)} => ${ref(v, `${path}.val${i}`)}`).join(', ')}}`;
    if (obj instanceof Set) return `Set{${[...obj].map((v, i) => ref(v, `${path}.item${i}`)).join(', ')}}`;
    const cls = obj.constructor?.name ?? 'Object';
    const fields = Object.keys(obj)
      .filter((k) => !ignore.has(`${cls}.${k}`))
      .map((k) => `${k}: ${ref((obj as Record<string, unknown>)[k], `${path}.${k}`)}`);
    return `${cls} {${fields.join(', ')}}`;
  };

  ref(root, 'root');
  return out.join('\n');
}

/**
 * The first object whose own description differs, for an assertion message.
 * Reference numbers are compared loosely: an inserted object renumbers
 * everything after it, and the first real change is what matters.
 */
export function firstDifference(a: string, b: string): string {
  const la = a.split('\n');
  const lb = b.split('\n');
  const loose = (l: string | undefined) => l?.replace(/#\d+/g, '#').replace(/  @.*$/, '');
  for (let i = 0; i < Math.max(la.length, lb.length); i++) {
    if (loose(la[i]) !== loose(lb[i])) return `object ${i}:\n- ${la[i]?.slice(0, 600)}\n+ ${lb[i]?.slice(0, 600)}`;
  }
  return 'only references differ';
}
