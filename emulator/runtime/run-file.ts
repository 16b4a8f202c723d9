// One file, checked and (unless it has errors) run to the end on a fresh
// machine: what the CLI reports and what a test controller would show.
// A file with a syntax or type error never runs half-way (trace-language §6).
import type { MachineApi } from '../engine/machine-api.js';
import type { Diagnostic } from '../language/ast.js';
import { checkFile } from '../language/index.js';
import { Run } from './interpreter.js';
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

export interface RunFileOptions {
  /** Includes may not leave this folder. */
  workspaceRoot: string;
  /** Only parse and check. */
  checkOnly?: boolean;
  createMachine: () => MachineApi;
}

export function runFile(path: string, opts: RunFileOptions): FileReport {
  const { program, diagnostics } = checkFile(path, { workspaceRoot: opts.workspaceRoot });
  const hasErrors = diagnostics.some((d) => d.severity === 'error');
  if (hasErrors || opts.checkOnly) {
    return { file: path, diagnostics, mismatches: [], statements: 0, hasErrors, passed: !hasErrors };
  }
  const run = new Run(program, { machine: opts.createMachine() });
  const mismatches = run.runToEnd();
  return { file: path, diagnostics, mismatches, statements: run.statements, hasErrors, passed: mismatches.length === 0 };
}
