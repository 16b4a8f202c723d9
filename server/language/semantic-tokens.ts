// Semantic tokens refine the TextMate grammar with what only the checker
// knows: which words are bound names (and of what kind), which are flag or
// enum words of the argument they stand in, which keys and commands are
// real. Comments, numbers and strings stay with the grammar.
import type { Range } from '../../emulator/language/ast.js';
import type { Analysis } from './analysis.js';
import { rangesOverlap } from './positions.js';
import type { Definition } from './symbol-index.js';

export const TOKEN_TYPES = ['function', 'method', 'parameter', 'variable', 'property', 'enumMember', 'keyword'] as const;
export const TOKEN_MODIFIERS = ['declaration', 'readonly', 'defaultLibrary'] as const;

type TokenType = (typeof TOKEN_TYPES)[number];
type Modifier = (typeof TOKEN_MODIFIERS)[number];

export interface SemanticToken {
  range: Range;
  type: TokenType;
  modifiers: Modifier[];
}

/** This file's tokens in document order (within `range` if given). */
export function semanticTokens(a: Analysis, range?: Range): SemanticToken[] {
  const out: SemanticToken[] = [];
  const idx = a.index;
  for (const d of idx.definitions) if (d.file === a.file) out.push({ range: d.range, ...nameToken(d), modifiers: [...nameToken(d).modifiers, 'declaration'] });
  for (const r of idx.references) if (r.file === a.file) out.push({ range: r.range, ...nameToken(r.def) });
  for (const o of idx.occurrences) {
    if (o.file !== a.file) continue;
    const t = OCCURRENCE_TYPES[o.role];
    if (t) out.push({ range: o.range, type: t[0], modifiers: t[1] });
  }
  return out
    .filter((t) => t.range.start.line === t.range.end.line && (!range || rangesOverlap(range, t.range)))
    .sort((x, y) => x.range.start.line - y.range.start.line || x.range.start.character - y.range.start.character);
}

const OCCURRENCE_TYPES: Record<string, [TokenType, Modifier[]] | undefined> = {
  command: ['function', ['defaultLibrary']],
  query: ['method', ['defaultLibrary']],
  key: ['parameter', []],
  field: ['property', []],
  'record-key': ['property', []],
  word: ['enumMember', []],
  errno: ['enumMember', ['readonly']],
  fault: ['enumMember', ['readonly']],
};

function nameToken(d: Definition): { type: TokenType; modifiers: Modifier[] } {
  switch (d.kind) {
    case 'proc':
      return { type: 'function', modifiers: [] };
    case 'param':
      return { type: 'parameter', modifiers: [] };
    case 'declared':
      return { type: 'variable', modifiers: d.builtin ? ['readonly', 'defaultLibrary'] : ['readonly'] };
    default:
      return { type: 'variable', modifiers: [] };
  }
}

/** LSP's relative encoding: five integers per token. */
export function encodeTokens(tokens: SemanticToken[]): number[] {
  const data: number[] = [];
  let line = 0;
  let char = 0;
  for (const t of tokens) {
    const l = t.range.start.line;
    const c = t.range.start.character;
    const mods = t.modifiers.reduce((m, x) => m | (1 << TOKEN_MODIFIERS.indexOf(x)), 0);
    data.push(l - line, l === line ? c - char : c, t.range.end.character - c, TOKEN_TYPES.indexOf(t.type), mods);
    line = l;
    char = c;
  }
  return data;
}
