// Hover: a command's documentation (its ioctl, its struct fields, its
// arguments), a key's kind, a query's signature, an errno's number, a flag's
// bit; on a name, what it is bound to and where, plus its live value when a
// background run has one (live-results.ts).
import { relative } from 'node:path';
import type { Position, Range } from '../../emulator/language/ast.js';
import { acceptedKeys } from '../../emulator/language/check-command.js';
import { COMMANDS } from '../../emulator/language/commands.js';
import { QUERIES } from '../../emulator/language/queries.js';
import { ERRNO } from '../../emulator/engine/errno.js';
import type { Analysis } from './analysis.js';
import { argDoc, commandDoc, queryDoc, wordMeaning } from './command-docs.js';
import { describeDefinition } from './completion.js';
import type { Definition, Occurrence } from './symbol-index.js';

export interface HoverResult {
  range: Range;
  markdown: string;
}

/** What a background run knows about a binding (its value, its object's users). */
export type LiveDescriber = (def: Definition) => string | undefined;

export function hover(a: Analysis, pos: Position, live?: LiveDescriber): HoverResult | undefined {
  const index = a.indexAt(pos);
  const sym = index.symbolAt(a.file, pos);
  if (sym) {
    const d = sym.def;
    const where = d.builtin ? 'built in' : `${d.file === a.file ? '' : `${relative(a.workspaceRoot, d.file)}, `}line ${d.range.start.line + 1}`;
    const lines = [`\`${d.name}\`: ${describeDefinition(d)} (${where})`];
    const value = live?.(d);
    if (value) lines.push('', `Live: ${value}`);
    return { range: sym.range, markdown: lines.join('\n') };
  }
  const occ = index.occurrenceAt(a.file, pos);
  const markdown = occ && occurrenceDoc(a, occ);
  return markdown ? { range: occ.range, markdown } : undefined;
}

function occurrenceDoc(a: Analysis, occ: Occurrence): string | undefined {
  const text = textOf(a, occ.range);
  const spec = occ.command ? COMMANDS.get(occ.command) : undefined;
  switch (occ.role) {
    case 'command':
      return spec && commandDoc(spec);
    case 'key': {
      const arg = spec && acceptedKeys(spec).get(text);
      return arg && `${argDoc(arg)}\n\n(an argument of \`${spec.name}\`)`;
    }
    case 'query': {
      const q = QUERIES.get(text);
      return q && queryDoc(q);
    }
    case 'errno': {
      const n = ERRNO[text as keyof typeof ERRNO];
      return n === undefined ? undefined : `\`${text}\`: errno ${n}; the statement is expected to fail with it.`;
    }
    case 'fault':
      return `\`${text}\`: the DMA is expected to fault; the kind must match the IOMMU's fault record.`;
    case 'word': {
      if (occ.word === 'constant') return `\`${text}\`: a constant (\`owner()\` answers none, kernel or user; \`null\` is the NULL pointer).`;
      for (const arg of spec?.args ?? []) {
        const meaning = wordMeaning(arg.kind, arg.key, text);
        if (meaning) return `\`${text}\`: ${meaning} of \`${arg.key}\` (${spec!.name})`;
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

function textOf(a: Analysis, r: Range): string {
  return a.lines.lineText(r.start.line).slice(r.start.character, r.start.line === r.end.line ? r.end.character : undefined);
}
