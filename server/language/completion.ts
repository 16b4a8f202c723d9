// Completion: commands and keywords where a statement begins, the keys and
// values a command takes (only names of the right kind: IOAS names where an
// IOAS id is wanted, declared devices where a device is), flag words, enum
// constants, errnos and fault kinds after `=>`, fields after `NAME.`, names
// and queries in expressions, and snippets for common sequences.
import type { Position } from '../../emulator/language/ast.js';
import type { ArgKind, ArgSpec } from '../../emulator/language/command-spec.js';
import { FAULT_KINDS } from '../../emulator/language/checker.js';
import { COMMANDS } from '../../emulator/language/commands.js';
import { CONSTANTS, FAULT_FIELDS, QUERIES } from '../../emulator/language/queries.js';
import { ERRNO, type ErrnoName } from '../../emulator/engine/errno.js';
import { errnoRules } from '../../emulator/language/errno-rules.js';
import type { Analysis } from './analysis.js';
import { commandSignature, kindText, querySignature, resultText } from './command-docs.js';
import { cursorContext } from './statement-context.js';
import type { Definition } from './symbol-index.js';
import { SNIPPETS } from './snippets.js';

export type CompletionKind = 'command' | 'keyword' | 'key' | 'name' | 'proc' | 'declared' | 'word' | 'errno' | 'query' | 'field' | 'snippet' | 'constant';

export interface Completion {
  label: string;
  kind: CompletionKind;
  detail?: string;
  /** Text to insert when it differs from the label; `snippet` marks LSP snippet syntax. */
  insertText?: string;
  snippet?: boolean;
  /** Sorts before the rest (names of the right kind). */
  preferred?: boolean;
  /** What resolve needs to add documentation. */
  data?: { command?: string; query?: string };
}

const KEYWORDS = ['let', 'expect', 'repeat', 'proc', 'include'];

export function completions(a: Analysis, pos: Position): Completion[] {
  const { context } = cursorContext(a.lines, pos);
  const scope = [...a.scopeAt(pos).values()];
  switch (context.kind) {
    case 'none':
      return [];
    case 'statement': {
      const commands = [...COMMANDS.values()].filter((c) => !context.bound || c.result);
      const out: Completion[] = commands.map((c) => ({ label: c.name, kind: 'command', detail: commandSignature(c), data: { command: c.name } }));
      if (context.bound) return out;
      out.push(...KEYWORDS.map((k): Completion => ({ label: k, kind: 'keyword' })));
      out.push(...scope.filter((d) => d.kind === 'proc').map((d): Completion => ({ label: d.name, kind: 'proc', insertText: `${d.name}($1)`, snippet: true, detail: procSignature(d) })));
      out.push(...SNIPPETS.map((s): Completion => ({ label: s.label, kind: 'snippet', insertText: s.body, snippet: true, detail: s.detail })));
      return out;
    }
    case 'outcome':
      if (context.afterFault) return FAULT_KINDS.map((f) => ({ label: f, kind: 'word' }));
      return [
        { label: 'ok', kind: 'constant' },
        { label: 'fault', kind: 'keyword', insertText: 'fault ' },
        ...errnoItems(context.command),
      ];
    case 'field':
      return fieldsOf(context.object, scope).map((f) => ({ label: f, kind: 'field' }));
    case 'expression':
      return expressionItems(scope);
    case 'call': {
      const q = QUERIES.get(context.callee);
      const arg = q?.args[context.argIndex];
      return arg ? valueItems(arg.kind, scope) : expressionItems(scope);
    }
    case 'command': {
      if (context.key) return valueItems(context.key.kind, scope);
      const keys = [...context.spec.args].filter((k) => !context.given.has(k.key));
      const out: Completion[] = keys.map((k) => keyItem(k));
      if (context.slot) out.push(...valueItems(context.slot.kind, scope));
      // Bare words go to their own argument wherever they stand (`dma nic0 read`, `device d pri`).
      for (const k of keys) {
        if (k.kind.type === 'switch') out.push({ label: k.key, kind: 'word', detail: 'switch' });
        if (k.kind.type === 'word' && k.positional) out.push(...k.kind.words.map((w): Completion => ({ label: w, kind: 'word', detail: k.key })));
      }
      return out;
    }
  }
}

/**
 * Every errno; those the command's ioctl can return come first (preferred,
 * detail: the first check that gives it), in the kernel's check order.
 */
