// What the cursor is in, read from the text of the statement up to it (the
// text being typed rarely parses, so this works on tokens, not on the tree):
// the start of a statement, a command's arguments (which key, which
// positional slot), an outcome after `=>`, a field after `NAME.`, or an
// expression. Completion and signature help share it.
import type { Position } from '../../emulator/language/ast.js';
import type { ArgSpec, CommandSpec } from '../../emulator/language/command-spec.js';
import { acceptedKeys } from '../../emulator/language/check-command.js';
import { COMMANDS } from '../../emulator/language/commands.js';
import { lex, type Token } from '../../emulator/language/lexer.js';
import type { LineIndex } from './positions.js';

export type CursorContext =
  | { kind: 'none' }
  /** Where a statement begins; `bound` when `NAME =` precedes (only commands with a result fit). */
  | { kind: 'statement'; bound: boolean }
  /** After `=>`; `command` is the statement's command, when it is one. */
  | { kind: 'outcome'; afterFault: boolean; command?: string }
  | { kind: 'field'; object: string }
  | { kind: 'expression' }
  | { kind: 'call'; callee: string; argIndex: number }
  | {
      kind: 'command';
      spec: CommandSpec;
      /** The key whose value is being typed (`key=` before the cursor), if any. */
      key?: ArgSpec;
      /** The positional slot the next bare argument fills, if any is left. */
      slot?: ArgSpec;
      /** Keys already given (by key, by position or as a word). */
      given: Set<string>;
    };

export interface CursorInfo {
  context: CursorContext;
  /** The partial word before the cursor (replaced by a completion). */
  word: string;
}

const NAME_CHAR = /[A-Za-z0-9_]/;

export function cursorContext(lines: LineIndex, pos: Position): CursorInfo {
  const text = statementTextBefore(lines, pos);
  let w = text.length;
  while (w > 0 && NAME_CHAR.test(text[w - 1]!)) w--;
  const word = text.slice(w);
  const before = text.slice(0, w);
  const tokens = lex('', before).tokens.filter((t) => t.type !== 'eof' && t.type !== 'newline');
  if (insideCommentOrString(before)) return { context: { kind: 'none' }, word };
  return { context: classify(tokens, before), word };
}

