// Target 6: the language server after a one-character edit in a 100k-line
// trace. The server keeps each document's last analysis and re-analyses it
// incrementally from the LSP content change (server/language/workspace.ts,
// analysis.ts `reanalyse`); this times what it does between the edit and
// the answer:
//  - diagnostics: the re-analysis plus the document's diagnostics;
//  - completion: the re-analysis plus a completion at the edit;
// each against a full parse and check of the file. Every timed edit is
// undone (untimed) before the next, so each run starts from the same state.
import type { Position } from '../../emulator/language/ast.js';
import { checkText } from '../../emulator/language/index.js';
import { analyse, reanalyse, type Analysis, type Edit } from '../../server/language/analysis.js';
import { completions } from '../../server/language/completion.js';
import { documentDiagnostics } from '../../server/language/diagnostics.js';
import { median, time, type BenchSettings } from '../measure.js';
import { atMost, type BenchResult } from '../result.js';
import { workloadText } from '../workload.js';

const FILE = '/bench/editor.iotrace';
const OPTS = { workspaceRoot: '/bench', readFile: (): string => '' };

interface OneCharEdit {
  /** The edited text, and the change that makes it (and the one that undoes it). */
  text: string;
  edit: Edit;
  undo: Edit;
  /** Where the cursor is after typing. */
  at: Position;
}

/** One character changed in the middle line's first argument. */
function editMiddle(text: string): OneCharEdit {
  const lines = text.split('\n');
  const line = lines.length >> 1;
  const old = lines[line]!;
  const character = old.indexOf(' ') + 1;
  // Changing the argument's first letter keeps the line a statement (a name becomes another name).
  const typed = old[character] === 'x' ? 'y' : 'x';
  lines[line] = `${old.slice(0, character)}${typed}${old.slice(character + 1)}`;
  const range = { start: { line, character }, end: { line, character: character + 1 } };
  return { text: lines.join('\n'), edit: { range, text: typed }, undo: { range, text: old[character]! }, at: { line, character: character + 1 } };
}

export function editor(s: BenchSettings): BenchResult[] {
  const text = workloadText({ statements: s.editorLines });
  const e = editMiddle(text);
  let a: Analysis = analyse(FILE, text, OPTS);
  /** Times `answer` on the edited analysis, then undoes the edit. */
  const timed = (answer: (edited: Analysis) => void): number => {
    const t = time(() => answer(reanalyse(a, [e.edit], e.text, OPTS)));
    a = reanalyse(a, [e.undo], text, OPTS);
    return t;
  };
  const full: number[] = [];
  const diag: number[] = [];
  const complete: number[] = [];
  for (let i = 0; i < s.runs; i++) {
    full.push(time(() => checkText(FILE, text, OPTS)));
    diag.push(timed((edited) => documentDiagnostics(edited)));
    complete.push(timed((edited) => completions(edited, e.at)));
  }
  const tFull = median(full);
  return [
    atMost({ id: '6 edit diagnostics', description: `diagnostics after a 1-character edit in ${s.editorLines} lines vs a full parse+check`, measured: median(diag), baseline: tFull, unit: 'ms' }, 1 / 10),
    atMost({ id: '6 edit completion', description: `completion after a 1-character edit in ${s.editorLines} lines vs a full parse+check`, measured: median(complete), baseline: tFull, unit: 'ms' }, 1 / 50),
  ];
}
