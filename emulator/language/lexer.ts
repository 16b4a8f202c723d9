// Turns .iotrace text into tokens with exact ranges. The lexer never throws:
// malformed input becomes a diagnostic plus the most useful token it can
// still produce, so the parser can go on and report every other error too.
import type { Diagnostic, Position, Range } from './ast.js';

export type TokenType = 'name' | 'int' | 'string' | 'bytes' | 'op' | 'newline' | 'eof';

export interface Token {
  type: TokenType;
  /** The source text (for 'op', the operator itself). */
  text: string;
  range: Range;
  /** True when whitespace (or a line continuation) separates it from the previous token. */
  spaced: boolean;
  /** The value of an 'int' token (0n after an error). */
  int?: bigint;
  /** The decoded value of a 'string' token. */
  str?: string;
  /** The decoded value of a 'bytes' token. */
  bytes?: Uint8Array;
}

export const MAX_U64 = (1n << 64n) - 1n;

/** Longest first, so that `<<` wins over `<` and `=>` over `=`. */
const OPERATORS = [
  '=>', '==', '!=', '<=', '>=', '<<', '>>', '&&', '||', '..',
  '+', '-', '*', '/', '%', '&', '|', '^', '~', '!', '<', '>', '=',
  '(', ')', '[', ']', '{', '}', ',', '.',
];

const SUFFIXES: Record<string, bigint> = { K: 1n << 10n, M: 1n << 20n, G: 1n << 30n, T: 1n << 40n };

const BASES: Record<string, { radix: bigint; digit: RegExp; name: string }> = {
  x: { radix: 16n, digit: /[0-9a-fA-F]/, name: 'hexadecimal' },
  b: { radix: 2n, digit: /[01]/, name: 'binary' },
  o: { radix: 8n, digit: /[0-7]/, name: 'octal' },
};

const isNameStart = (c: string): boolean => /[A-Za-z_]/.test(c);
const isNameChar = (c: string): boolean => /[A-Za-z0-9_]/.test(c);

export interface LexResult {
  tokens: Token[];
  diagnostics: Diagnostic[];
}

/**
 * Input limits. A trace is untrusted text (a bug report, a captured log, a
 * binary file opened by mistake): past these the lexer reports one error
 * and stops reading, so a huge or binary file costs bounded time and memory
 * instead of millions of tokens or diagnostics.
 */
export const MAX_LINE_LENGTH = 65_536;
export const MAX_TEXT_LENGTH = 16 * 1024 * 1024;
export const MAX_LEX_ERRORS = 200;

export function lex(file: string, text: string): LexResult {
  const cut = text.length > MAX_TEXT_LENGTH;
  return new Lexer(file, cut ? text.slice(0, MAX_TEXT_LENGTH) : text).run(cut);
}

class Lexer {
  private pos = 0;
  private line = 0;
  private lineStart = 0;
  private spaced = false;
  /** Set by binary input (NUL, non-UTF-8) or too many errors: nothing more is read. */
  private stopped = false;
  private readonly tokens: Token[] = [];
  private readonly diagnostics: Diagnostic[] = [];

  constructor(
    private readonly file: string,
    private readonly text: string,
  ) {}