/** The logical statement up to the cursor: joined `\` lines, after the last `{` or `}` of a block on the same line. */
function statementTextBefore(lines: LineIndex, pos: Position): string {
  let text = lines.lineText(pos.line).slice(0, pos.character);
  for (let l = pos.line - 1; l >= 0; l--) {
    const prev = lines.lineText(l);
    if (!/\\[ \t]*(#.*)?$/.test(prev)) break;
    text = `${prev.replace(/\\[ \t]*(#.*)?$/, ' ')}${text}`;
  }
  const brace = Math.max(lastOutsideString(text, '{'), lastOutsideString(text, '}'));
  return brace >= 0 && !/\(|\[/.test(text.slice(brace)) ? text.slice(brace + 1) : text;
}

function lastOutsideString(text: string, ch: string): number {
  let inString = false;
  let last = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') inString = !inString;
    else if (c === '\\' && inString) i++;
    else if (c === '#' && !inString) break;
    else if (c === ch && !inString) last = i;
  }
  return last;
}

function insideCommentOrString(text: string): boolean {
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') inString = !inString;
    else if (c === '\\' && inString) i++;
    else if (c === '#' && !inString) return true;
  }
  return inString;
}

function classify(tokens: Token[], before: string): CursorContext {
  const last = tokens[tokens.length - 1];
  if (last?.text === '.' && !/\s$/.test(before)) {
    const object = calleeOfClosedCall(tokens, tokens.length - 2) ?? tokens[tokens.length - 2];
    return object?.type === 'name' ? { kind: 'field', object: object.text } : { kind: 'none' };
  }
  const arrow = tokens.findIndex((t) => t.text === '=>');
  if (arrow >= 0) return tokens.length - arrow <= 2 ? { kind: 'outcome', afterFault: last?.text === 'fault', command: commandOf(tokens) } : { kind: 'expression' };
  const call = openCall(tokens);
  if (call) return call;
  const head = tokens[0];
  if (!head) return { kind: 'statement', bound: false };
  if (head.type === 'name' && tokens[1]?.text === '=' && tokens.length === 2) return { kind: 'statement', bound: true };
  if (head.type !== 'name') return { kind: 'none' };
  if (['let', 'expect', 'repeat'].includes(head.text)) {
    return head.text === 'let' && tokens.length < 3 ? { kind: 'none' } : { kind: 'expression' };
  }
  if (head.text === 'proc' || head.text === 'include') return { kind: 'none' };
  const start = tokens[1]?.text === '=' ? 2 : 0;
  const spec = tokens[start] ? COMMANDS.get(tokens[start]!.text) : undefined;
  if (!spec) return tokens.length === 1 && /[ \t]$/.test(before) ? { kind: 'none' } : { kind: 'expression' };
  return commandContext(spec, tokens.slice(start + 1), before);
}

/** The command a statement's tokens start with (after an optional `NAME =`). */
function commandOf(tokens: Token[]): string | undefined {
  const name = tokens[1]?.text === '=' ? tokens[2] : tokens[0];
  return name?.type === 'name' && COMMANDS.has(name.text) ? name.text : undefined;
}

/** For `f(...)` ending at `close`: the token `f` (so that `last_fault(d).` completes its fields). */
function calleeOfClosedCall(tokens: Token[], close: number): Token | undefined {
  if (tokens[close]?.text !== ')') return undefined;
  let depth = 0;
  for (let i = close; i >= 0; i--) {
    const t = tokens[i]!.text;
    if (t === ')') depth++;
    else if (t === '(' && --depth === 0) return tokens[i - 1];
  }
  return undefined;
}

/** Inside `name(` ... with no matching `)`: which argument. */
function openCall(tokens: Token[]): CursorContext | undefined {
  let depth = 0;
  let commas = 0;
  for (let i = tokens.length - 1; i >= 0; i--) {
    const t = tokens[i]!;
    if (t.text === ')' || t.text === ']' || t.text === '}') depth++;
    else if (t.text === '[' || t.text === '{') {
      if (depth === 0) return undefined;
      depth--;
    } else if (t.text === '(') {
      if (depth > 0) {
        depth--;
        continue;
      }
      const callee = tokens[i - 1];
      return callee?.type === 'name' && !t.spaced ? { kind: 'call', callee: callee.text, argIndex: commas } : undefined;
    } else if (t.text === ',' && depth === 0) commas++;
  }
  return undefined;
}

interface ArgStart {
  key?: string;
  word?: string;
}

function commandContext(spec: CommandSpec, args: Token[], before: string): CursorContext {
  const keys = acceptedKeys(spec);
  const starts = argumentStarts(args);
  const lastTok = args[args.length - 1];
  const typingValue = lastTok?.text === '=' && !/\s$/.test(before) ? args[args.length - 2] : undefined;
  const given = new Set<string>();
  let positional = 0;
  const completed = typingValue ? starts.slice(0, -1) : starts;
  for (const s of completed) {
    if (s.key !== undefined) given.add(s.key);
    else {
      const word = s.word !== undefined ? spec.args.find((a) => (a.kind.type === 'word' && a.kind.words.includes(s.word!)) || (a.kind.type === 'switch' && a.key === s.word)) : undefined;
      if (word) given.add(word.key);
      else positional++;
    }
  }
  const slots = spec.args.filter((a) => a.positional && a.kind.type !== 'word' && a.kind.type !== 'switch');
  let slot: ArgSpec | undefined;
  for (const s of slots) {
    if (given.has(s.key)) continue;
    if (positional === 0) {
      slot = s;
      break;
    }
    positional--;
    given.add(s.key);
  }
  // A value continuing after `|` (flags) or another operator belongs to the argument being written.
  if (lastTok?.type === 'op' && lastTok.text !== '=' && starts.length > 0) {
    const current = starts[starts.length - 1]!;
    const key = current.key !== undefined ? keys.get(current.key) : slot;
    return { kind: 'command', spec, key, given };
  }
  const key = typingValue ? keys.get(typingValue.text) : undefined;
  return { kind: 'command', spec, key, slot: key ? undefined : slot, given };
}

/**
 * Where each argument begins: a spaced token at bracket depth 0 that does not
 * continue an expression (after a binary operator or `=` an argument goes on).
 */
function argumentStarts(tokens: Token[]): ArgStart[] {
  const out: ArgStart[] = [];
  let depth = 0;
  let prev: Token | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const continues = prev !== undefined && (prev.type === 'op' && !')]}'.includes(prev.text));
    const isOperator = t.type === 'op' && !'([{'.includes(t.text);
    if (depth === 0 && !continues && !isOperator && (t.spaced || prev === undefined)) {
      const next = tokens[i + 1];
      if (t.type === 'name' && next?.text === '=' && !next.spaced) out.push({ key: t.text });
      else out.push(t.type === 'name' ? { word: t.text } : {});
    }
    if ('([{'.includes(t.text) && t.type === 'op') depth++;
    if (')]}'.includes(t.text) && t.type === 'op') depth = Math.max(0, depth - 1);
    prev = t;
  }
  return out;
}
