// A cursor over the lexer's tokens, shared by the statement and expression
// parsers: two tokens of lookahead, pulled from the lexer on demand; ranges
// that span consumed tokens; and the "expected X, found Y" errors every
// parse failure is reported with.
import type { Position, Range } from './ast.js';
import { Tok, type Lexer } from './lexer.js';

/** Thrown inside one statement's parse; the statement parser records it and resynchronises. */
export class ParseError extends Error {
  constructor(
    readonly range: Range,
    message: string,
  ) {
    super(message);
  }
}

/**
 * How deep blocks and expressions may nest (each operator of a chain counts
 * as a level, since it nests its left side one deeper). The parser, the
 * checker and the evaluator all recurse over the tree, so an input deeper
 * than this is an error rather than a stack overflow.
 */
export const MAX_NESTING = 256;

export const TOO_DEEP = `nesting deeper than ${MAX_NESTING} levels (blocks, brackets and operators)`;

/** A name as written, with its range (a binding, a parameter, a key). */
export interface NameToken {
  name: string;
  range: Range;
}

export class TokenStream {
  /**
   * The next token to consume. It is overwritten when consumed: read what
   * you need (`text`, `range()`, `start()`) before calling `next()`.
   */
  cur = new Tok();
  /** The token after `cur`, once `peek2` has read it. */
  private after = new Tok();
  private hasAfter = false;
  /** Nesting levels entered (see `enter`). The statement parser restores it when a statement fails. */
  depth = 0;
  /** End of the last consumed token: where a node being built ends (the position object is made once, when first needed). */
  private endLine = 0;
  private endCol = 0;
  private endPosition: Position | undefined;

  constructor(private readonly lexer: Lexer) {
    this.restart();
  }

  /** Starts again from the lexer's position (after `Lexer.seek`), at nesting level 0. */
  restart(): void {
    this.lexer.scan(this.cur);
    this.hasAfter = false;
    this.depth = 0;
    this.endLine = this.cur.line;
    this.endCol = this.cur.col;
    this.endPosition = undefined;
  }

  /** The token after `cur` (the end of file again at the end). */
  peek2(): Tok {
    if (!this.hasAfter) {
      if (this.cur.type === 'eof') return this.cur;
      this.lexer.scan(this.after);
      this.hasAfter = true;
    }
    return this.after;
  }

  /** Consumes `cur` (the end of file is never consumed: it stays `cur`). */
  next(): void {
    const t = this.cur;
    this.endLine = t.line;
    this.endCol = t.endCol;
    this.endPosition = t.range?.end;
    if (t.type === 'eof') return;
    if (this.hasAfter) {
      this.cur = this.after;
      this.after = t;
      this.hasAfter = false;
    } else {
      this.lexer.scan(t);
    }
  }

  /** The range of `cur`. */
  range(): Range {
    const t = this.cur;
    return (t.range ??= { start: { line: t.line, character: t.col }, end: { line: t.line, character: t.endCol } });
  }

  /** Where `cur` starts. */
  start(): Position {
    return { line: this.cur.line, character: this.cur.col };
  }

  isOp(op: string): boolean {
    return this.cur.type === 'op' && this.cur.text === op;
  }

  isName(text?: string): boolean {
    return this.cur.type === 'name' && (text === undefined || this.cur.text === text);
  }

  /** A statement ends at a newline, the end of the file, or a block's `}`. */
  atStatementEnd(): boolean {
    const t = this.cur;
    return t.type === 'newline' || t.type === 'eof' || (t.type === 'op' && t.text === '}');
  }

  /** Consumes `op` or throws "expected 'op' <context>, found ...". */
  expectOp(op: string, context: string): void {
    if (!this.isOp(op)) this.fail(`expected '${op}' ${context}`);
    this.next();
  }

  /** Consumes a name or throws "expected <what>, found ...". */
  expectName(what: string): NameToken {
    if (!this.isName()) this.fail(`expected ${what}`);
    const name = { name: this.cur.text, range: this.range() };
    this.next();
    return name;
  }

  /** Throws "<expected>, found <next token>" at the next token. */
  fail(expected: string): never {
    throw new ParseError(this.range(), `${expected}, found ${this.describe(this.cur)}`);
  }

  /** How a token is named in "found ..." messages. */
  private describe(t: Tok): string {
    switch (t.type) {
      case 'newline':
        return 'end of line';
      case 'eof':
        return 'end of file';
      case 'string':
        return 'a string';
      case 'bytes':
        return 'a byte string';
      case 'int':
        return `'${this.lexer.source(t)}'`;
      default:
        return `'${t.text}'`;
    }
  }

  /** Whether `levels` more levels of nesting are allowed. */
  canNest(levels = 1): boolean {
    return this.depth + levels <= MAX_NESTING;
  }

  /**
   * Goes `levels` nesting levels deeper (past MAX_NESTING it fails at the
   * next token instead). Pair with `leave`; a ParseError skips the `leave`s,
   * and the statement parser puts `depth` back.
   */
  enter(levels = 1): void {
    if (!this.canNest(levels)) this.fail(TOO_DEEP);
    this.depth += levels;
  }

  leave(levels = 1): void {
    this.depth -= levels;
  }

  rangeFrom(start: Position): Range {
    return { start, end: (this.endPosition ??= { line: this.endLine, character: this.endCol }) };
  }
}
