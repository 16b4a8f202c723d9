// Workspace symbols: every top-level name (procs, machine declarations,
// bindings) of every .iotrace file under the workspace folder, matched by a
// case-insensitive subsequence of the query, as editors expect.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from '../../emulator/language/parser.js';
import { outline, type OutlineSymbol } from './document-symbols.js';

export interface WorkspaceSymbol {
  name: string;
  kind: OutlineSymbol['kind'];
  file: string;
  range: OutlineSymbol['range'];
  container?: string;
}

/** `read` gives a file's text: open editors' first, then the disk. */
export function workspaceSymbols(root: string, query: string, read: (path: string) => string, limit = 500): WorkspaceSymbol[] {
  const out: WorkspaceSymbol[] = [];
  for (const file of traceFiles(root)) {
    let text: string;
    try {
      text = read(file);
    } catch {
      continue;
    }
    const visit = (symbols: OutlineSymbol[], container?: string): void => {
      for (const s of symbols) {
        if (matches(s.name, query)) out.push({ name: s.name, kind: s.kind, file, range: s.selectionRange, container });
        visit(s.children, s.name);
      }
    };
    visit(outline(parse(file, text).program.statements));
    if (out.length >= limit) return out.slice(0, limit);
  }
  return out;
}

function matches(name: string, query: string): boolean {
  const n = name.toLowerCase();
  let i = 0;
  for (const c of query.toLowerCase()) {
    i = n.indexOf(c, i) + 1;
    if (i === 0) return false;
  }
  return true;
}

/** Every *.iotrace file under `dir`, sorted, skipping dot-folders and node_modules. */
export function traceFiles(dir: string): string[] {
  const out: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return out;
  }
  for (const name of names) {
    if (name.startsWith('.') || name === 'node_modules') continue;
    const p = join(dir, name);
    let isDir: boolean;
    try {
      isDir = statSync(p).isDirectory();
    } catch {
      continue;
    }
    if (isDir) out.push(...traceFiles(p));
    else if (name.endsWith('.iotrace')) out.push(p);
  }
  return out;
}
