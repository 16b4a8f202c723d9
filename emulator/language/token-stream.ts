// A cursor over the lexer's tokens, shared by the statement and expression
// parsers: lookahead, ranges that span consumed tokens, and the
// "expected X, found Y" errors every parse failure is reported with.
import type { Position, Range } from './ast.js';
import type { Token } from './lexer.js';

/** Thrown inside one statement's parse; the statement parser records it and resynchronises. */
export class ParseError extends Error {
  constructor(
    readonly range: Range,
    message: string,
  ) {
    super(message);
  }
}

/** How a token is named in "found ..." messages. */
export function describe(t: Token): string {
  switch (t.type) {
    case 'newline':
      return 'end of line';
    case 'eof':
      return 'end of file';
    case 'string':
      return 'a string';
    case 'bytes':
      return 'a byte string';
    default:
      return `'${t.text}'`;
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

export class TokenStream {
  private index = 0;
  private depth = 0;
  /** End of the last consumed token: where a node being built ends. */
  lastEnd: Position;

  constructor(private readonly tokens: Token[]) {
    this.lastEnd = tokens[0]?.range.start ?? { line: 0, character: 0 };
  }

  peek(ahead = 0): Token {
    return this.tokens[Math.min(this.index + ahead, this.tokens.length - 1)]!;
  }

  next(): Token {
    const t = this.peek();
    if (t.type !== 'eof') this.index++;
    this.lastEnd = t.range.end;
    return t;
  }

  isOp(op: string, ahead = 0): boolean {
    const t = this.peek(ahead);
    return t.type === 'op' && t.text === op;
  }

  isName(text?: string, ahead = 0): boolean {
    const t = this.peek(ahead);
    return t.type === 'name' && (text === undefined || t.text === text);
  }

  /** A statement ends at a newline, the end of the file, or a block's `}`. */
  atStatementEnd(): boolean {
    const t = this.peek();
    return t.type === 'newline' || t.type === 'eof' || (t.type === 'op' && t.text === '}');
  }

  /** Consumes `op` or throws "expected 'op' <context>, found ...". */
  expectOp(op: string, context: string): Token {
    if (!this.isOp(op)) this.fail(`expected '${op}' ${context}`);
    return this.next();
  }

  expectName(what: string): Token {
    if (!this.isName()) this.fail(`expected ${what}`);
    return this.next();
  }

  /** Throws "<expected>, found <next token>" at the next token. */
  fail(expected: string): never {
    const t = this.peek();
    throw new ParseError(t.range, `${expected}, found ${describe(t)}`);
  }

  /** Whether `levels` more levels of nesting are allowed. */
  canNest(levels = 1): boolean {
    return this.depth + levels <= MAX_NESTING;
  }

  /** Runs `parse` one nesting level deeper; past MAX_NESTING it fails at the next token instead. */
  nested<T>(parse: () => T, levels = 1): T {
    if (!this.canNest(levels)) this.fail(TOO_DEEP);
    this.depth += levels;
    try {
      return parse();
    } finally {
      this.depth -= levels;
    }
  }

  rangeFrom(start: Position): Range {
    return { start, end: this.lastEnd };
  }
}
