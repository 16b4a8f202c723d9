// One analysed document: its text, the checker's result (with the files it
// includes) and the symbol index built on it. Every feature function takes an
// Analysis and returns plain data; none of them knows about the protocol.
import type { Diagnostic, Program } from '../../emulator/language/ast.js';
import { checkText } from '../../emulator/language/index.js';
import { LineIndex } from './positions.js';
import { SymbolIndex } from './symbol-index.js';

export interface AnalysisOptions {
  workspaceRoot: string;
  /** Reads another file (an include): open editors' text first, then the disk. */
  readFile: (path: string) => string;
}

export interface Analysis {
  /** The file path (what the AST's `file` fields hold). */
  file: string;
  text: string;
  lines: LineIndex;
  program: Program;
  /** Every diagnostic, this file's and its includes'. */
  diagnostics: Diagnostic[];
  index: SymbolIndex;
  workspaceRoot: string;
}

export function analyse(file: string, text: string, opts: AnalysisOptions): Analysis {
  const { program, diagnostics } = checkText(file, text, { workspaceRoot: opts.workspaceRoot, readFile: opts.readFile });
  return { file, text, lines: new LineIndex(text), program, diagnostics, index: new SymbolIndex(program), workspaceRoot: opts.workspaceRoot };
}
