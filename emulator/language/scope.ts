// Names in scope. A block (`repeat`, `proc`) opens a child scope: what it
// binds is gone after its `}`; what the file binds lasts to its end, and an
// included file binds into the includer's scope, as if its text were there.
// The language server checks a file in segments (server/language/
// incremental-check.ts): a segment's top-level scope then sits on a view of
// the names the segments above it bound, and removing an outer name (the
// implicit `iommu0`) must hide it there instead of deleting it.
import type { Range } from './ast.js';
import type { StaticValue } from './static-value.js';

export interface Binding {
  value: StaticValue;
  file: string;
  range: Range;
  /** Built in rather than written (`iommufd`, `vmm`, the implicit `iommu0`). */
  builtin?: boolean;
}

/** What a scope falls back to for names it does not bind itself. */
export interface OuterScope {
  lookup(name: string): Binding | undefined;
}

/** Marks a name a top-level scope removed while its outer scope still binds it. */
export const REMOVED: Binding = Object.freeze({
  value: { t: 'unknown' },
  file: '',
  range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
}) as Binding;

export class Scope implements OuterScope {
  private readonly names = new Map<string, Binding>();

  /** `topLevel`: this scope is a file's top level over an outer view (see REMOVED). */
  constructor(
    readonly parent?: OuterScope,
    private readonly topLevel = false,
  ) {}

  lookup(name: string): Binding | undefined {
    const b = this.names.get(name);
    if (b !== undefined) return b === REMOVED ? undefined : b;
    return this.parent?.lookup(name);
  }

  define(name: string, binding: Binding): void {
    this.names.set(name, binding);
  }

  /** Forgets a name of this scope (the implicit `iommu0` once an `iommu` line exists). */
  remove(name: string): void {
    if (this.topLevel) this.names.set(name, REMOVED);
    else this.names.delete(name);
  }

  child(): Scope {
    return new Scope(this);
  }

  /** What this scope binds itself, REMOVED for names it removed: a segment's effect on the scope below it. */
  own(): ReadonlyMap<string, Binding> {
    return this.names;
  }
}
