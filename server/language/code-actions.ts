// Code actions: "did you mean" fixes for misspelt commands, keys, errnos and
// queries; a declaration for an undefined name (of the kind its argument
// wants) or proc; "accept the actual outcome" for a live mismatch; and
// "insert teardown" for the objects a file leaves alive.
import type { CommandStmt, Range, Stmt } from '../../emulator/language/ast.js';
import type { ArgKind } from '../../emulator/language/command-spec.js';
import { COMMANDS } from '../../emulator/language/commands.js';
import type { Analysis } from './analysis.js';
import type { FileDiagnostic } from './diagnostics.js';
import { containsPosition, containsRange, rangesOverlap } from './positions.js';

export interface TextEdit {
  range: Range;
  newText: string;
}

export interface CodeAction {
  title: string;
  kind: 'quickfix' | 'source';
  /** Edits of this document. */
  edits: TextEdit[];
  /** The diagnostic it fixes. */
  fixes?: FileDiagnostic;
  preferred?: boolean;
}

export type ActionDiagnostic = Pick<FileDiagnostic, 'range' | 'message' | 'code' | 'actual'>;

export function codeActions(a: Analysis, range: Range, diagnostics: ActionDiagnostic[]): CodeAction[] {
  const out: CodeAction[] = [];
  for (const d of diagnostics) {
    if (!rangesOverlap(d.range, range)) continue;
    const fix = didYouMean(d) ?? missingDeclaration(a, d) ?? acceptActual(a, d);
    if (fix) out.push({ ...fix, fixes: d as FileDiagnostic });
  }
  const teardown = insertTeardown(a);
  if (teardown) out.push(teardown);
  return out;
}

function didYouMean(d: ActionDiagnostic): CodeAction | undefined {
  const m = /did you mean '([^']+)'\?/.exec(d.message);
  if (!m) return undefined;
  return { title: `Change to '${m[1]}'`, kind: 'quickfix', edits: [{ range: d.range, newText: m[1]! }], preferred: true };
}

/** The line that declares `name` as what `want` asks for (undefined if no declaration fits). */
export function declarationFor(name: string, want: ArgKind | undefined): string | undefined {
  switch (want?.type) {
    case 'device':
      return `device ${name}`;
    case 'memory':
    case 'addr':
      return `memory ${name} 64K`;
    case 'process':
      return `process ${name}`;
    case 'iommu':
      return `iommu ${name} model=mock`;
    case 'guest_pt':
      return `guest_pt ${name} arm64_s1`;
    case 'fd':
      return `open ${name}`;
    case 'id': {
      const maker = [...COMMANDS.values()].find((c) => c.result?.primary.type === 'id' && c.args.every((x) => !x.required) && c.result.primary.objects.some((o) => want.objects.includes(o)));
      return maker && `${name} = ${maker.name}`;
    }
    case undefined:
    case 'int':
      return `let ${name} = 0`;
    default:
      return undefined;
  }
}

function missingDeclaration(a: Analysis, d: ActionDiagnostic): CodeAction | undefined {
  const m = /^undefined (name|proc) '([^']+)'$/.exec(d.message);
  if (!m) return undefined;
  const name = m[2]!;
  const top = a.program.statements.find((s) => containsRange(s.range, d.range));
  if (!top) return undefined;
  let text: string | undefined;
  if (m[1] === 'proc') {
    const call = findCall(top, name);
    const params = call ? call.args.map((_, i) => `p${i + 1}`).join(', ') : '';
    text = `proc ${name}(${params}) {\n}`;
  } else {
    const occ = a.index.occurrences.find((o) => o.file === a.file && o.role === 'unresolved' && containsPosition(d.range, o.range.start));
    text = declarationFor(name, occ?.want);
  }
  if (!text) return undefined;
  const at = { line: top.range.start.line, character: 0 };
  return { title: `Declare '${name}': ${text.split('\n')[0]}`, kind: 'quickfix', edits: [{ range: { start: at, end: at }, newText: `${text}\n` }] };
}

function findCall(s: Stmt, name: string): Extract<Stmt, { kind: 'call' }> | undefined {
  if (s.kind === 'call' && s.name === name) return s;
  if (s.kind === 'repeat' || s.kind === 'proc') for (const b of s.body) {
    const c = findCall(b, name);
    if (c) return c;
  }
  return undefined;
}

function acceptActual(a: Analysis, d: ActionDiagnostic): CodeAction | undefined {
  if (d.code !== 'mismatch' || d.actual === undefined) return undefined;
  const stmt = commandAt(a.program.statements, d.range);
  if (!stmt) return undefined;
  const edit: TextEdit = stmt.expect
    ? { range: stmt.expect.range, newText: d.actual }
    : { range: { start: stmt.range.end, end: stmt.range.end }, newText: ` => ${d.actual}` };
  return { title: `Accept the actual outcome: => ${d.actual}`, kind: 'quickfix', edits: [edit], preferred: true };
}

function commandAt(list: Stmt[], range: Range): CommandStmt | undefined {
  for (const s of list) {
    if (!containsRange(s.range, range)) continue;
    if (s.kind === 'command') return s;
    if (s.kind === 'repeat' || s.kind === 'proc') return commandAt(s.body, range);
  }
  return undefined;
}

/** How each object-creating command's result is torn down, given the statement that made it. */
const TEARDOWN: Record<string, (s: CommandStmt, name: string) => string | undefined> = {
  bind: (_s, name) => `unbind ${name}`,
  attach: (s) => nameArg(s, 'dev_id') && `detach ${nameArg(s, 'dev_id')}`,
  access_create: (_s, name) => `access_destroy ${name}`,
};

function nameArg(s: CommandStmt, key: string): string | undefined {
  const e = s.resolved?.get(key);
  return e?.kind === 'name' ? e.name : undefined;
}

/** Commands whose statement ends an object (named by their first argument). */
const ENDERS = new Set(['destroy', 'unbind', 'detach', 'access_destroy', 'fault_close', 'veventq_close']);

/**
 * The objects this file binds at its top level and never ends, torn down in
 * reverse order of creation (what iommufd's refcounts accept).
 */
function insertTeardown(a: Analysis): CodeAction | undefined {
  const teardown: string[] = [];
  /** The ending statements the file already has, as `command name`. */
  const ended = new Set<string>();
  for (const s of a.program.statements) {
    if (s.kind !== 'command') continue;
    const first = s.args[0]?.value;
    if (ENDERS.has(s.command) && first?.kind === 'name') ended.add(`${s.command} ${first.name}`);
    const primary = COMMANDS.get(s.command)?.result?.primary;
    if (!s.bind || primary?.type !== 'id') continue;
    const line = TEARDOWN[s.command] ? TEARDOWN[s.command]!(s, s.bind.name) : `destroy ${s.bind.name}`;
    if (line) teardown.push(line);
  }
  const lines = teardown.filter((l, i) => !ended.has(l) && teardown.indexOf(l) === i).reverse();
  if (lines.length === 0) return undefined;
  const last = a.lines.lineCount - 1;
  const end = { line: last, character: a.lines.lineText(last).length };
  const lead = a.lines.lineText(last).trim() === '' ? '' : '\n';
  return { title: `Insert teardown (${lines.length} statement${lines.length === 1 ? '' : 's'})`, kind: 'source', edits: [{ range: { start: end, end }, newText: `${lead}${lines.join('\n')}\n` }] };
}
