// The language front end's entry points: parse and check a file (or a text
// being edited) and get its program plus every diagnostic, sorted by file
// then position. A program without errors is fully usable by the runtime:
// every CommandStmt has `resolved`, every IncludeStmt its `program`.
// `checkText` keeps a file as text (program-text.ts); a run steps through it
// with `runnable(program)`.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Diagnostic, Program, Stmt } from './ast.js';
import { Checker } from './checker.js';
import { includeHook } from './include.js';
import { parse, StatementReader } from './parser.js';
import { ProgramText } from './program-text.js';

export interface CheckOptions {
  /** Includes may not leave this folder. */
  workspaceRoot: string;
  /** Reads a file (default: from disk, UTF-8); throws if it cannot. */
  readFile?: (path: string) => string;
}

export interface CheckResult {
  program: Program;
  diagnostics: Diagnostic[];
}

const readUtf8 = (path: string): string => readFileSync(path, 'utf8');

export function checkFile(path: string, opts: CheckOptions): CheckResult & { program: ProgramText } {
  return checkText(path, (opts.readFile ?? readUtf8)(path), opts);
}

/**
 * Checks a file's text one statement at a time, keeping none of its tree:
 * the program keeps the text and parses a statement again when asked
 * (program-text.ts), so a loaded trace costs about its size in memory.
 */
export function checkText(
  file: string,
  text: string,
  opts: CheckOptions & {
    /** Called with each top-level statement once it is checked (and noted in `program`), before the next is read. */
    checked?: (s: Stmt, program: ProgramText) => void;
  },
): CheckResult & { program: ProgramText } {
  const diagnostics: Diagnostic[] = [];
  const reader = new StatementReader(file, text);
  const program = new ProgramText(file, text);
  const each = opts.checked;
  checkerFor(file, opts, diagnostics).checkStatements(reader, (s) => {
    program.add(s, reader.offset, reader.line);
    each?.(s, program);
  });
  program.seal();
  return { program, diagnostics: sortDiagnostics([...reader.diagnostics, ...diagnostics]) };
}

/** Checks a parsed file (the language server parses first, to analyse the file in segments when it can). */
export function checkParsed(parsed: ReturnType<typeof parse>, opts: CheckOptions): CheckResult {
  const diagnostics: Diagnostic[] = [];
  checkerFor(parsed.program.file, opts, diagnostics).checkProgram(parsed.program);
  return { program: parsed.program, diagnostics: sortDiagnostics([...parsed.diagnostics, ...diagnostics]) };
}

/** A checker for a file at the top of its include chain, on a machine with nothing declared yet. */
function checkerFor(file: string, opts: CheckOptions, diagnostics: Diagnostic[]): Checker {
  const hook = includeHook({ workspaceRoot: opts.workspaceRoot, readFile: opts.readFile ?? readUtf8 }, diagnostics, [resolve(file)]);
  return new Checker(diagnostics, { iommus: new Map(), devices: 0 }, Checker.rootScope(), hook);
}

export function sortDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(
    (a, b) =>
      (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
      a.range.start.line - b.range.start.line ||
      a.range.start.character - b.range.start.character,
  );
}

export { parse } from './parser.js';
export { ProgramText, runnable } from './program-text.js';
export { COMMANDS } from './commands.js';
export { QUERIES } from './queries.js';
