// Statements (trace-language.md §2 and §4). The parser recovers from every
// error: a statement that fails to parse is reported and skipped up to the
// end of its line (and through the block it opens, if it opens one), so one
// pass reports every error in the file, each with its exact range.
import type { Argument, Diagnostic, Outcome, Position, Program, Range, Stmt } from './ast.js';
import { parseExpr } from './expr-parser.js';
import { Lexer } from './lexer.js';
import { ParseError, TOO_DEEP, TokenStream } from './token-stream.js';

export interface ParseResult {
  program: Program;
  diagnostics: Diagnostic[];
}

/** Words that start a statement of their own and so cannot name a command or be bound. */
export const KEYWORDS: ReadonlySet<string> = new Set(['let', 'expect', 'repeat', 'proc', 'include']);

const ERRNO_NAME = /^[A-Z][A-Z0-9_]*$/;

export function parse(file: string, text: string): ParseResult {
  // The parser pulls tokens from the lexer as it goes; the lexer's errors come first, as if it had run alone.
  const lexer = new Lexer(file, text);
  const parser = new Parser(file, new TokenStream(lexer));
  const statements = parser.block(undefined);
  return { program: { file, statements }, diagnostics: [...lexer.diagnostics, ...parser.diagnostics] };
}

/**
 * A file's top-level statements one at a time, each with where it starts,
 * exactly as `parse` would find them. The checker checks them as they come
 * and keeps none, so a loaded trace never holds its whole tree; `at` parses
 * one of them again when the runtime needs it (program-text.ts).
 */
export class StatementReader {
  private readonly lexer: Lexer;
  private readonly ts: TokenStream;
  private readonly parser: Parser;

  constructor(
    readonly file: string,
    readonly text: string,
  ) {
    this.lexer = new Lexer(file, text);
    this.ts = new TokenStream(this.lexer);
    this.parser = new Parser(file, this.ts);
  }

  /** The next top-level statement, or undefined at the end of the file. */
  next(): Stmt | undefined {
    return this.parser.nextStatement(undefined);
  }

  /** Where the statement `next` returned last starts: the source offset and 0-based line of its first token. */
  get offset(): number {
    return this.parser.statementStart;
  }

  get line(): number {
    return this.parser.statementLine;
  }

  /** The lexer's diagnostics, then the parser's (as `parse` orders them). */
  get diagnostics(): Diagnostic[] {
    return [...this.lexer.diagnostics, ...this.parser.diagnostics];
  }

  /** Parses again the statement that starts at `offset` on `line` (where `next` found it); its diagnostics are dropped. */
  at(offset: number, line: number): Stmt | undefined {
    this.lexer.seek(offset, line);
    this.ts.restart();
    if (this.parser.diagnostics.length > 0) this.parser.diagnostics.length = 0;
    return this.parser.nextStatement(undefined);
  }
}

class Parser {
  readonly diagnostics: Diagnostic[] = [];
  /** Where the top-level statement being parsed (or the last one) starts: source offset and 0-based line of its first token. */
  statementStart = 0;
  statementLine = 0;
  /** A command's arguments while they are parsed (arguments are expressions: a command never nests in one). */
  private readonly args: Argument[] = [];

  constructor(
    private readonly file: string,
    private readonly ts: TokenStream,
  ) {}

  /**
   * Statements up to the end of the file, or up to the `}` that closes a
   * block opened by `opener` (consumed).
   */
  block(opener: { what: string; at: Position } | undefined): Stmt[] {
    const out: Stmt[] = [];
    for (let s = this.nextStatement(opener); s; s = this.nextStatement(opener)) out.push(s);
    return out;
  }

  /** The next statement of the block opened by `opener` (of the file when undefined); undefined at its end. */
  nextStatement(opener: { what: string; at: Position } | undefined): Stmt | undefined {
    const ts = this.ts;
    for (;;) {
      const t = ts.cur;
      if (t.type === 'newline') {
        ts.next();
      } else if (t.type === 'eof') {
        if (opener) this.error(ts.range(), `expected '}' to close the '${opener.what}' block opened on line ${opener.at.line + 1}, found end of file`);
        return undefined;
      } else if (ts.isOp('}')) {
        const range = ts.range();
        ts.next();
        if (opener) return undefined;
        this.error(range, "unexpected '}': no block is open");
      } else {
        if (!opener) {
          this.statementStart = t.start;
          this.statementLine = t.line;
        }
        const stmt = this.statement();
        if (stmt) return stmt;
      }
    }
  }

