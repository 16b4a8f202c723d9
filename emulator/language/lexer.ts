// Turns .iotrace text into tokens with exact ranges. The lexer never throws:
// malformed input becomes a diagnostic plus the most useful token it can
// still produce, so the parser can go on and report every other error too.
//
// It is the front end's hot loop (a loaded trace is megabytes), so it is
// written for speed: it reads character codes through lookup tables (no
// regular expressions), produces one token at a time into a reused `Tok`
// the parser pulls on demand (no token array, no Position objects: a token's
// place is its line and two columns), and makes strings only for what the
// tree keeps (names, interned, and string literals). `lex()` still returns
// the whole token array, for the formatter and the completion context.
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

/**
 * The lexer's token, overwritten by each `scan`: copy out what you keep.
 * Every token lies on one line, so `line` with two columns is its range.
 */
export class Tok {
  type: TokenType = 'eof';
  /** A name (interned: repeated names share one string), an operator, '\n' or ''; empty for literals (see `Lexer.source`). */
  text = '';
  line = 0;
  /** First column and the column just past the token (LSP's UTF-16 columns). */
  col = 0;
  endCol = 0;
  /** Source offsets of the token. */
  start = 0;
  end = 0;
  spaced = false;
  /** The value of an 'int' token (0n after an error). */
  int = 0n;
  /** The decoded value of a 'string' token. */
  str = '';
  /** The decoded value of a 'bytes' token. */
  bytes: Uint8Array | undefined = undefined;
  /**
   * The range object the parser made for this token, if it made one: a node
   * that ends at this token shares its end position (one object less per
   * node, and the same sharing as nodes built from standalone tokens).
   */
  range: Range | undefined = undefined;
}

export const MAX_U64 = (1n << 64n) - 1n;

/**
 * Input limits. A trace is untrusted text (a bug report, a captured log, a
 * binary file opened by mistake): past these the lexer reports one error
 * and stops reading, so a huge or binary file costs bounded time and memory
 * instead of millions of tokens or diagnostics.
 */
export const MAX_LINE_LENGTH = 65_536;
// Room for a 1M-statement trace (about 40 MB): a checked file keeps its text, not its tree (program-text.ts).
export const MAX_TEXT_LENGTH = 64 * 1024 * 1024;
export const MAX_LEX_ERRORS = 200;

// Character classes of the ASCII range (anything above is none of them).
const NAME_START = 1; // [A-Za-z_]
const NAME_CHAR = 2; // [A-Za-z0-9_]
const DIGIT = 4; // [0-9]
const CLASS = new Uint8Array(128);
/** The value of a digit character in any base up to 16, or 255. */
const DIGIT_VALUE = new Uint8Array(128).fill(255);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z_]/.test(ch)) CLASS[c]! |= NAME_START | NAME_CHAR;
  if (/[0-9]/.test(ch)) CLASS[c]! |= DIGIT | NAME_CHAR;
  if (/[0-9a-fA-F]/.test(ch)) DIGIT_VALUE[c] = parseInt(ch, 16);
}

const isNameChar = (c: number): boolean => c < 128 && (CLASS[c]! & NAME_CHAR) !== 0;
const isLineBreak = (c: number): boolean => c === 0x0a || c === 0x0d;

const CH_TAB = 0x09;
const CH_LF = 0x0a;
const CH_CR = 0x0d;
const CH_SPACE = 0x20;
const CH_QUOTE = 0x22;
const CH_HASH = 0x23;
const CH_BACKSLASH = 0x5c;
const CH_UNDERSCORE = 0x5f;

/** The radix of an integer literal's prefix letter (`0x`, `0b`, `0o`, either case), or 10 for none. */
function radixOf(letter: number): number {
  switch (letter | 0x20) {
    case 0x78 /* x */:
      return 16;
    case 0x62 /* b */:
      return 2;
    case 0x6f /* o */:
      return 8;
    default:
      return 10;
  }
}

const BASE_NAMES: Record<number, string> = { 2: 'binary', 8: 'octal', 10: 'decimal', 16: 'hexadecimal' };

/** The shift of a binary size suffix (`4K` is 4 << 10), or 0 for none. */
function suffixShift(c: number): number {
  switch (c) {
    case 0x4b /* K */:
      return 10;
    case 0x4d /* M */:
      return 20;
    case 0x47 /* G */:
      return 30;
    case 0x54 /* T */:
      return 40;
    default:
      return 0;
  }
}

