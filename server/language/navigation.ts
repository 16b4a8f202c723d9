// Go to definition, find references and document highlights, across the
// files a document includes (their uses and definitions are in its index).
import type { Position, Range } from '../../emulator/language/ast.js';
import type { Analysis } from './analysis.js';
import { containsPosition } from './positions.js';

export interface Location {
  file: string;
  range: Range;
}

const START: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

export function definition(a: Analysis, pos: Position): Location | undefined {
  const include = a.index.includes.find((i) => i.file === a.file && containsPosition(i.range, pos));
  if (include) return { file: include.target, range: START };
  const sym = a.index.symbolAt(a.file, pos);
  if (!sym || sym.def.builtin) return undefined;
  return { file: sym.def.file, range: sym.def.range };
}

export function references(a: Analysis, pos: Position, includeDeclaration: boolean): Location[] {
  const sym = a.index.symbolAt(a.file, pos);
  if (!sym) return [];
  const uses = a.index.referencesTo(sym.def).map((r) => ({ file: r.file, range: r.range }));
  return includeDeclaration && !sym.def.builtin ? [{ file: sym.def.file, range: sym.def.range }, ...uses] : uses;
}

export interface Highlight {
  range: Range;
  /** The definition is where the name is written (bound); the rest read it. */
  write: boolean;
}

export function documentHighlights(a: Analysis, pos: Position): Highlight[] {
  const sym = a.index.symbolAt(a.file, pos);
  if (!sym) return [];
  const out: Highlight[] = [];
  if (sym.def.file === a.file && !sym.def.builtin) out.push({ range: sym.def.range, write: true });
  for (const r of a.index.referencesTo(sym.def)) if (r.file === a.file) out.push({ range: r.range, write: false });
  return out;
}
