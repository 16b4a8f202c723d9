// Names in scope. A block (`repeat`, `proc`) opens a child scope: what it
// binds is gone after its `}`; what the file binds lasts to its end, and an
// included file binds into the includer's scope, as if its text were there.
import type { Range } from './ast.js';
import type { StaticValue } from './static-value.js';

export interface Binding {
  value: StaticValue;
  file: string;
  range: Range;
  /** Built in rather than written (`iommufd`, `vmm`, the implicit `iommu0`). */
  builtin?: boolean;
}

export class Scope {
  private readonly names = new Map<string, Binding>();

  constructor(readonly parent?: Scope) {}

  lookup(name: string): Binding | undefined {
    return this.names.get(name) ?? this.parent?.lookup(name);
  }

  define(name: string, binding: Binding): void {
    this.names.set(name, binding);
  }

  /** Forgets a name of this scope (the implicit `iommu0` once an `iommu` line exists). */
  remove(name: string): void {
    this.names.delete(name);
  }

  child(): Scope {
    return new Scope(this);
  }
}
