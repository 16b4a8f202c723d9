// The syntax tree of an .iotrace file. Every node carries the range it was
// parsed from, so the CLI, the debugger and the language server can all point
// at the exact text a diagnostic, a breakpoint or a hover is about.
import type { ResolvedArgs } from './resolved-args.js';

/** A place in a file: 0-based line and 0-based UTF-16 column (as LSP counts). */
export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export type Severity = 'error' | 'warning' | 'information';

export interface Diagnostic {
  /** The file the diagnostic is in (as given to the parser). */
  file: string;
  range: Range;
  severity: Severity;
  message: string;
}

export type BinaryOp =
  | '+' | '-' | '*' | '/' | '%' | '<<' | '>>' | '&' | '|' | '^'
  | '==' | '!=' | '<' | '<=' | '>' | '>=' | '&&' | '||';

export type UnaryOp = '-' | '~' | '!';

export type Expr =
  | { kind: 'int'; value: bigint; range: Range }
  | { kind: 'string'; value: string; range: Range }
  | { kind: 'bytes'; value: Uint8Array; range: Range }
  /** A bare word: a bound name, a constant (`none`, `null`), a flag or switch word. */
  | { kind: 'name'; name: string; range: Range }
  | { kind: 'field'; object: Expr; field: string; fieldRange: Range; range: Range }
  | { kind: 'index'; object: Expr; index: Expr; range: Range }
  | { kind: 'call'; callee: string; calleeRange: Range; args: Expr[]; range: Range }
  | { kind: 'binary'; op: BinaryOp; left: Expr; right: Expr; range: Range }
  | { kind: 'unary'; op: UnaryOp; operand: Expr; range: Range }
  /** `START..LAST`, inclusive at both ends. */
  | { kind: 'range'; start: Expr; last: Expr; range: Range }
  | { kind: 'list'; items: Expr[]; range: Range }
  | { kind: 'record'; entries: RecordEntry[]; range: Range };

export interface RecordEntry {
  key: string;
  keyRange: Range;
  value: Expr;
}

/** One argument of a command, as written. */
export type Argument =
  | { kind: 'positional'; value: Expr; range: Range }
  | { kind: 'keyed'; key: string; keyRange: Range; value: Expr; range: Range };

/** What follows `=>`. */
export type Outcome =
  | { kind: 'ok'; range: Range }
  | { kind: 'errno'; name: string; range: Range }
  | { kind: 'fault'; fault: string; range: Range }
  | { kind: 'value'; value: Expr; range: Range };

export interface CommandStmt {
  kind: 'command';
  file: string;
  range: Range;
  /** `NAME = command ...` */
  bind?: { name: string; range: Range };
  command: string;
  commandRange: Range;
  args: Argument[];
  expect?: Outcome;
  /**
   * Filled by the checker: every argument under its key (positional ones
   * moved to the key the command table gives them; switch words under the
   * switch's key as a `name` expression). Absent until checked.
   */
  resolved?: ResolvedArgs;
}

export interface LetStmt {
  kind: 'let';
  file: string;
  range: Range;
  name: string;
  nameRange: Range;
  value: Expr;
}

export interface ExpectStmt {
  kind: 'expect';
  file: string;
  range: Range;
  condition: Expr;
}

/** `repeat N { }` (variable absent) or `repeat NAME in A..B { }`. */
export interface RepeatStmt {
  kind: 'repeat';
  file: string;
  range: Range;
  count?: Expr;
  variable?: { name: string; range: Range };
  from?: Expr;
  to?: Expr;
  body: Stmt[];
}

export interface ProcStmt {
  kind: 'proc';
  file: string;
  range: Range;
  name: string;
  nameRange: Range;
  params: { name: string; range: Range }[];
  body: Stmt[];
}

/** `NAME(x, y)` as a statement: a call of a `proc`. */
export interface CallStmt {
  kind: 'call';
  file: string;
  range: Range;
  name: string;
  nameRange: Range;
  args: Expr[];
}

export interface IncludeStmt {
  kind: 'include';
  file: string;
  range: Range;
  path: string;
  pathRange: Range;
  /** Filled by the checker: the included file's statements (absent on error). */
  program?: Program;
}

export type Stmt = CommandStmt | LetStmt | ExpectStmt | RepeatStmt | ProcStmt | CallStmt | IncludeStmt;

export interface Program {
  file: string;
  statements: Stmt[];
}

/**
 * Statements a run steps through: a block's array, or a loaded file's
 * statements parsed one at a time (language/program-text.ts), which then
 * also lists its procs, so that hoisting them parses no other statement.
 */
export interface StatementList {
  readonly length: number;
  at(index: number): Stmt | undefined;
  procs?(): readonly ProcStmt[];
}
