// Signature help: the command being written with its parameters (the active
// one is the key being typed or the next positional slot), a query's or a
// proc call's parameters by comma position.
import type { Position } from '../../emulator/language/ast.js';
import { QUERIES } from '../../emulator/language/queries.js';
import type { Analysis } from './analysis.js';
import { argDoc, commandDoc, paramLabel, queryDoc, signatureParams } from './command-docs.js';
import { cursorContext } from './statement-context.js';

export interface Signature {
  label: string;
  documentation: string;
  /** Each parameter as its offsets in `label` (start, end). */
  parameters: { label: [number, number]; documentation?: string }[];
  active: number;
}

export function signatureHelp(a: Analysis, pos: Position): Signature | undefined {
  const { context } = cursorContext(a.lines, pos);
  if (context.kind === 'command') {
    const params = signatureParams(context.spec);
    const current = context.key ?? context.slot;
    const sig = layout(context.spec.name, ' ', '', params.map(paramLabel));
    return {
      ...sig,
      documentation: commandDoc(context.spec),
      parameters: sig.parameters.map((p, i) => ({ ...p, documentation: argDoc(params[i]!) })),
      active: current ? params.indexOf(current) : params.length,
    };
  }
  if (context.kind !== 'call') return undefined;
  const q = QUERIES.get(context.callee);
  if (q) {
    const sig = layout(`${q.name}(`, ', ', ')', q.args.map((x, i) => (i < q.required ? x.name : `[${x.name}]`)));
    return { ...sig, documentation: queryDoc(q), active: context.argIndex };
  }
  const proc = a.scopeAt(pos).get(context.callee);
  if (proc?.kind !== 'proc' || proc.stmt?.kind !== 'proc') return undefined;
  const sig = layout(`${proc.name}(`, ', ', ')', proc.stmt.params.map((p) => p.name));
  return { ...sig, documentation: `proc defined on line ${proc.range.start.line + 1}`, active: context.argIndex };
}

/** `head` then the parameters joined by `sep`, then `tail`; with each parameter's offsets. */
function layout(head: string, sep: string, tail: string, params: string[]): Pick<Signature, 'label' | 'parameters'> {
  let label = head;
  const parameters: Signature['parameters'] = [];
  params.forEach((p, i) => {
    if (i > 0 || sep === ' ') label += sep;
    parameters.push({ label: [label.length, label.length + p.length] });
    label += p;
  });
  return { label: label + tail, parameters };
}