/**
 * Below this an integer literal's value is built in a double, exactly
 * (n * 16 + 15 < 2^53), and converted to a bigint once: the common literal
 * costs no bigint arithmetic. Larger values continue in bigint.
 */
const EXACT_DOUBLE_LIMIT = 2 ** 48;

/** By suffix shift: the scale (`2 ** shift`), and the values below which the scaled value is exact in a double. */
const SCALE: readonly number[] = Array.from({ length: 41 }, (_, shift) => 2 ** shift);
const EXACT_BELOW: readonly number[] = SCALE.map((scale) => 2 ** 53 / scale);

/** Slots of the lexer's bigint cache (a power of two). */
const INT_SLOTS = 1024;

/** Names longer than this are not interned (a trace's words are short; a long one is rarely repeated). */
const MAX_INTERNED_LENGTH = 64;
/** Interning slots (a power of two); the table stops growing at half full, so a probe always ends. */
const NAME_SLOTS = 4096;

export interface LexResult {
  tokens: Token[];
  diagnostics: Diagnostic[];
}

export function lex(file: string, text: string): LexResult {
  const lexer = new Lexer(file, text);
  const tokens: Token[] = [];
  const t = new Tok();
  do {
    lexer.scan(t);
    tokens.push(lexer.token(t));
  } while (t.type !== 'eof');
  return { tokens, diagnostics: lexer.diagnostics };
}

export class Lexer {
  readonly diagnostics: Diagnostic[] = [];
  private readonly text: string;
  private readonly cut: boolean;
  private pos = 0;
  private line = 0;
  private lineStart = 0;
  private spaced = false;
  /** Set by binary input (NUL, non-UTF-8) or too many errors: nothing more is read. */
  private stopped = false;
  private readonly names: (string | undefined)[] = new Array<string | undefined>(NAME_SLOTS).fill(undefined);
  private nameCount = 0;
  private readonly intKeys = new Float64Array(INT_SLOTS).fill(-1);
  private readonly intValues = new Array<bigint | undefined>(INT_SLOTS).fill(undefined);

  constructor(
    private readonly file: string,
    text: string,
  ) {
    this.cut = text.length > MAX_TEXT_LENGTH;
    this.text = this.cut ? text.slice(0, MAX_TEXT_LENGTH) : text;
  }

  /**
   * Goes on reading from `offset`, the start of a token on 0-based `line`,
   * as if the text before it had just been read; this lexer's own
   * diagnostics start again. Used to parse one statement of a checked file
   * again (program-text.ts).
   */
  seek(offset: number, line: number): void {
    const t = this.text;
    let lineStart = offset;
    while (lineStart > 0 && !isLineBreak(t.charCodeAt(lineStart - 1))) lineStart--;
    const before = t.charCodeAt(offset - 1);
    this.pos = offset;
    this.line = line;
    this.lineStart = lineStart;
    this.spaced = offset > lineStart && (before === CH_SPACE || before === CH_TAB);
    this.stopped = false;
    if (this.diagnostics.length > 0) this.diagnostics.length = 0;
  }

  /** Reads the next token into `tok`; at the end of the input (or once stopped) that is 'eof', every time. */
  scan(tok: Tok): void {
    const t = this.text;
    const length = t.length;
    while (this.pos < length && !this.stopped) {
      const pos = this.pos;
      // Checked before the line break is read, so the break that ends an over-long line is not reported again.
      if (pos - this.lineStart >= MAX_LINE_LENGTH && !isLineBreak(t.charCodeAt(pos))) {
        this.error(
          { start: { line: this.line, character: 0 }, end: { line: this.line, character: MAX_LINE_LENGTH } },
          `line ${this.line + 1} is longer than ${MAX_LINE_LENGTH} characters: the rest of it is not read`,
        );
        this.skipToLineBreak();
        continue;
      }
      const c = t.charCodeAt(pos);
      if (c === CH_SPACE || c === CH_TAB) {
        this.pos++;
        this.spaced = true;
      } else if (c < 128 && (CLASS[c]! & NAME_START) !== 0) {
        if (c === 0x68 /* h */ && t.charCodeAt(pos + 1) === CH_QUOTE) this.byteString(tok);
        else this.name(tok);
        return;
      } else if (c < 128 && (CLASS[c]! & DIGIT) !== 0) {
        this.number(tok);
        return;
      } else if (isLineBreak(c)) {
        // LF, CRLF or a lone CR, as editors count lines (LSP): positions must match theirs.
        this.emit(tok, 'newline', '\n', pos, pos + 1);
        this.pos += c === CH_CR && t.charCodeAt(pos + 1) === CH_LF ? 2 : 1;
        this.newLine();
        return;
      } else if (c === CH_HASH) {
        this.skipToLineBreak();
      } else if (c === CH_QUOTE) {
        this.string(tok);
        return;
      } else if (c === 0 || c === 0xfffd) {
        // NUL, or bytes that are not UTF-8 (decoded as U+FFFD): a binary file, whose every byte would be an error.
        const what = c === 0 ? 'a NUL character' : 'bytes that are not UTF-8';
        const at = this.here();
        this.error({ start: at, end: { line: at.line, character: at.character + 1 } }, `${what}: this is not a text file, the rest of it is not read`);
        this.stopped = true;
      } else if (c === CH_BACKSLASH && this.continuesLine()) {
        continue;
      } else if (this.operator(tok, c)) {
        return;
      }
    }
    if (this.cut && !this.stopped) this.error({ start: this.here(), end: this.here() }, `the file is longer than ${MAX_TEXT_LENGTH} characters: the rest of it is not read`);
    // Stopped for good: the next call ends here too (without repeating the error).
    this.stopped = true;
    this.emit(tok, 'eof', '', this.pos, this.pos);
  }

