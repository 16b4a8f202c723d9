// A command's arguments under their keys, as the checker matched them (the
// `resolved` of a CommandStmt). A statement has a handful of arguments, and
// every statement of a trace gets one of these each time it is checked or
// parsed again to run: two short arrays searched in order cost a fraction
// of a Map's hashing and allocation. It reads as a ReadonlyMap, in the
// order the arguments were matched.
import type { Expr } from './ast.js';

export class ResolvedArgs implements ReadonlyMap<string, Expr> {
  private readonly names: string[] = [];
  private readonly exprs: Expr[] = [];

  get size(): number {
    return this.names.length;
  }

  has(key: string): boolean {
    return this.names.indexOf(key) >= 0;
  }

  get(key: string): Expr | undefined {
    const i = this.names.indexOf(key);
    return i >= 0 ? this.exprs[i] : undefined;
  }

  /** Adds a key the statement has not given yet (the checker reports a second one instead). */
  add(key: string, value: Expr): void {
    this.names.push(key);
    this.exprs.push(value);
  }

  forEach(callback: (value: Expr, key: string, map: ReadonlyMap<string, Expr>) => void): void {
    for (let i = 0; i < this.names.length; i++) callback(this.exprs[i]!, this.names[i]!, this);
  }

  *entries(): MapIterator<[string, Expr]> {
    for (let i = 0; i < this.names.length; i++) yield [this.names[i]!, this.exprs[i]!];
  }

  keys(): MapIterator<string> {
    return this.names.values();
  }

  values(): MapIterator<Expr> {
    return this.exprs.values();
  }

  [Symbol.iterator](): MapIterator<[string, Expr]> {
    return this.entries();
  }
}
