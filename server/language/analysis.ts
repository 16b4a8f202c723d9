// One analysed document: its text, the checker's result (with the files it
// includes) and the symbol index built on it. Every feature function takes an
// Analysis and returns plain data; none of them knows about the protocol.
//
// A document without includes is analysed in segments (segmented-document.ts)
// and re-analysed after an edit from its last analysis and the edit alone;
// the last analysis is then superseded (it shares the segments, which the
// edit updates). Its program, diagnostics and symbol index are built on
// first use: after an edit, diagnostics and completion need none of them.
import type { Diagnostic, Position, Program } from '../../emulator/language/ast.js';
import { checkParsed, parse } from '../../emulator/language/index.js';
import { LineIndex } from './positions.js';
import { SegmentedDocument, type Edit } from './segmented-document.js';
import { SymbolIndex, type Definition } from './symbol-index.js';

export interface AnalysisOptions {
  workspaceRoot: string;
  /** Reads another file (an include): open editors' text first, then the disk. */
  readFile: (path: string) => string;
}

export interface Analysis {
  /** The file path (what the AST's `file` fields hold). */
  readonly file: string;
  readonly text: string;
  readonly lines: LineIndex;
  readonly program: Program;
  /** Every diagnostic, this file's and its includes'. */
  readonly diagnostics: Diagnostic[];
  readonly index: SymbolIndex;
  readonly workspaceRoot: string;
  /** Set when the document is analysed incrementally. */
  readonly segmented?: SegmentedDocument;
  /** The names in scope at a position of this file (as `index.scopeAt`, without indexing the whole file). */
  scopeAt(pos: Position): Map<string, Definition>;
  /** An index that knows the symbol and occurrence at a position of this file as `index` does (hover), perhaps of only part of it. */
  indexAt(pos: Position): SymbolIndex;
}

export type { Edit };

export function analyse(file: string, text: string, opts: AnalysisOptions): Analysis {
  const lines = LineIndex.of(text);
  const parsed = parse(file, text);
  const segmented = SegmentedDocument.create(file, lines, parsed.program.statements, parsed.diagnostics);
  if (segmented) return segmentedAnalysis(segmented, opts.workspaceRoot);
  const { program, diagnostics } = checkParsed(parsed, { workspaceRoot: opts.workspaceRoot, readFile: opts.readFile });
  const index = new SymbolIndex(program);
  return { file, text, lines, program, diagnostics, index, workspaceRoot: opts.workspaceRoot, scopeAt: (pos) => index.scopeAt(file, pos), indexAt: () => index };
}

/**
 * The analysis of `text`, which is `last`'s text after `edits` (LSP content
 * changes, in order): incremental when `last` was, else from scratch.
 */
export function reanalyse(last: Analysis, edits: readonly Edit[], text: string, opts: AnalysisOptions): Analysis {
  const doc = last.segmented;
  if (!doc) return analyse(last.file, text, opts);
  for (let k = 0; k < edits.length; k++) {
    if (!doc.edit(edits[k]!, k === edits.length - 1 ? text : undefined)) return analyse(last.file, text, opts);
  }
  // Edits that do not add up to the text (a client out of step) are not trusted.
  if (doc.lines.text !== text) return analyse(last.file, text, opts);
  return segmentedAnalysis(doc, opts.workspaceRoot);
}

function segmentedAnalysis(doc: SegmentedDocument, workspaceRoot: string): Analysis {
  let program: Program | undefined;
  let diagnostics: Diagnostic[] | undefined;
  let index: SymbolIndex | undefined;
  const file = doc.file;
  return {
    file,
    text: doc.lines.text,
    lines: doc.lines,
    workspaceRoot,
    segmented: doc,
    get program(): Program {
      return (program ??= { file, statements: doc.statements() });
    },
    get diagnostics(): Diagnostic[] {
      return (diagnostics ??= doc.diagnostics());
    },
    get index(): SymbolIndex {
      return (index ??= new SymbolIndex(this.program));
    },
    scopeAt: (pos) => doc.scopeAt(pos),
    indexAt: (pos) => (index ?? doc.indexAt(pos)),
  };
}
