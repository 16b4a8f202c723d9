// What `iotrace run --json` says about one file, turned into a test result:
// passed, failed (a statement's outcome differed: one message per mismatch,
// at its statement) or errored (the file does not check). No `vscode` here.
export interface ReportLocation {
  file: string;
  line: number;
  column: number;
}

export interface JsonMismatch extends ReportLocation {
  expected: string;
  got: string;
  reason: string | null;
}

export interface JsonDiagnostic extends ReportLocation {
  endLine: number;
  endColumn: number;
  severity: string;
  message: string;
}

export interface JsonReport {
  file: string;
  passed: boolean;
  mismatches: JsonMismatch[];
  diagnostics: JsonDiagnostic[];
  statements: number;
}

export interface ResultMessage extends ReportLocation {
  text: string;
  expected?: string;
  actual?: string;
}

export interface TestOutcome {
  status: 'passed' | 'failed' | 'errored';
  messages: ResultMessage[];
}

export function parseReports(stdout: string): JsonReport[] {
  return stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as JsonReport);
}

export function outcomeOf(r: JsonReport): TestOutcome {
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) {
    return { status: 'errored', messages: errors.map((d) => ({ file: d.file, line: d.line, column: d.column, text: d.message })) };
  }
  if (r.passed) return { status: 'passed', messages: [] };
  return {
    status: 'failed',
    messages: r.mismatches.map((m) => ({
      file: m.file, line: m.line, column: m.column,
      text: `expected ${m.expected}, got ${m.got}${m.reason !== null ? ` (${m.reason})` : ''}`,
      expected: m.expected, actual: m.got,
    })),
  };
}

/**
 * A trace is a test when it states an outcome somewhere: a `=> outcome` or
 * an `expect` statement. Comments do not count.
 */
export function hasExpectations(text: string): boolean {
  return text.split('\n').some((line) => {
    const code = line.replace(/#.*$/, '');
    return /=>/.test(code) || /^\s*expect\b/.test(code);
  });
}
