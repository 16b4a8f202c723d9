// Statements (trace-language.md §2 and §4). The parser recovers from every
// error: a statement that fails to parse is reported and skipped up to the
// end of its line (and through the block it opens, if it opens one), so one
// pass reports every error in the file, each with its exact range.
import type { Argument, Diagnostic, Outcome, Position, Program, Range, Stmt } from './ast.js';
import { parseExpr } from './expr-parser.js';
import { lex } from './lexer.js';
import { ParseError, TOO_DEEP, TokenStream } from './token-stream.js';

export interface ParseResult {
  program: Program;
  diagnostics: Diagnostic[];
}

/** Words that start a statement of their own and so cannot name a command or be bound. */
export const KEYWORDS: ReadonlySet<string> = new Set(['let', 'expect', 'repeat', 'proc', 'include']);

const ERRNO_NAME = /^[A-Z][A-Z0-9_]*$/;

export function parse(file: string, text: string): ParseResult {
  const lexed = lex(file, text);
  const parser = new Parser(file, new TokenStream(lexed.tokens));
  const statements = parser.block(undefined);
  return { program: { file, statements }, diagnostics: [...lexed.diagnostics, ...parser.diagnostics] };
}

class Parser {
  readonly diagnostics: Diagnostic[] = [];

  constructor(
    private readonly file: string,
    private readonly ts: TokenStream,
  ) {}

  /**
   * Statements up to the end of the file, or up to the `}` that closes a
   * block opened by `opener` (consumed).
   */
  block(opener: { what: string; at: Position } | undefined): Stmt[] {
    const ts = this.ts;
    const out: Stmt[] = [];
    for (;;) {
      const t = ts.peek();
      if (t.type === 'newline') {
        ts.next();
      } else if (t.type === 'eof') {
        if (opener) this.error(t.range, `expected '}' to close the '${opener.what}' block opened on line ${opener.at.line + 1}, found end of file`);
        return out;
      } else if (ts.isOp('}')) {
        ts.next();
        if (opener) return out;
        this.error(t.range, "unexpected '}': no block is open");
      } else {
        const stmt = this.statement();
        if (stmt) out.push(stmt);
      }
    }
  }

  private statement(): Stmt | undefined {
    const ts = this.ts;
    try {
      const stmt = this.statementBody();
      if (!ts.atStatementEnd()) ts.fail(`expected end of line after the statement`);
      return stmt;
    } catch (e) {
      if (!(e instanceof ParseError)) throw e;
      this.error(e.range, e.message);
      this.skipRestOfStatement();
      return undefined;
    }
  }

  private statementBody(): Stmt {
    const ts = this.ts;
    const t = ts.peek();
    if (t.type !== 'name') ts.fail('expected a statement (a command, let, expect, repeat, proc or include)');
    switch (t.text) {
      case 'let':
        return this.letStmt();
      case 'expect': {
        ts.next();
        const condition = parseExpr(ts, "a condition after 'expect'");
        return { kind: 'expect', file: this.file, range: ts.rangeFrom(t.range.start), condition };
      }
      case 'repeat':
        return this.repeatStmt();
      case 'proc':
        return this.procStmt();
      case 'include': {
        ts.next();
        const p = ts.peek();
        if (p.type !== 'string') ts.fail(`expected a file name string after 'include'`);
        ts.next();
        return { kind: 'include', file: this.file, range: ts.rangeFrom(t.range.start), path: p.str ?? '', pathRange: p.range };
      }
      default:
        break;
    }
    if (ts.isOp('(', 1) && !ts.peek(1).spaced) return this.callStmt();
    return this.commandStmt();
  }

  private letStmt(): Stmt {
    const ts = this.ts;
    const start = ts.next().range.start;
    const name = ts.expectName("a name after 'let'");
    ts.expectOp('=', `after 'let ${name.text}'`);
    const value = parseExpr(ts, `a value after 'let ${name.text} ='`);
    return { kind: 'let', file: this.file, range: ts.rangeFrom(start), name: name.text, nameRange: name.range, value };
  }