  private statement(): Stmt | undefined {
    const ts = this.ts;
    const depth = ts.depth;
    try {
      const stmt = this.statementBody();
      if (!ts.atStatementEnd()) ts.fail(`expected end of line after the statement`);
      return stmt;
    } catch (e) {
      if (!(e instanceof ParseError)) throw e;
      // The throw skipped the `leave`s of the levels it was in.
      ts.depth = depth;
      this.error(e.range, e.message);
      this.skipRestOfStatement();
      return undefined;
    }
  }

  private statementBody(): Stmt {
    const ts = this.ts;
    const t = ts.cur;
    if (t.type !== 'name') ts.fail('expected a statement (a command, let, expect, repeat, proc or include)');
    switch (t.text) {
      case 'let':
        return this.letStmt();
      case 'expect': {
        const start = ts.start();
        ts.next();
        const condition = parseExpr(ts, "a condition after 'expect'");
        return { kind: 'expect', file: this.file, range: ts.rangeFrom(start), condition };
      }
      case 'repeat':
        return this.repeatStmt();
      case 'proc':
        return this.procStmt();
      case 'include': {
        const start = ts.start();
        ts.next();
        if (ts.cur.type !== 'string') ts.fail(`expected a file name string after 'include'`);
        const path = ts.cur.str;
        const pathRange = ts.range();
        ts.next();
        return { kind: 'include', file: this.file, range: ts.rangeFrom(start), path, pathRange };
      }
      default:
        break;
    }
    const after = ts.peek2();
    if (after.type === 'op' && after.text === '(' && !after.spaced) return this.callStmt();
    return this.commandStmt();
  }

  private letStmt(): Stmt {
    const ts = this.ts;
    const start = ts.start();
    ts.next();
    const name = ts.expectName("a name after 'let'");
    ts.expectOp('=', `after 'let ${name.name}'`);
    const value = parseExpr(ts, "a value after 'let {} ='", name.name);
    return { kind: 'let', file: this.file, range: ts.rangeFrom(start), name: name.name, nameRange: name.range, value };
  }

  private repeatStmt(): Stmt {
    const ts = this.ts;
    const start = ts.start();
    ts.next();
    let stmt: Stmt;
    const after = ts.peek2();
    if (ts.isName() && after.type === 'name' && after.text === 'in') {
      const variable = ts.expectName('a loop variable');
      ts.next();
      const range = parseExpr(ts, "a range 'FIRST..LAST' after 'repeat {} in'", variable.name);
      if (range.kind !== 'range') {
        throw new ParseError(range.range, `expected a range 'FIRST..LAST' after 'repeat ${variable.name} in', found a single value`);
      }
      stmt = { kind: 'repeat', file: this.file, range: ts.rangeFrom(start), variable, from: range.start, to: range.last, body: [] };
    } else {
      const count = parseExpr(ts, "a count or 'NAME in FIRST..LAST' after 'repeat'");
      stmt = { kind: 'repeat', file: this.file, range: ts.rangeFrom(start), count, body: [] };
    }
    stmt.body = this.blockAfterHeader('repeat', start);
    stmt.range = ts.rangeFrom(start);
    return stmt;
  }

  private procStmt(): Stmt {
    const ts = this.ts;
    const start = ts.start();
    ts.next();
    const name = ts.expectName("a procedure name after 'proc'");
    ts.expectOp('(', `after 'proc ${name.name}'`);
    const params: { name: string; range: Range }[] = [];
    while (!ts.isOp(')')) {
      params.push(ts.expectName(`a parameter name in 'proc ${name.name}(...)'`));
      if (!ts.isOp(',')) break;
      ts.next();
    }
    ts.expectOp(')', `or ',' to close the parameters of 'proc ${name.name}'`);
    const body = this.blockAfterHeader('proc', start);
    return { kind: 'proc', file: this.file, range: ts.rangeFrom(start), name: name.name, nameRange: name.range, params, body };
  }

  /** `{` ends a block header; the body runs to the matching `}`. */
  private blockAfterHeader(what: string, at: Position): Stmt[] {
    const ts = this.ts;
    const open = ts.range();
    ts.expectOp('{', `to open the '${what}' block`);
    if (!ts.canNest()) {
      // One error for the whole too-deep block, not one per line inside it.
      this.error(open, `${TOO_DEEP}: this block is skipped`);
      this.skipToClose();
      return [];
    }
    ts.enter();
    const body = this.block({ what, at });
    ts.leave();
    return body;
  }

