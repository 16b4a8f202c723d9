// Folding: `repeat` and `proc` blocks, runs of comment lines, and `# region`
// ... `# endregion` markers.
import type { Stmt } from '../../emulator/language/ast.js';
import type { Analysis } from './analysis.js';

export interface Fold {
  startLine: number;
  endLine: number;
  kind?: 'comment' | 'region';
}

export function foldingRanges(a: Analysis): Fold[] {
  const out: Fold[] = [];
  blocks(a.program.statements, out);
  comments(a, out);
  return out.sort((x, y) => x.startLine - y.startLine || y.endLine - x.endLine);
}

function blocks(statements: Stmt[], out: Fold[]): void {
  for (const s of statements) {
    if (s.kind !== 'repeat' && s.kind !== 'proc') continue;
    // The closing brace stays visible, as editors do for C blocks.
    if (s.range.end.line > s.range.start.line) out.push({ startLine: s.range.start.line, endLine: s.range.end.line - 1 });
    blocks(s.body, out);
  }
}

function comments(a: Analysis, out: Fold[]): void {
  const regions: number[] = [];
  let run = -1;
  for (let l = 0; l <= a.lines.lineCount; l++) {
    const text = l < a.lines.lineCount ? a.lines.lineText(l) : '';
    const isComment = l < a.lines.lineCount && /^\s*#/.test(text);
    if (/^\s*#\s*region\b/.test(text)) regions.push(l);
    else if (/^\s*#\s*endregion\b/.test(text) && regions.length) out.push({ startLine: regions.pop()!, endLine: l, kind: 'region' });
    if (isComment && run < 0) run = l;
    if (!isComment && run >= 0) {
      if (l - 1 > run) out.push({ startLine: run, endLine: l - 1, kind: 'comment' });
      run = -1;
    }
  }
}
