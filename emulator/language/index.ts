// The language front end's entry points: parse and check a file (or a text
// being edited) and get its program plus every diagnostic, sorted by file
// then position. A program without errors is fully usable by the runtime:
// every CommandStmt has `resolved`, every IncludeStmt its `program`.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Diagnostic, Program } from './ast.js';
import { Checker } from './checker.js';
import { includeHook } from './include.js';
import { parse } from './parser.js';

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

export function checkFile(path: string, opts: CheckOptions): CheckResult {
  return checkText(path, (opts.readFile ?? readUtf8)(path), opts);
}

export function checkText(file: string, text: string, opts: CheckOptions): CheckResult {
  return checkParsed(parse(file, text), opts);
}

/** Checks a parsed file (the language server parses first, to analyse the file in segments when it can). */
export function checkParsed(parsed: ReturnType<typeof parse>, opts: CheckOptions): CheckResult {
  const file = parsed.program.file;
  const diagnostics = [...parsed.diagnostics];
  const hook = includeHook({ workspaceRoot: opts.workspaceRoot, readFile: opts.readFile ?? readUtf8 }, diagnostics, [resolve(file)]);
  const checker = new Checker(diagnostics, { iommus: new Map(), devices: 0 }, Checker.rootScope(), hook);
  checker.checkProgram(parsed.program);
  return { program: parsed.program, diagnostics: sortDiagnostics(diagnostics) };
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
export { COMMANDS } from './commands.js';
export { QUERIES } from './queries.js';