  run(cut: boolean): LexResult {
    const t = this.text;
    while (this.pos < t.length && !this.stopped) {
      const c = t[this.pos]!;
      if (this.pos - this.lineStart >= MAX_LINE_LENGTH) {
        this.error(
          { start: { line: this.line, character: 0 }, end: { line: this.line, character: MAX_LINE_LENGTH } },
          `line ${this.line + 1} is longer than ${MAX_LINE_LENGTH} characters: the rest of it is not read`,
        );
        while (this.pos < t.length && !isLineBreak(t[this.pos]!)) this.pos++;
      } else if (c === '\0' || c === '\uFFFD') {
        // NUL, or bytes that are not UTF-8 (decoded as U+FFFD): a binary file, whose every byte would be an error.
        const what = c === '\0' ? 'a NUL character' : 'bytes that are not UTF-8';
        this.error({ start: this.here(), end: { line: this.line, character: this.here().character + 1 } }, `${what}: this is not a text file, the rest of it is not read`);
        this.stopped = true;
      } else if (c === ' ' || c === '\t') {
        this.pos++;
        this.spaced = true;
      } else if (isLineBreak(c)) {
        // LF, CRLF or a lone CR, as editors count lines (LSP): positions must match theirs.
        this.push('newline', this.here(), '\n');
        this.pos += c === '\r' && t[this.pos + 1] === '\n' ? 2 : 1;
        this.newLine();
      } else if (c === '#') {
        while (this.pos < t.length && !isLineBreak(t[this.pos]!)) this.pos++;
      } else if (c === '\\' && this.continuesLine()) {
        continue;
      } else if (/[0-9]/.test(c)) {
        this.number();
      } else if (c === 'h' && t[this.pos + 1] === '"') {
        this.byteString();
      } else if (isNameStart(c)) {
        const start = this.here();
        while (this.pos < this.lineEnd() && isNameChar(t[this.pos]!)) this.pos++;
        this.push('name', start, t.slice(this.offsetOf(start), this.pos));
      } else if (c === '"') {
        this.string();
      } else {
        this.operator();
      }
    }
    if (cut && !this.stopped) this.error({ start: this.here(), end: this.here() }, `the file is longer than ${MAX_TEXT_LENGTH} characters: the rest of it is not read`);
    this.push('eof', this.here(), '');
    return { tokens: this.tokens, diagnostics: this.diagnostics };
  }

  /** `\` followed by optional blanks (and a comment) then a newline joins the lines. */
  private continuesLine(): boolean {
    const t = this.text;
    let p = this.pos + 1;
    while (p < t.length && (t[p] === ' ' || t[p] === '\t')) p++;
    if (p < t.length && t[p] === '#') while (p < t.length && !isLineBreak(t[p]!)) p++;
    if (p < t.length && !isLineBreak(t[p]!)) return false;
    if (t[p] === '\r' && t[p + 1] === '\n') p++;
    this.pos = p < t.length ? p + 1 : p;
    if (p < t.length) this.newLine();
    this.spaced = true;
    return true;
  }

  private number(): void {
    const t = this.text;
    const start = this.here();
    const begin = this.pos;
    let radix = 10n;
    let digit = /[0-9]/;
    let baseName = 'decimal';
    const prefix = t[this.pos + 1]?.toLowerCase();
    if (t[this.pos] === '0' && prefix !== undefined && BASES[prefix]) {
      ({ radix, digit, name: baseName } = BASES[prefix]!);
      this.pos += 2;
    }
    let value = 0n;
    let digits = 0;
    while (this.pos < this.lineEnd() && (digit.test(t[this.pos]!) || t[this.pos] === '_')) {
      if (t[this.pos] !== '_') {
        // Past 64 bits it is an overflow whatever follows: stop growing the value.
        if (value <= MAX_U64) value = value * radix + BigInt(parseInt(t[this.pos]!, Number(radix)));
        digits++;
      }
      this.pos++;
    }
    const suffix = t[this.pos];
    if (suffix !== undefined && SUFFIXES[suffix] !== undefined && !isNameChar(t[this.pos + 1] ?? ' ')) {
      value *= SUFFIXES[suffix]!;
      this.pos++;
    }
    // A literal glued to letters (`12abc`, `0x`, `4KB`) is one malformed token, not two.
    let malformed = digits === 0;
    while (this.pos < this.lineEnd() && isNameChar(t[this.pos]!)) {
      malformed = true;
      this.pos++;
    }
    const source = t.slice(begin, this.pos);
    const range = { start, end: this.here() };
    if (malformed) {
      this.error(range, `malformed ${baseName} integer literal '${excerpt(source)}'`);
      value = 0n;
    } else if (value > MAX_U64) {
      this.error(range, `overflow: integer literal '${excerpt(source)}' does not fit in 64 bits (the largest is 0xffffffffffffffff)`);
      value = 0n;
    }
    this.tokens.push({ type: 'int', text: source, range, spaced: this.takeSpaced(), int: value });
  }