function errnoItems(command: string | undefined): Completion[] {
  const rules = command ? errnoRules(command) ?? [] : [];
  const first = new Map<string, string>();
  for (const x of rules) if (!first.has(x.errno)) first.set(x.errno, x.when);
  const likely = [...first].map(([name, when]): Completion => ({ label: name, kind: 'errno', detail: `errno ${ERRNO[name as ErrnoName]}: ${when}`, preferred: true }));
  const rest = Object.entries(ERRNO).filter(([name]) => !first.has(name)).map(([name, n]): Completion => ({ label: name, kind: 'errno', detail: `errno ${n}` }));
  return [...likely, ...rest];
}

function keyItem(k: ArgSpec): Completion {
  return { label: `${k.key}=`, kind: 'key', insertText: `${k.key}=`, detail: kindText(k.kind) };
}

function expressionItems(scope: Definition[]): Completion[] {
  return [
    ...scope.filter((d) => d.kind !== 'proc').map(nameItem),
    ...[...QUERIES.values()].map((q): Completion => ({ label: q.name, kind: 'query', detail: querySignature(q), insertText: `${q.name}($1)`, snippet: true, data: { query: q.name } })),
    ...[...CONSTANTS].map((c): Completion => ({ label: c, kind: 'constant' })),
  ];
}

/** The values an argument of this kind takes, names of a fitting kind first. */
export function valueItems(kind: ArgKind, scope: Definition[]): Completion[] {
  switch (kind.type) {
    case 'flags':
      return Object.entries(kind.flags).map(([w, v]) => ({ label: w, kind: 'word', detail: `flag 0x${v.toString(16)}` }));
    case 'enum':
      return Object.entries(kind.values).map(([w, v]) => ({ label: w, kind: 'word', detail: `constant 0x${v.toString(16)}` }));
    case 'word':
      return kind.words.map((w) => ({ label: w, kind: 'word' }));
    case 'switch':
      return ['0', '1'].map((w) => ({ label: w, kind: 'constant' }));
    default:
      return scope.filter((d) => fits(d, kind)).map((d) => ({ ...nameItem(d), preferred: true }));
  }
}

/** Whether a name in scope can stand where an argument of `kind` is wanted. */
function fits(d: Definition, kind: ArgKind): boolean {
  if (d.kind === 'let' || d.kind === 'param') return kind.type !== 'device' && kind.type !== 'iommu' && kind.type !== 'process' && kind.type !== 'fd' && kind.type !== 'guest_pt';
  if (d.kind === 'loop') return kind.type === 'int' || kind.type === 'addr' || kind.type === 'id';
  if (d.kind === 'declared') return d.declares === kind.type || (kind.type === 'addr' && d.declares === 'memory');
  if (d.kind === 'result') {
    const primary = COMMANDS.get(d.command ?? '')?.result?.primary;
    if (!primary) return false;
    if (kind.type === 'id') return primary.type === 'id' && primary.objects.some((o) => kind.objects.includes(o));
    if (kind.type === 'int' || kind.type === 'addr') return primary.type === 'int' || primary.type === 'id';
    if (kind.type === 'handle') return primary.type === 'handle';
    if (kind.type === 'list' || kind.type === 'bytes') return primary.type === 'list';
  }
  return false;
}

function nameItem(d: Definition): Completion {
  return { label: d.name, kind: d.kind === 'declared' ? 'declared' : 'name', detail: describeDefinition(d) };
}

export function describeDefinition(d: Definition): string {
  switch (d.kind) {
    case 'result':
      return `${d.command}: ${resultText(COMMANDS.get(d.command ?? '')?.result) ?? 'no result'}`;
    case 'declared':
      return d.builtin ? `built-in ${d.declares}` : `declared ${d.declares}`;
    case 'let':
      return 'let';
    case 'loop':
      return 'loop variable';
    case 'param':
      return 'proc parameter';
    case 'proc':
      return procSignature(d);
  }
}

function procSignature(d: Definition): string {
  return d.stmt?.kind === 'proc' ? `proc ${d.name}(${d.stmt.params.map((p) => p.name).join(', ')})` : `proc ${d.name}`;
}

function fieldsOf(object: string, scope: Definition[]): string[] {
  const d = scope.find((x) => x.name === object);
  if (!d || d.kind !== 'result') return object === 'last_fault' ? FAULT_FIELDS : [];
  return COMMANDS.get(d.command ?? '')?.result?.fields ?? [];
}