  private repeatStmt(): Stmt {
    const ts = this.ts;
    const start = ts.next().range.start;
    let stmt: Stmt;
    if (ts.isName() && ts.isName('in', 1)) {
      const v = ts.next();
      ts.next();
      const range = parseExpr(ts, `a range 'FIRST..LAST' after 'repeat ${v.text} in'`);
      if (range.kind !== 'range') {
        throw new ParseError(range.range, `expected a range 'FIRST..LAST' after 'repeat ${v.text} in', found a single value`);
      }
      stmt = { kind: 'repeat', file: this.file, range: ts.rangeFrom(start), variable: { name: v.text, range: v.range }, from: range.start, to: range.last, body: [] };
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
    const start = ts.next().range.start;
    const name = ts.expectName("a procedure name after 'proc'");
    ts.expectOp('(', `after 'proc ${name.text}'`);
    const params: { name: string; range: Range }[] = [];
    while (!ts.isOp(')')) {
      const p = ts.expectName(`a parameter name in 'proc ${name.text}(...)'`);
      params.push({ name: p.text, range: p.range });
      if (!ts.isOp(',')) break;
      ts.next();
    }
    ts.expectOp(')', `or ',' to close the parameters of 'proc ${name.text}'`);
    const body = this.blockAfterHeader('proc', start);
    return { kind: 'proc', file: this.file, range: ts.rangeFrom(start), name: name.text, nameRange: name.range, params, body };
  }

  /** `{` ends a block header; the body runs to the matching `}`. */
  private blockAfterHeader(what: string, at: Position): Stmt[] {
    const open = this.ts.expectOp('{', `to open the '${what}' block`);
    if (!this.ts.canNest()) {
      // One error for the whole too-deep block, not one per line inside it.
      this.error(open.range, `${TOO_DEEP}: this block is skipped`);
      this.skipToClose();
      return [];
    }
    return this.ts.nested(() => this.block({ what, at }));
  }

  private callStmt(): Stmt {
    const ts = this.ts;
    const name = ts.next();
    ts.next();
    const args = [];
    while (!ts.isOp(')')) {
      args.push(parseExpr(ts, `an argument of '${name.text}'`));
      if (!ts.isOp(',')) break;
      ts.next();
    }
    ts.expectOp(')', `or ',' to close the arguments of '${name.text}'`);
    return { kind: 'call', file: this.file, range: ts.rangeFrom(name.range.start), name: name.text, nameRange: name.range, args };
  }

  private commandStmt(): Stmt {
    const ts = this.ts;
    const first = ts.next();
    let bind: { name: string; range: Range } | undefined;
    let command = first;
    if (ts.isOp('=')) {
      ts.next();
      bind = { name: first.text, range: first.range };
      command = ts.expectName(`a command after '${first.text} ='`);
      if (KEYWORDS.has(command.text)) {
        throw new ParseError(command.range, `expected a command after '${first.text} =', found '${command.text}' (to bind a value, write 'let ${first.text} = ...')`);
      }
    }
    const args: Argument[] = [];
    while (!ts.atStatementEnd() && !ts.isOp('=>')) args.push(this.argument(command.text));
    const expect = ts.isOp('=>') ? this.outcome() : undefined;
    return {
      kind: 'command', file: this.file, range: ts.rangeFrom(first.range.start),
      bind, command: command.text, commandRange: command.range, args, expect,
    };
  }

  private argument(command: string): Argument {
    const ts = this.ts;
    const t = ts.peek();
    if (t.type === 'name' && ts.isOp('=', 1)) {
      ts.next();
      ts.next();
      const value = parseExpr(ts, `a value after '${t.text}='`);
      return { kind: 'keyed', key: t.text, keyRange: t.range, value, range: ts.rangeFrom(t.range.start) };
    }
    const value = parseExpr(ts, `an argument of '${command}', '=>' or end of line`);
    return { kind: 'positional', value, range: value.range };
  }

  private outcome(): Outcome {
    const ts = this.ts;
    ts.next();
    const t = ts.peek();
    if (t.type === 'name' && t.text === 'ok') {
      ts.next();
      return { kind: 'ok', range: t.range };
    }
    if (t.type === 'name' && ERRNO_NAME.test(t.text)) {
      ts.next();
      return { kind: 'errno', name: t.text, range: t.range };
    }
    if (t.type === 'name' && t.text === 'fault') {
      ts.next();
      const kind = ts.expectName("a fault kind after 'fault' (translation, permission, ...)");
      return { kind: 'fault', fault: kind.text, range: ts.rangeFrom(t.range.start) };
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
      const t = ts.peek();
      if (t.type === 'newline' || t.type === 'eof') break;
      if (ts.isOp('}') && depth === 0) return;
      if (ts.isOp('{')) {
        depth++;
        lastOpen = t.range.start;
      } else if (ts.isOp('}')) {
        depth--;
      }
      ts.next();
    }
    if (depth > 0 && lastOpen) this.ts.nested(() => this.block({ what: 'block', at: lastOpen }));
  }

  /** Skips to the `}` that closes a block whose `{` was just consumed (or to the end of the file), without recursing. */
  private skipToClose(): void {
    const ts = this.ts;
    for (let open = 1; ; ts.next()) {
      const t = ts.peek();
      if (t.type === 'eof') return;
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
