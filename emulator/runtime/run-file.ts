// One file, checked and (unless it has errors) run to the end on a fresh
// machine: what the CLI reports and what a test controller would show.
// A file with a syntax or type error never runs half-way (trace-language §6).
import { readFileSync } from 'node:fs';
import type { MachineApi } from '../engine/machine-api.js';
import type { Diagnostic } from '../language/ast.js';
import { checkText, sortDiagnostics } from '../language/index.js';
import type { Run } from './interpreter.js';
import { RunAhead } from './run-ahead.js';
import type { Mismatch } from './outcome.js';

export interface FileReport {
  /** The path as given (or found under a folder that was given). */
  file: string;
  diagnostics: Diagnostic[];
  mismatches: Mismatch[];
  /** Statements executed (0 when the file did not run). */
  statements: number;
  /** Errors among the diagnostics: the file did not run. */
  hasErrors: boolean;
  passed: boolean;
}

/**
 * The default statement budget of a run: generous for any real trace (the
 * largest conformance trace runs about 26,000), small enough that
 * `repeat 1_000_000_000_000 { ... }` ends with an error within a minute.
 */
export const DEFAULT_MAX_STEPS = 10_000_000;

export interface RunFileOptions {
  /** Includes may not leave this folder. */
  workspaceRoot: string;
  /** Only parse and check. */
  checkOnly?: boolean;
  /** Statements a run may execute before it is stopped with an error (default DEFAULT_MAX_STEPS). */
  maxSteps?: number;
  createMachine: () => MachineApi;
}

export function runFile(path: string, opts: RunFileOptions): FileReport {
  return runText(path, readFileSync(path, 'utf8'), opts);
}

/**
 * Checks a file's text and, unless it has errors, runs it to the end: the
 * run goes along with the check (run-ahead.ts), so each statement is parsed
 * once, and counts only once the whole file has checked.
 */
export function runText(path: string, text: string, opts: RunFileOptions & { readFile?: (path: string) => string }): FileReport {
  const maxSteps = opts.maxSteps ?? DEFAULT_MAX_STEPS;
  const ahead = opts.checkOnly ? undefined : new RunAhead(path, opts.createMachine, maxSteps);
  const { program, diagnostics } = checkText(path, text, { workspaceRoot: opts.workspaceRoot, readFile: opts.readFile, checked: ahead && ((s, p) => ahead.checked(s, p)) });
  const hasErrors = diagnostics.some((d) => d.severity === 'error');
  if (hasErrors || !ahead) {
    return { file: path, diagnostics, mismatches: [], statements: 0, hasErrors, passed: !hasErrors };
  }
  const run = ahead.finish(program);
  while (run.statements < maxSteps && run.advance());
  const stopped = budgetExceeded(run, maxSteps);
  const all = stopped ? sortDiagnostics([...diagnostics, stopped]) : diagnostics;
  return { file: path, diagnostics: all, mismatches: run.mismatches, statements: run.statements, hasErrors: stopped !== undefined, passed: !stopped && run.mismatches.length === 0 };
}

/** The error of a run stopped by its budget, at the statement it would have run next. */
function budgetExceeded(run: Run, maxSteps: number): Diagnostic | undefined {
  const next = run.nextStatement();
  if (run.done || !next) return undefined;
  return {
    file: run.frames()[0]!.file,
    range: next.range,
    severity: 'error',
    message: `stopped after ${maxSteps} statements: the run exceeds its statement budget (raise it with --max-steps)`,
  };
}
