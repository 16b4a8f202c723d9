// Comparing positions and ranges (0-based line and UTF-16 column, as both the
// AST and LSP count them).
import type { Position, Range } from '../../emulator/language/ast.js';

export function comparePositions(a: Position, b: Position): number {
  return a.line - b.line || a.character - b.character;
}

/** True if `pos` is inside `range` or touches its end (a cursor right after a word is on it). */
export function containsPosition(range: Range, pos: Position): boolean {
  return comparePositions(range.start, pos) <= 0 && comparePositions(pos, range.end) <= 0;
}

export function containsRange(outer: Range, inner: Range): boolean {
  return comparePositions(outer.start, inner.start) <= 0 && comparePositions(inner.end, outer.end) <= 0;
}

export function rangesOverlap(a: Range, b: Range): boolean {
  return comparePositions(a.start, b.end) <= 0 && comparePositions(b.start, a.end) <= 0;
}

/**
 * Offsets of line starts, for turning positions into string offsets and back.
 * Lines end at LF, CRLF or a lone CR, as the lexer and LSP count them.
 */
export class LineIndex {
  private constructor(
    readonly text: string,
    /** A typed array: an edit copies it (memcpy) and moves the starts below it in a tight loop. */
    private readonly starts: Uint32Array,
  ) {}

  static of(text: string): LineIndex {
    const starts = [0];
    addStarts(text, 0, text.length, starts);
    return new LineIndex(text, Uint32Array.from(starts));
  }

  /**
   * The index of `text`, which is this index's text with [from, to) replaced
   * by `inserted`: only the lines around the edit are scanned, the starts
   * below it move by the length difference (a cheap loop, not a rescan).
   */
  edited(text: string, from: number, to: number, inserted: string): LineIndex {
    const old = this.starts;
    const line = this.positionAt(from).line;
    // A CR before the edit may join an LF it inserts, so the scan starts a line early.
    const first = Math.max(0, line - 1);
    const scanEnd = Math.min(text.length, from + inserted.length + 2);
    const around: number[] = [];
    addStarts(text, old[first]!, scanEnd, around);
    // Past the edit (by two characters, so that a CRLF split or joined at its end is scanned), line breaks are the old ones.
    const delta = inserted.length - (to - from);
    let kept = first + 1;
    while (kept < old.length && old[kept]! + delta <= scanEnd) kept++;
    const replaced = kept - first - 1;
    // Typing within a line moves no line start: the (never changed) starts are shared.
    if (delta === 0 && replaced === around.length && around.every((s, k) => s === old[first + 1 + k])) return new LineIndex(text, old);
    const starts = new Uint32Array(old.length - replaced + around.length);
    starts.set(old.subarray(0, first + 1));
    starts.set(around, first + 1);
    starts.set(old.subarray(kept), first + 1 + around.length);
    if (delta !== 0) for (let k = first + 1 + around.length; k < starts.length; k++) starts[k]! += delta;
    return new LineIndex(text, starts);
  }

  get lineCount(): number {
    return this.starts.length;
  }

  /** Offset of the start of a line (the text's length past the last line). */
  lineStart(line: number): number {
    return this.starts[line] ?? this.text.length;
  }

  offsetAt(pos: Position): number {
    const start = this.starts[Math.min(pos.line, this.starts.length - 1)]!;
    return Math.min(start + pos.character, this.lineEnd(pos.line));
  }

  positionAt(offset: number): Position {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: offset - this.starts[lo]! };
  }

  lineText(line: number): string {
    const start = this.starts[line];
    return start === undefined ? '' : this.text.slice(start, this.lineEnd(line));
  }

  /** Offset of the end of a line: before its LF or lone CR (a CRLF line keeps its CR, which callers strip). */
  private lineEnd(line: number): number {
    const next = this.starts[line + 1];
    return next === undefined ? this.text.length : next - 1;
  }
}

/** Appends the offsets in (from, to] that start a line (the character before them ends one). */
function addStarts(text: string, from: number, to: number, out: number[]): void {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) out.push(i + 1);
  }
}