  /** A literal's source text (a token's `text` is empty for them, to save the copy). */
  source(tok: Tok): string {
    return this.text.slice(tok.start, tok.end);
  }

  /** `tok` as a standalone Token object (what `lex()` returns). */
  token(tok: Tok): Token {
    const range = { start: { line: tok.line, character: tok.col }, end: { line: tok.line, character: tok.endCol } };
    const base = { type: tok.type, text: tok.text, range, spaced: tok.spaced };
    switch (tok.type) {
      case 'int':
        return { ...base, text: this.source(tok), int: tok.int };
      case 'string':
        return { ...base, text: this.source(tok), str: tok.str };
      case 'bytes':
        return { ...base, text: this.source(tok), bytes: tok.bytes };
      default:
        return base;
    }
  }

  /** `\` followed by optional blanks (and a comment) then a newline joins the lines. */
  private continuesLine(): boolean {
    const t = this.text;
    let p = this.pos + 1;
    while (p < t.length && (t.charCodeAt(p) === CH_SPACE || t.charCodeAt(p) === CH_TAB)) p++;
    if (p < t.length && t.charCodeAt(p) === CH_HASH) while (p < t.length && !isLineBreak(t.charCodeAt(p))) p++;
    if (p < t.length && !isLineBreak(t.charCodeAt(p))) return false;
    if (t.charCodeAt(p) === CH_CR && t.charCodeAt(p + 1) === CH_LF) p++;
    this.pos = p < t.length ? p + 1 : p;
    if (p < t.length) this.newLine();
    this.spaced = true;
    return true;
  }

  private name(tok: Tok): void {
    const t = this.text;
    const begin = this.pos;
    const end = this.lineEnd();
    // The hash for interning is computed in the same pass that finds the name's end.
    let hash = 0;
    let p = begin;
    for (; p < end; p++) {
      const c = t.charCodeAt(p);
      if (!isNameChar(c)) break;
      hash = (Math.imul(hash, 31) + c) | 0;
    }
    this.pos = p;
    this.emit(tok, 'name', this.intern(begin, p, hash), begin, p);
  }

  /**
   * The name at text[begin, end), as one shared string per distinct name: a
   * trace repeats a few dozen words (commands, keys, bound names) millions
   * of times, and the tree keeps every one.
   */
  private intern(begin: number, end: number, hash: number): string {
    const t = this.text;
    const length = end - begin;
    if (length > MAX_INTERNED_LENGTH) return t.slice(begin, end);
    const names = this.names;
    for (let i = hash & (NAME_SLOTS - 1); ; i = (i + 1) & (NAME_SLOTS - 1)) {
      const known = names[i];
      if (known === undefined) {
        const s = t.slice(begin, end);
        if (this.nameCount < NAME_SLOTS / 2) {
          names[i] = s;
          this.nameCount++;
        }
        return s;
      }
      if (known.length === length && t.startsWith(known, begin)) return known;
    }
  }

