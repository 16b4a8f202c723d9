// Where names live while a trace runs. A block (a loop body, a procedure
// call) gets its own scope whose bindings end with it; lookups walk outwards.
// Topology declarations (devices, memory, processes, fds) are global: the
// machine has them for the rest of the run, wherever they were declared.
import type { Value } from './values.js';

export class Scope {
  /** Insertion-ordered, so the debugger lists locals in the order they were bound. */
  readonly bindings = new Map<string, Value>();

  constructor(readonly parent?: Scope) {}

  lookup(name: string): Value | undefined {
    for (let s: Scope | undefined = this; s; s = s.parent) {
      const v = s.bindings.get(name);
      if (v !== undefined) return v;
    }
    return undefined;
  }

  /** Binds (or shadows) a name in this scope. */
  bind(name: string, value: Value): void {
    this.bindings.set(name, value);
  }
}
