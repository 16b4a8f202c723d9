// The diagnostics of one document: the checker's errors and warnings in this
// file, one summary per include whose file has errors (at its path), a hint
// for every binding nothing uses, and a warning for every expectation that
// can never hold; and, from a background run (live-results.ts), a warning for
// every statement whose outcome differs from its expectation.
import { relative } from 'node:path';
import type { Diagnostic, Range, Stmt } from '../../emulator/language/ast.js';
import { COMMANDS } from '../../emulator/language/commands.js';
import type { Analysis } from './analysis.js';
import type { LiveResult } from './live-results.js';
import type { Definition } from './symbol-index.js';

export interface FileDiagnostic {
  range: Range;
  severity: 'error' | 'warning' | 'information' | 'hint';
  message: string;
  /** A stable code that code actions key on. */
  code?: 'unused' | 'include' | 'mismatch';
  /** Shown faded (unused bindings). */
  unnecessary?: boolean;
  /** For `mismatch`: the actual outcome as it would be written after `=>`. */
  actual?: string;
}

export function documentDiagnostics(a: Analysis): FileDiagnostic[] {
  // An incrementally analysed document keeps these per segment (segmented-document.ts); it has no includes.
  const doc = a.segmented;
  if (doc) return [...doc.diagnostics().map(toFileDiagnostic), ...doc.unused(), ...doc.impossible()];
  const out: FileDiagnostic[] = a.diagnostics
    .filter((d) => d.file === a.file)
    .map(toFileDiagnostic);
  out.push(...includeSummaries(a), ...unusedBindings(a), ...impossibleExpectations(a.program.statements, a.file));
  return out;
}

function toFileDiagnostic(d: Diagnostic): FileDiagnostic {
  return { range: d.range, severity: d.severity, message: d.message };
}

/** Expectations no run can meet: a value from a command that has none, id 0, `expect 0`. */
export function impossibleExpectations(statements: Stmt[], file: string): FileDiagnostic[] {
  const out: FileDiagnostic[] = [];
  const warn = (range: Range, message: string): void => {
    out.push({ range, severity: 'warning', message });
  };
  for (const s of statements) {
    if (s.file !== file) continue;
    if (s.kind === 'repeat' || s.kind === 'proc') out.push(...impossibleExpectations(s.body, file));
    if (s.kind === 'expect' && s.condition.kind === 'int' && s.condition.value === 0n) warn(s.condition.range, 'this expectation can never hold: its condition is always 0');
    if (s.kind !== 'command' || s.expect?.kind !== 'value') continue;
    const primary = COMMANDS.get(s.command)?.result?.primary;
    if (primary && primary.type !== 'none') {
      if (primary.type === 'id' && s.expect.value.kind === 'int' && s.expect.value.value === 0n) {
        warn(s.expect.range, `'${s.command}' returns an object id, and ids start at 1: '=> 0' can never hold`);
      }
    } else if (COMMANDS.has(s.command)) {
      warn(s.expect.range, `'${s.command}' returns no value, so this expectation can never hold; expect 'ok' or an errno`);
    }
  }
  return out;
}

/** The live run's mismatches in this file (only when it ran this very text), and why it stopped early. */
export function liveDiagnostics(a: Analysis, live: LiveResult | undefined): FileDiagnostic[] {
  if (live?.analysis !== a) return [];
  const out: FileDiagnostic[] = live.mismatches
    .filter((m) => m.file === a.file)
    .map((m) => ({ range: m.range, severity: 'warning', code: 'mismatch', message: m.message, actual: m.actual }));
  if (live.stoppedEarly) out.push({ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, severity: 'information', message: live.stoppedEarly });
  return out;
}

/** Errors inside an included file are shown at the `include` that brings them in. */
function includeSummaries(a: Analysis): FileDiagnostic[] {
  const out: FileDiagnostic[] = [];
  for (const inc of a.index.includes) {
    if (inc.file !== a.file) continue;
    const errors = a.diagnostics.filter((d) => d.file === inc.target && d.severity === 'error');
    if (errors.length === 0) continue;
    const first = errors[0]!;
    const where = `${relative(a.workspaceRoot, inc.target)}:${first.range.start.line + 1}:${first.range.start.character + 1}`;
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
    out.push({ range: inc.range, severity: 'error', code: 'include', message: `the included file has errors: ${where}: ${first.message}${more}` });
  }
  return out;
}

/** Names bound in this file and never used. */
function unusedBindings(a: Analysis): FileDiagnostic[] {
  const used = new Set(a.index.references.map((r) => r.def));
  return a.index.definitions.filter((d) => d.file === a.file && !used.has(d) && reportsUnused(d)).map(unusedDiagnostic);
}

/** Bindings an "unused" hint is for; a leading `_` says "unused on purpose". */
export function reportsUnused(d: Definition): boolean {
  return !d.name.startsWith('_') && (d.kind === 'result' || d.kind === 'let' || d.kind === 'param' || d.kind === 'loop' || d.kind === 'proc');
}

export function unusedDiagnostic(d: Definition): FileDiagnostic {
  return { range: d.range, severity: 'hint', code: 'unused', unnecessary: true, message: `'${d.name}' is never used` };
}
