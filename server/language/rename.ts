// Rename of bound names, procs, parameters, loop variables and declared
// machine names (devices, memory regions, ...), in this file and the files it
// includes. Built-in names cannot be renamed, and the new name must be a
// name the language can bind.
import type { Position, Range } from '../../emulator/language/ast.js';
import { KEYWORDS } from '../../emulator/language/parser.js';
import { CONSTANTS, QUERIES } from '../../emulator/language/queries.js';
import type { Analysis } from './analysis.js';

export type PrepareRename = { range: Range; placeholder: string } | { error: string };

export function prepareRename(a: Analysis, pos: Position): PrepareRename | undefined {
  const sym = a.index.symbolAt(a.file, pos);
  if (!sym) return undefined;
  if (sym.def.builtin) return { error: `'${sym.def.name}' is built in and cannot be renamed` };
  return { range: sym.range, placeholder: sym.def.name };
}

export type RenameResult = { edits: Map<string, { range: Range; newText: string }[]> } | { error: string };

export function rename(a: Analysis, pos: Position, newName: string): RenameResult | undefined {
  const prepared = prepareRename(a, pos);
  if (!prepared || 'error' in prepared) return prepared;
  const invalid = invalidName(newName);
  if (invalid) return { error: invalid };
  const sym = a.index.symbolAt(a.file, pos)!;
  const edits = new Map<string, { range: Range; newText: string }[]>();
  const add = (file: string, range: Range): void => {
    const list = edits.get(file) ?? [];
    list.push({ range, newText: newName });
    edits.set(file, list);
  };
  add(sym.def.file, sym.def.range);
  for (const r of a.index.referencesTo(sym.def)) add(r.file, r.range);
  return { edits };
}

function invalidName(name: string): string | undefined {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return `'${name}' is not a name ([A-Za-z_][A-Za-z0-9_]*)`;
  if (KEYWORDS.has(name) || CONSTANTS.has(name) || name === 'in') return `'${name}' is reserved`;
  if (QUERIES.has(name)) return `'${name}' is a built-in query`;
  return undefined;
}
