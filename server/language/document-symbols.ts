// The outline of a document: the machine it declares, its procs (with what
// their bodies bind), its loops, and the names it binds, in file order.
import type { Range, Stmt } from '../../emulator/language/ast.js';
import { COMMANDS } from '../../emulator/language/commands.js';
import type { Analysis } from './analysis.js';

export type OutlineKind = 'machine' | 'proc' | 'loop' | 'object' | 'value';

export interface OutlineSymbol {
  name: string;
  detail: string;
  kind: OutlineKind;
  /** The whole statement or block. */
  range: Range;
  /** The name itself. */
  selectionRange: Range;
  children: OutlineSymbol[];
}

export function documentSymbols(a: Analysis): OutlineSymbol[] {
  return outline(a.program.statements);
}

export function outline(statements: Stmt[]): OutlineSymbol[] {
  const out: OutlineSymbol[] = [];
  for (const s of statements) {
    const sym = symbolOf(s);
    if (sym) out.push(sym);
  }
  return out;
}

function symbolOf(s: Stmt): OutlineSymbol | undefined {
  switch (s.kind) {
    case 'proc':
      return { name: s.name, detail: `proc(${s.params.map((p) => p.name).join(', ')})`, kind: 'proc', range: s.range, selectionRange: s.nameRange, children: outline(s.body) };
    case 'repeat': {
      const name = s.variable ? `repeat ${s.variable.name}` : 'repeat';
      return { name, detail: '', kind: 'loop', range: s.range, selectionRange: s.variable?.range ?? s.range, children: outline(s.body) };
    }
    case 'let':
      return { name: s.name, detail: 'let', kind: 'value', range: s.range, selectionRange: s.nameRange, children: [] };
    case 'command': {
      const spec = COMMANDS.get(s.command);
      const first = s.args[0];
      if (spec?.declares && first?.kind === 'positional' && first.value.kind === 'name') {
        return { name: first.value.name, detail: s.command, kind: 'machine', range: s.range, selectionRange: first.value.range, children: [] };
      }
      if (!s.bind) return undefined;
      const objectResult = spec?.result?.primary.type === 'id';
      return { name: s.bind.name, detail: s.command, kind: objectResult ? 'object' : 'value', range: s.range, selectionRange: s.bind.range, children: [] };
    }
    default:
      return undefined;
  }
}
