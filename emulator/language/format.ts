// The formatter: indents blocks, puts one space between the tokens of a
// statement and trims line ends. It works line by line and keeps every line
// where it is (so range formatting is a slice of the whole), never changes
// what a line means, and is idempotent:
// - whether two tokens touch is meaningful (`r[0]` indexes, `r [0]` is two
//   arguments), so glued tokens stay glued and only runs of blanks shrink;
// - the blanks before `=>` and before a trailing comment are kept, since
//   traces align their outcomes and comments in columns;
// - a line the lexer cannot read cleanly is only re-indented.
import { lex, type Token } from './lexer.js';

export interface FormatOptions {
  /** One level of indentation (default two spaces). */
  indent?: string;
}

/** Formats a whole text; returns the new text (line `i` of it is line `i` of the input). */
export function formatText(text: string, opts: FormatOptions = {}): string {
  // Each line keeps its own break (LF, CRLF or a lone CR, which the lexer and editors count as lines too).
  const breaks = text.match(LINE_BREAK) ?? [];
  const lines = formatLines(text, opts);
  // At most one newline at the end of the text.
  while (lines.length > 2 && lines[lines.length - 1] === '' && lines[lines.length - 2] === '') {
    lines.pop();
    breaks.pop();
  }
  return lines.map((l, i) => l + (breaks[i] ?? '')).join('');
}

const LINE_BREAK = /\r\n|\r|\n/g;

/** The formatted lines, one per input line. */
export function formatLines(text: string, opts: FormatOptions = {}): string[] {
  const indent = opts.indent ?? '  ';
  const out: string[] = [];
  let depth = 0;
  let continued = false;
  for (const line of text.split(LINE_BREAK)) {
    const { code, gap, comment } = splitComment(line);
    const body = trimBlanks(code);
    const continues = /\\[ \t]*$/.test(body);
    const core = continues ? trimEndBlanks(body.replace(/\\[ \t]*$/, '')) : body;
    const tokens = lex('', core);
    // Clean: the whole line lexes without error, and so does its code without
    // the continuation (a backslash left at the end of that would read as a
    // continuation to nothing, where the line has another backslash after it).
    const clean = tokens.diagnostics.length === 0 && !core.endsWith('\\') && lex('', body).diagnostics.length === 0;
    const first = tokens.tokens[0];
    const closes = first?.type === 'op' && first.text === '}' ? 1 : 0;
    const level = Math.max(0, depth - closes) + (continued ? 2 : 0);
    // A line the lexer cannot read is only re-indented: its blanks and
    // backslashes may be inside an unterminated string.
    let rebuilt = clean ? join(tokens.tokens, core) : trimStartBlanks(comment ? trimEndBlanks(code) : code);
    if (clean && continues) rebuilt = rebuilt ? `${rebuilt} \\` : '\\';
    if (comment) rebuilt = rebuilt ? `${rebuilt}${gap || ' '}${trimEndBlanks(comment)}` : trimEndBlanks(comment);
    out.push(rebuilt ? indent.repeat(level) + rebuilt : '');
    if (clean) depth = Math.max(0, depth + braceBalance(tokens.tokens));
    continued = continues;
  }
  return out;
}

/**
 * Blanks are what the lexer skips between tokens: spaces and tabs. String's
 * own trim also eats \v, \f and no-break spaces, which are errors in a
 * trace: removing them would change what the file means.
 */
const trimBlanks = (s: string): string => trimEndBlanks(trimStartBlanks(s));
const trimEndBlanks = (s: string): string => s.replace(/[ \t]+$/, '');
const trimStartBlanks = (s: string): string => s.replace(/^[ \t]+/, '');

/** The code, the blanks before a `#` comment, and the comment (`#` outside strings). */
function splitComment(line: string): { code: string; gap: string; comment: string } {
  let inString = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (inString && c === '\\') i++;
    else if (c === '"') inString = !inString;
    else if (c === '#' && !inString) {
      const code = line.slice(0, i);
      const trimmed = trimEndBlanks(code);
      return { code, gap: code.slice(trimmed.length), comment: line.slice(i) };
    }
  }
  return { code: line, gap: '', comment: '' };
}

/** The tokens with one blank where there were blanks, except the alignment before `=>`. */
function join(tokens: Token[], source: string): string {
  let out = '';
  let prevEnd = 0;
  for (const t of tokens) {
    if (t.type === 'eof' || t.type === 'newline') continue;
    const text = source.slice(t.range.start.character, t.range.end.character);
    if (out && t.spaced) out += t.text === '=>' ? source.slice(prevEnd, t.range.start.character) : ' ';
    out += text;
    prevEnd = t.range.end.character;
  }
  return out;
}

function braceBalance(tokens: Token[]): number {
  let n = 0;
  for (const t of tokens) {
    if (t.type !== 'op') continue;
    if (t.text === '{') n++;
    else if (t.text === '}') n--;
  }
  return n;
}
