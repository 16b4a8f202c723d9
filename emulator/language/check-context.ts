// What the checking functions share while they walk one file: the scope,
// where to report, and what the file declares further down (so that a use
// before a declaration says so instead of "undefined name").
import type { Range } from './ast.js';
import type { Scope } from './scope.js';

export interface CheckContext {
  scope: Scope;
  error(range: Range, message: string): void;
  warn(range: Range, message: string): void;
  /** A top-level declaration or proc of the file below the current statement. */
  declaredLater(name: string): { line: number; what: string } | undefined;
}