  private number(tok: Tok): void {
    const t = this.text;
    const begin = this.pos;
    const radix = t.charCodeAt(begin) === 0x30 /* 0 */ ? radixOf(t.charCodeAt(begin + 1)) : 10;
    if (radix !== 10) this.pos += 2;
    const end = this.lineEnd();
    // `small` holds the value while it is exact in a double; `big` takes over past that.
    let small = 0;
    let big: bigint | undefined;
    let digits = 0;
    for (; this.pos < end; this.pos++) {
      const c = t.charCodeAt(this.pos);
      if (c === CH_UNDERSCORE) continue;
      const d = c < 128 ? DIGIT_VALUE[c]! : 255;
      if (d >= radix) break;
      digits++;
      if (big === undefined) {
        if (small < EXACT_DOUBLE_LIMIT) small = small * radix + d;
        else big = BigInt(small) * BigInt(radix) + BigInt(d);
      } else if (big <= MAX_U64) {
        // Past 64 bits it is an overflow whatever follows: stop growing the value.
        big = big * BigInt(radix) + BigInt(d);
      }
    }
    let value: bigint;
    // Whether the value left a double's exact range (only then can it pass 64 bits: a bigint comparison costs a call).
    let large = big !== undefined;
    const shift = suffixShift(t.charCodeAt(this.pos));
    if (shift !== 0 && !isNameChar(this.pos + 1 < t.length ? t.charCodeAt(this.pos + 1) : CH_SPACE)) {
      // `4K` and the like: still exact in a double when small enough.
      large ||= small >= EXACT_BELOW[shift]!;
      value = large ? (big ?? BigInt(small)) << BigInt(shift) : this.bigint(small * SCALE[shift]!);
      this.pos++;
    } else {
      value = big ?? this.bigint(small);
    }
    // A literal glued to letters (`12abc`, `0x`, `4KB`) is one malformed token, not two.
    let malformed = digits === 0;
    while (this.pos < end && isNameChar(t.charCodeAt(this.pos))) {
      malformed = true;
      this.pos++;
    }
    if (malformed || (large && value > MAX_U64)) {
      const source = t.slice(begin, this.pos);
      const range = { start: this.at(begin), end: this.here() };
      if (malformed) this.error(range, `malformed ${BASE_NAMES[radix]} integer literal '${excerpt(source)}'`);
      else this.error(range, `overflow: integer literal '${excerpt(source)}' does not fit in 64 bits (the largest is 0xffffffffffffffff)`);
      value = 0n;
    }
    this.emit(tok, 'int', '', begin, this.pos);
    tok.int = value;
  }

  /**
   * `BigInt(n)` for an exact `n`, through a small direct-mapped cache: making
   * a bigint costs ~40 ns, several times the rest of a literal, and a trace
   * repeats its values close together (an IOVA mapped, used, then unmapped;
   * `4K`). A miss just replaces the slot.
   */
  private bigint(n: number): bigint {
    const slot = (n ^ (n / 4096)) & (INT_SLOTS - 1);
    if (this.intKeys[slot] === n) return this.intValues[slot]!;
    const v = BigInt(n);
    this.intKeys[slot] = n;
    this.intValues[slot] = v;
    return v;
  }

  private string(tok: Tok): void {
    const t = this.text;
    const begin = this.pos;
    const end = this.lineEnd();
    // Fast path: a string without escapes is one slice of the source.
    let p = begin + 1;
    for (; p < end; p++) {
      const c = t.charCodeAt(p);
      if (c === CH_QUOTE || c === CH_BACKSLASH || isLineBreak(c)) break;
    }
    let value = t.slice(begin + 1, p);
    this.pos = p;
    while (this.pos < end && t.charCodeAt(this.pos) !== CH_QUOTE && !isLineBreak(t.charCodeAt(this.pos))) {
      const next = t.charCodeAt(this.pos + 1);
      if (t.charCodeAt(this.pos) === CH_BACKSLASH && (next === CH_QUOTE || next === CH_BACKSLASH)) {
        value += t[this.pos + 1];
        this.pos += 2;
      } else if (t.charCodeAt(this.pos) === CH_BACKSLASH) {
        const at = this.here();
        this.pos++;
        this.error({ start: at, end: this.here() }, `unknown escape '\\${t[this.pos] ?? ''}' in string (only \\" and \\\\ are allowed)`);
      } else {
        value += t[this.pos++];
      }
    }
    this.closeQuote(begin, 'string');
    this.emit(tok, 'string', '', begin, this.pos);
    tok.str = value;
  }