  private string(): void {
    const t = this.text;
    const start = this.here();
    this.pos++;
    let value = '';
    while (this.pos < this.lineEnd() && t[this.pos] !== '"' && !isLineBreak(t[this.pos]!)) {
      if (t[this.pos] === '\\' && (t[this.pos + 1] === '"' || t[this.pos + 1] === '\\')) {
        value += t[this.pos + 1];
        this.pos += 2;
      } else if (t[this.pos] === '\\') {
        const at = this.here();
        this.pos++;
        this.error({ start: at, end: this.here() }, `unknown escape '\\${t[this.pos] ?? ''}' in string (only \\" and \\\\ are allowed)`);
      } else {
        value += t[this.pos++];
      }
    }
    this.closeQuote(start, 'string');
    this.tokens.push({ type: 'string', text: t.slice(this.offsetOf(start), this.pos), range: { start, end: this.here() }, spaced: this.takeSpaced(), str: value });
  }

  private byteString(): void {
    const t = this.text;
    const start = this.here();
    this.pos += 2;
    let hex = '';
    while (this.pos < this.lineEnd() && t[this.pos] !== '"' && !isLineBreak(t[this.pos]!)) {
      const c = t[this.pos]!;
      if (/[0-9a-fA-F]/.test(c)) hex += c;
      else if (c !== ' ' && c !== '\t') {
        const at = this.here();
        this.error({ start: at, end: { line: at.line, character: at.character + 1 } }, `expected a hex digit in byte string, found '${c}'`);
      }
      this.pos++;
    }
    const closed = this.closeQuote(start, 'byte string');
    const range = { start, end: this.here() };
    if (closed && hex.length % 2 !== 0) this.error(range, `byte string has an odd number of hex digits (${hex.length})`);
    const bytes = new Uint8Array(hex.length >> 1);
    for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
    this.tokens.push({ type: 'bytes', text: t.slice(this.offsetOf(start), this.pos), range, spaced: this.takeSpaced(), bytes });
  }

  /** Consumes the closing quote, or reports the string as unterminated. */
  private closeQuote(start: Position, what: string): boolean {
    if (this.text[this.pos] === '"') {
      this.pos++;
      return true;
    }
    this.error({ start, end: this.here() }, `unterminated ${what}: expected '"' before the end of the line`);
    return false;
  }

  private operator(): void {
    const start = this.here();
    const op = OPERATORS.find((o) => this.text.startsWith(o, this.pos));
    if (op === undefined) {
      const c = String.fromCodePoint(this.text.codePointAt(this.pos)!);
      this.pos += c.length;
      this.error({ start, end: this.here() }, `unexpected character '${c}'`);
      return;
    }
    this.pos += op.length;
    this.push('op', start, op);
  }

  private push(type: TokenType, start: Position, text: string): void {
    const end = type === 'newline' ? { line: start.line, character: start.character + 1 } : this.here();
    this.tokens.push({ type, text, range: { start, end }, spaced: this.takeSpaced() });
  }

  private takeSpaced(): boolean {
    const s = this.spaced;
    this.spaced = false;
    return s;
  }

  private newLine(): void {
    this.line++;
    this.lineStart = this.pos;
  }

  /** Where tokens on this line must end: no token runs past MAX_LINE_LENGTH. */
  private lineEnd(): number {
    return Math.min(this.text.length, this.lineStart + MAX_LINE_LENGTH);
  }

  private here(): Position {
    return { line: this.line, character: this.pos - this.lineStart };
  }

  /** Source offset of a position on the current line. */
  private offsetOf(p: Position): number {
    return this.lineStart + p.character;
  }

  private error(range: Range, message: string): void {
    if (this.stopped) return;
    this.diagnostics.push({ file: this.file, range, severity: 'error', message });
    if (this.diagnostics.length < MAX_LEX_ERRORS) return;
    this.diagnostics.push({ file: this.file, range, severity: 'error', message: `more than ${MAX_LEX_ERRORS} errors: the rest of the file is not read` });
    this.stopped = true;
  }
}

/** A literal as messages quote it: long ones are cut. */
function excerpt(source: string): string {
  return source.length > 40 ? `${source.slice(0, 40)}...` : source;
}

function isLineBreak(c: string): boolean {
  return c === '\n' || c === '\r';
}