  private callStmt(): Stmt {
    const ts = this.ts;
    const name = ts.expectName('a procedure name');
    ts.next();
    const args = [];
    while (!ts.isOp(')')) {
      args.push(parseExpr(ts, "an argument of '{}'", name.name));
      if (!ts.isOp(',')) break;
      ts.next();
    }
    ts.expectOp(')', `or ',' to close the arguments of '${name.name}'`);
    return { kind: 'call', file: this.file, range: ts.rangeFrom(name.range.start), name: name.name, nameRange: name.range, args };
  }

  private commandStmt(): Stmt {
    const ts = this.ts;
    const firstName = ts.cur.text;
    const firstRange = ts.range();
    ts.next();
    let bind: { name: string; range: Range } | undefined;
    let command = firstName;
    let commandRange = firstRange;
    if (ts.isOp('=')) {
      ts.next();
      bind = { name: firstName, range: firstRange };
      ({ name: command, range: commandRange } = ts.expectName(`a command after '${firstName} ='`));
      if (KEYWORDS.has(command)) {
        throw new ParseError(commandRange, `expected a command after '${firstName} =', found '${command}' (to bind a value, write 'let ${firstName} = ...')`);
      }
    }
    // Collected in a scratch array and copied once: an array grown by push keeps room for 16 elements, and a
    // loaded trace keeps millions of these.
    // Filled by index: emptying it with `length = 0` is a call into the runtime, for every statement.
    const scratch = this.args;
    let n = 0;
    while (!ts.atStatementEnd() && !ts.isOp('=>')) scratch[n++] = this.argument(command);
    const args = scratch.slice(0, n);
    const expect = ts.isOp('=>') ? this.outcome() : undefined;
    return {
      kind: 'command', file: this.file, range: ts.rangeFrom(firstRange.start),
      bind, command, commandRange, args, expect,
    };
  }

  private argument(command: string): Argument {
    const ts = this.ts;
    const t = ts.cur;
    const after = ts.peek2();
    if (t.type === 'name' && after.type === 'op' && after.text === '=') {
      const key = t.text;
      const keyRange = ts.range();
      ts.next();
      ts.next();
      const value = parseExpr(ts, "a value after '{}='", key);
      return { kind: 'keyed', key, keyRange, value, range: ts.rangeFrom(keyRange.start) };
    }
    const value = parseExpr(ts, "an argument of '{}', '=>' or end of line", command);
    return { kind: 'positional', value, range: value.range };
  }

  private outcome(): Outcome {
    const ts = this.ts;
    ts.next();
    const t = ts.cur;
    if (t.type === 'name' && t.text === 'ok') {
      const range = ts.range();
      ts.next();
      return { kind: 'ok', range };
    }
    if (t.type === 'name' && ERRNO_NAME.test(t.text)) {
      const name = t.text;
      const range = ts.range();
      ts.next();
      return { kind: 'errno', name, range };
    }
    if (t.type === 'name' && t.text === 'fault') {
      const start = ts.start();
      ts.next();
      const kind = ts.expectName("a fault kind after 'fault' (translation, permission, ...)");
      return { kind: 'fault', fault: kind.name, range: ts.rangeFrom(start) };
    }
    const value = parseExpr(ts, "an outcome after '=>' (ok, an errno, 'fault KIND' or a value)");
    return { kind: 'value', value, range: value.range };
  }

  /**
   * Skips to the end of the line. A `{` left open on the skipped line opens a
   * block whose body is still parsed (its errors count too) and whose `}`
   * is consumed, so one bad header does not cascade into a stray `}`.
   */
  private skipRestOfStatement(): void {
    const ts = this.ts;
    let depth = 0;
    let lastOpen: Position | undefined;
    for (;;) {
      const t = ts.cur;
      if (t.type === 'newline' || t.type === 'eof') break;
      if (ts.isOp('}') && depth === 0) return;
      if (ts.isOp('{')) {
        depth++;
        lastOpen = ts.start();
      } else if (ts.isOp('}')) {
        depth--;
      }
      ts.next();
    }
    if (depth > 0 && lastOpen) {
      ts.enter();
      this.block({ what: 'block', at: lastOpen });
      ts.leave();
    }
  }

  /** Skips to the `}` that closes a block whose `{` was just consumed (or to the end of the file), without recursing. */
  private skipToClose(): void {
    const ts = this.ts;
    for (let open = 1; ; ts.next()) {
      if (ts.cur.type === 'eof') return;
      if (ts.isOp('{')) open++;
      else if (ts.isOp('}') && --open === 0) {
        ts.next();
        return;
      }
    }
  }

  private error(range: Range, message: string): void {
    this.diagnostics.push({ file: this.file, range, severity: 'error', message });
  }
}
