// Incremental parsing. The language is line oriented: a file is a sequence
// of top-level statements, each spanning whole lines (a `repeat` or `proc`
// block spans several). The file is kept as segments of lines that each
// parse on their own exactly as they parse inside the whole file; an edit
// re-parses only the segments it touches (with the public `parse`), moved to
// their lines, and splices them in.
//
// Where a segment may start (line L) without changing the parse: the parser
// is at the top level there, outside any statement or block (a top-level
// statement starts at L's first token), and the lexer starts afresh (line
// L-1 does not continue with a `\`: a line holding no backslash at all, to
// stay simple). Tokens never span lines otherwise: strings and comments end
// at the line's end. The lexer's file-wide limits (the error cap, binary
// input, the length cap) do not split: such files are parsed whole.
import type { Diagnostic, Stmt } from '../../emulator/language/ast.js';
import { MAX_LEX_ERRORS, MAX_TEXT_LENGTH } from '../../emulator/language/lexer.js';
import { parse } from '../../emulator/language/parser.js';
import type { LineIndex } from './positions.js';
import { shiftRanged, shiftStatements } from './range-shift.js';

export interface ParsedSegment {
  /** The segment's lines of the document: [startLine, startLine + lineCount). */
  startLine: number;
  lineCount: number;
  statements: Stmt[];
  /** The lexer's and parser's diagnostics in its lines, in the order parse() reports them. */
  parseDiagnostics: Diagnostic[];
}

/** A statement that ends a region when it is parsed at the top level (see parseRegion). */
const PROBE = 'iotrace_region_end';

/** A text this long, or with this many parse errors, may meet the lexer's file-wide limits: it is parsed whole. */
export function withinLimits(length: number, parseDiagnostics: number): boolean {
  return length <= MAX_TEXT_LENGTH && parseDiagnostics < MAX_LEX_ERRORS;
}

/** NUL or undecodable bytes stop the lexer for the rest of the file: such a text is parsed whole. */
export function hasBinary(text: string): boolean {
  return /[\0\uFFFD]/.test(text);
}

/**
 * Parses lines [from, to) of a document on their own, moved to their lines.
 * Undefined when the parser would still be inside a statement or block at
 * line `to` (an unclosed `{`): the region must then grow. This is tested
 * with a probe line appended after the region: the region is closed exactly
 * when the probe parses as a top-level statement of its own.
 */
export function parseRegion(file: string, lines: LineIndex, from: number, to: number): { statements: Stmt[]; diagnostics: Diagnostic[] } | undefined {
  const atEnd = to >= lines.lineCount;
  const region = lines.text.slice(lines.lineStart(from), atEnd ? lines.text.length : lines.lineStart(to));
  const source = atEnd ? region : region + PROBE;
  let { program, diagnostics } = parse(file, source);
  let shift = from;
  if (from > 0 && quotesLines(diagnostics)) {
    // A message quotes a line ("the block opened on line 3"): parse the region at its own lines instead (rare: costs the blank lines above).
    ({ program, diagnostics } = parse(file, '\n'.repeat(from) + source));
    shift = 0;
  }
  const statements = program.statements;
  if (!atEnd) {
    const probe = statements.pop();
    const n = to - shift;
    const probed =
      probe?.kind === 'command' && probe.command === PROBE && !probe.bind && probe.args.length === 0 && !probe.expect &&
      probe.range.start.line === n && probe.range.start.character === 0;
    if (!probed || diagnostics.some((d) => d.range.start.line >= n)) return undefined;
  }
  if (shift > 0) {
    shiftStatements(statements, shift);
    shiftRanged(diagnostics, shift);
  }
  return { statements, diagnostics };
}

/** Whether a message quotes a line number (it changes when its segment moves). */
export function quotesLines(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => /\bline \d/.test(d.message));
}

/**
 * Splits the parse of lines [from, to) into segments at every line where a
 * segment may start (see above). Statements and diagnostics keep their order.
 */
export function splitSegments(lines: LineIndex, from: number, to: number, statements: Stmt[], diagnostics: Diagnostic[]): ParsedSegment[] {
  const out: ParsedSegment[] = [];
  let current: ParsedSegment = { startLine: from, lineCount: 0, statements: [], parseDiagnostics: [] };
  let lastEnd = -1;
  for (const s of statements) {
    const line = s.range.start.line;
    if (current.statements.length > 0 && line > lastEnd && line > from && startsLine(lines, line, s.range.start.character) && !hasBackslash(lines, line - 1)) {
      current.lineCount = line - current.startLine;
      out.push(current);
      current = { startLine: line, lineCount: 0, statements: [], parseDiagnostics: [] };
    }
    current.statements.push(s);
    lastEnd = s.range.end.line;
  }
  current.lineCount = to - current.startLine;
  out.push(current);
  for (const d of diagnostics) out[segmentAt(out, d.range.start.line)]!.parseDiagnostics.push(d);
  return out;
}

/** The index of the segment holding a line (segments in order, covering the lines). */
export function segmentAt(segments: readonly { startLine: number }[], line: number): number {
  let lo = 0;
  let hi = segments.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (segments[mid]!.startLine <= line) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Only blanks precede `character` on the line. */
function startsLine(lines: LineIndex, line: number, character: number): boolean {
  const text = lines.text;
  const start = lines.lineStart(line);
  for (let i = start; i < start + character; i++) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9) return false;
  }
  return true;
}

function hasBackslash(lines: LineIndex, line: number): boolean {
  const text = lines.text;
  const end = lines.lineStart(line + 1);
  for (let i = lines.lineStart(line); i < end; i++) if (text.charCodeAt(i) === 92) return true;
  return false;
}