  private byteString(tok: Tok): void {
    const t = this.text;
    const begin = this.pos;
    const end = this.lineEnd();
    this.pos += 2;
    const digits: number[] = [];
    while (this.pos < end && t.charCodeAt(this.pos) !== CH_QUOTE && !isLineBreak(t.charCodeAt(this.pos))) {
      const c = t.charCodeAt(this.pos);
      const d = c < 128 ? DIGIT_VALUE[c]! : 255;
      if (d < 16) digits.push(d);
      else if (c !== CH_SPACE && c !== CH_TAB) {
        const at = this.here();
        this.error({ start: at, end: { line: at.line, character: at.character + 1 } }, `expected a hex digit in byte string, found '${t[this.pos]}'`);
      }
      this.pos++;
    }
    const closed = this.closeQuote(begin, 'byte string');
    if (closed && digits.length % 2 !== 0) this.error({ start: this.at(begin), end: this.here() }, `byte string has an odd number of hex digits (${digits.length})`);
    const bytes = new Uint8Array(digits.length >> 1);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (digits[2 * i]! << 4) | digits[2 * i + 1]!;
    this.emit(tok, 'bytes', '', begin, this.pos);
    tok.bytes = bytes;
  }

  /** Consumes the closing quote, or reports the string (which began at `begin`) as unterminated. */
  private closeQuote(begin: number, what: string): boolean {
    if (this.text.charCodeAt(this.pos) === CH_QUOTE) {
      this.pos++;
      return true;
    }
    this.error({ start: this.at(begin), end: this.here() }, `unterminated ${what}: expected '"' before the end of the line`);
    return false;
  }

  /** An operator (longest match: `<<` over `<`, `=>` over `=`), or false after reporting an unexpected character. */
  private operator(tok: Tok, c: number): boolean {
    const begin = this.pos;
    const op = operatorAt(c, this.text.charCodeAt(begin + 1));
    if (op === undefined) {
      const ch = String.fromCodePoint(this.text.codePointAt(begin)!);
      const start = this.here();
      this.pos += ch.length;
      this.error({ start, end: this.here() }, `unexpected character '${ch}'`);
      return false;
    }
    this.pos += op.length;
    this.emit(tok, 'op', op, begin, this.pos);
    return true;
  }

  /** Fills `tok` for text[begin, end) on the current line. */
  private emit(tok: Tok, type: TokenType, text: string, begin: number, end: number): void {
    tok.type = type;
    tok.text = text;
    tok.line = this.line;
    tok.col = begin - this.lineStart;
    tok.endCol = end - this.lineStart;
    tok.start = begin;
    tok.end = end;
    tok.spaced = this.spaced;
    tok.range = undefined;
    this.spaced = false;
  }

  private skipToLineBreak(): void {
    const t = this.text;
    while (this.pos < t.length && !isLineBreak(t.charCodeAt(this.pos))) this.pos++;
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

  /** The position of a source offset on the current line. */
  private at(offset: number): Position {
    return { line: this.line, character: offset - this.lineStart };
  }

  private error(range: Range, message: string): void {
    if (this.stopped) return;
    this.diagnostics.push({ file: this.file, range, severity: 'error', message });
    if (this.diagnostics.length < MAX_LEX_ERRORS) return;
    this.diagnostics.push({ file: this.file, range, severity: 'error', message: `more than ${MAX_LEX_ERRORS} errors: the rest of the file is not read` });
    this.stopped = true;
  }
}

/** The operator starting with character `c` (followed by `next`), or undefined. */
function operatorAt(c: number, next: number): string | undefined {
  switch (c) {
    case 0x3d /* = */:
      return next === 0x3e /* > */ ? '=>' : next === 0x3d ? '==' : '=';
    case 0x21 /* ! */:
      return next === 0x3d /* = */ ? '!=' : '!';
    case 0x3c /* < */:
      return next === 0x3d /* = */ ? '<=' : next === 0x3c ? '<<' : '<';
    case 0x3e /* > */:
      return next === 0x3d /* = */ ? '>=' : next === 0x3e ? '>>' : '>';
    case 0x26 /* & */:
      return next === 0x26 ? '&&' : '&';
    case 0x7c /* | */:
      return next === 0x7c ? '||' : '|';
    case 0x2e /* . */:
      return next === 0x2e ? '..' : '.';
    default:
      return c < 128 ? SINGLE_OPERATORS[c] : undefined;
  }
}

/** Operators of one character that never start a longer one, by character code. */
const SINGLE_OPERATORS = new Array<string | undefined>(128).fill(undefined);
for (const op of ['+', '-', '*', '/', '%', '^', '~', '(', ')', '[', ']', '{', '}', ',']) SINGLE_OPERATORS[op.charCodeAt(0)] = op;

/** A literal as messages quote it: long ones are cut. */
function excerpt(source: string): string {
  return source.length > 40 ? `${source.slice(0, 40)}...` : source;
}
