// How a file's report reads: compiler-style lines for people, one JSON
// object per file for tools. Both are byte-identical from run to run.
import { isAbsolute, relative, resolve } from 'node:path';
import type { Diagnostic, Range } from '../language/ast.js';
import { mismatchMessage } from './outcome.js';
import type { FileReport } from './run-file.js';

/**
 * How a report names files: the file it is about as it was given; files it
 * included (which come resolved) relative to the working directory when
 * they are below it.
 */
export function pathNamer(given: string, cwd: string): (file: string) => string {
  const main = resolve(cwd, given);
  return (file) => {
    if (resolve(cwd, file) === main) return given;
    if (!isAbsolute(file)) return file;
    const rel = relative(cwd, file);
    return rel.startsWith('..') || isAbsolute(rel) ? file : rel;
  };
}

/** `file:line:col`, 1-based as editors count. */
function at(name: string, range: Range): string {
  return `${name}:${range.start.line + 1}:${range.start.character + 1}`;
}

function diagnosticLine(d: Diagnostic, name: (file: string) => string): string {
  return `${at(name(d.file), d.range)}: ${d.severity}: ${d.message}`;
}

/** Every diagnostic, then every mismatch (`file:line:col: expected X, got Y (reason)`). */
export function textReport(r: FileReport, cwd: string): string[] {
  const name = pathNamer(r.file, cwd);
  return [
    ...r.diagnostics.map((d) => diagnosticLine(d, name)),
    ...r.mismatches.map((m) => `${at(name(m.file), m.range)}: ${mismatchMessage(m)}`),
  ];
}

/** One line of JSON; keys in a fixed order. */
export function jsonReport(r: FileReport, cwd: string): string {
  const name = pathNamer(r.file, cwd);
  return JSON.stringify({
    file: r.file,
    passed: r.passed,
    mismatches: r.mismatches.map((m) => ({
      file: name(m.file),
      line: m.range.start.line + 1,
      column: m.range.start.character + 1,
      expected: m.expected,
      got: m.got,
      reason: m.reason ?? null,
    })),
    diagnostics: r.diagnostics.map((d) => ({
      file: name(d.file),
      line: d.range.start.line + 1,
      column: d.range.start.character + 1,
      endLine: d.range.end.line + 1,
      endColumn: d.range.end.character + 1,
      severity: d.severity,
      message: d.message,
    })),
    statements: r.statements,
  });
}

export function summaryLine(reports: readonly FileReport[]): string {
  const passed = reports.filter((r) => r.passed).length;
  return `${passed} passed, ${reports.length - passed} failed`;
}
