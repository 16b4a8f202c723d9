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
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const lines = formatLines(text, opts);
  // At most one newline at the end of the text.
  while (lines.length > 2 && lines[lines.length - 1] === '' && lines[lines.length - 2] === '') lines.pop();
  return lines.join(eol);
}

/** The formatted lines, one per input line. */
export function formatLines(text: string, opts: FormatOptions = {}): string[] {
  const indent = opts.indent ?? '  ';
  const out: string[] = [];
  let depth = 0;
  let continued = false;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    const { code, gap, comment } = splitComment(line);
    const body = code.trim();
    const continues = /\\[ \t]*$/.test(body);
    const core = continues ? body.replace(/\\[ \t]*$/, '').trimEnd() : body;
    const tokens = lex('', core);
    const clean = tokens.diagnostics.length === 0;
    const first = tokens.tokens[0];
    const closes = first?.type === 'op' && first.text === '}' ? 1 : 0;
    const level = Math.max(0, depth - closes) + (continued ? 2 : 0);
    let rebuilt = clean ? join(tokens.tokens, core) : core;
    if (continues) rebuilt = rebuilt ? `${rebuilt} \\` : '\\';
    if (comment) rebuilt = rebuilt ? `${rebuilt}${gap || ' '}${comment.trimEnd()}` : comment.trimEnd();
    out.push(rebuilt ? indent.repeat(level) + rebuilt : '');
    if (clean) depth = Math.max(0, depth + braceBalance(tokens.tokens));
    continued = continues;
  }
  return out;
}

/** The code, the blanks before a `#` comment, and the comment (`#` outside strings). */
function splitComment(line: string): { code: string; gap: string; comment: string } {
  let inString = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (inString && c === '\\') i++;
    else if (c === '"') inString = !inString;
    else if (c === '#' && !inString) {
      const code = line.slice(0, i);
      const trimmed = code.trimEnd();
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
