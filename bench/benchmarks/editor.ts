// Target 6: the language server after a one-character edit in a 100k-line
// trace. The server re-analyses a document lazily per edit (server/language/
// workspace.ts); this times what it does between the edit and the answer.
//  - diagnostics: analysis of the edited text plus the document's diagnostics;
//  - completion: analysis of the edited text plus a completion at the edit;
// each against a full parse and check of the file.
import type { Position } from '../../emulator/language/ast.js';
import { checkText } from '../../emulator/language/index.js';
import { analyse } from '../../server/language/analysis.js';
import { completions } from '../../server/language/completion.js';
import { documentDiagnostics } from '../../server/language/diagnostics.js';
import { median, time, type BenchSettings } from '../measure.js';
import { atMost, type BenchResult } from '../result.js';
import { workloadText } from '../workload.js';

const FILE = '/bench/editor.iotrace';
const OPTS = { workspaceRoot: '/bench', readFile: (): string => '' };

/** The text with one character changed in the middle line's first argument, and where. */
function editMiddle(text: string): { text: string; at: Position } {
  const lines = text.split('\n');
  const line = lines.length >> 1;
  const old = lines[line]!;
  const character = old.indexOf(' ') + 1;
  // Changing the argument's first letter keeps the line a statement (a name becomes another name).
  lines[line] = `${old.slice(0, character)}${old[character] === 'x' ? 'y' : 'x'}${old.slice(character + 1)}`;
  return { text: lines.join('\n'), at: { line, character: character + 1 } };
}

export function editor(s: BenchSettings): BenchResult[] {
  const text = workloadText({ statements: s.editorLines });
  const edit = editMiddle(text);
  const full: number[] = [];
  const diag: number[] = [];
  const complete: number[] = [];
  for (let i = 0; i < s.runs; i++) {
    full.push(time(() => checkText(FILE, text, OPTS)));
    diag.push(time(() => documentDiagnostics(analyse(FILE, edit.text, OPTS))));
    complete.push(time(() => completions(analyse(FILE, edit.text, OPTS), edit.at)));
  }
  const tFull = median(full);
  return [
    atMost({ id: '6 edit diagnostics', description: `diagnostics after a 1-character edit in ${s.editorLines} lines vs a full parse+check`, measured: median(diag), baseline: tFull, unit: 'ms' }, 1 / 10),
    atMost({ id: '6 edit completion', description: `completion after a 1-character edit in ${s.editorLines} lines vs a full parse+check`, measured: median(complete), baseline: tFull, unit: 'ms' }, 1 / 50),
  ];
}
