// Properties of the language front end on untrusted text (issue 9 §1): the
// parser and the checker never throw, and every diagnostic's range lies
// inside the text it is about (a range past the end crashes editors).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { Diagnostic } from '../../emulator/language/ast.js';
import { checkParsed, checkText, parse } from '../../emulator/language/index.js';
import { checkProperty } from './property-budget.js';
import { traceText } from './trace-text.js';

const FILE = '/workspace/fuzz.iotrace';

/**
 * Where `d` falls outside `text`, or undefined. Positions are LSP's: a line
 * (LF, CRLF and a lone CR each end one) and a UTF-16 column. A column may
 * point at the line break itself ("found end of line" underlines it), one
 * past the line's last character, but not further.
 */
function rangeProblem(text: string, d: Diagnostic): string | undefined {
  const lines = text.split(/\r\n|\r|\n/);
  const { start, end } = d.range;
  for (const [what, p] of [['start', start], ['end', end]] as const) {
    if (!Number.isInteger(p.line) || p.line < 0 || p.line >= lines.length) return `${what} line ${p.line} is not one of the ${lines.length} lines`;
    const width = lines[p.line]!.length + (p.line < lines.length - 1 ? 1 : 0);
    if (!Number.isInteger(p.character) || p.character < 0 || p.character > width) {
      return `${what} column ${p.character} is past line ${p.line} (${lines[p.line]!.length} long)`;
    }
  }
  if (end.line < start.line || (end.line === start.line && end.character < start.character)) return 'end is before start';
  return undefined;
}

const noFiles = (): string => {
  throw Object.assign(new Error('no such file'), { code: 'ENOENT' });
};

function assertRangesInside(text: string, diagnostics: Diagnostic[]): void {
  for (const d of diagnostics) {
    if (d.file !== FILE) continue;
    const problem = rangeProblem(text, d);
    assert.equal(problem, undefined, `diagnostic "${d.message}": ${problem}`);
  }
}

describe('front end on arbitrary text', () => {
  it('the parser never throws and its diagnostics lie inside the text', () => {
    checkProperty(
      'parser',
      fc.property(traceText, (text) => {
        assertRangesInside(text, parse(FILE, text).diagnostics);
      }),
      400,
    );
  });

  it('the checker never throws and its diagnostics lie inside the text', () => {
    checkProperty(
      'checker',
      fc.property(traceText, (text) => {
        const { diagnostics } = checkText(FILE, text, { workspaceRoot: '/workspace', readFile: noFiles });
        assertRangesInside(text, diagnostics);
      }),
      300,
    );
  });

  it('checking a text statement by statement is checking its whole tree, and its statements parse again the same', () => {
    // checkText keeps only the text (language/program-text.ts): its diagnostics, and the statements it parses
    // again on demand (with `resolved` and include programs written in), must be exactly the whole-tree check's.
    const included = 'let y = 1\nproc p(a) {\n  expect a == y\n}\n';
    const readFile = (path: string): string => (path.endsWith('x.iotrace') ? included : noFiles());
    const opts = { workspaceRoot: '/workspace', readFile };
    checkProperty(
      'streaming checker',
      fc.property(traceText, fc.constantFrom('', 'include "x.iotrace"\n', 'p(1)\n'), (body, head) => {
        const text = head + body;
        const streamed = checkText(FILE, text, opts);
        const whole = checkParsed(parse(FILE, text), opts);
        assert.deepEqual(streamed.diagnostics, whole.diagnostics);
        const program = streamed.program;
        assert.equal(program.statementCount, whole.program.statements.length);
        for (let i = program.statementCount - 1; i >= 0; i--) assert.deepEqual(program.onDemand.at(i), whole.program.statements[i]);
        assert.deepEqual(program.statements, whole.program.statements);
      }),
      300,
    );
  });

  it('the range check rejects a range past the end of its line', () => {
    const d = (line: number, character: number): Diagnostic => ({
      file: FILE,
      severity: 'error',
      message: 'x',
      range: { start: { line: 0, character: 1 }, end: { line, character } },
    });
    assert.match(rangeProblem('abc', d(0, 4)) ?? '', /end column 4 is past line 0/);
    assert.equal(rangeProblem('abc\r\n', d(0, 4)), undefined);
    assert.match(rangeProblem('abc\r\n', d(0, 5)) ?? '', /end column 5 is past line 0/);
    assert.match(rangeProblem('abc\rdefghij', d(0, 9)) ?? '', /past line 0/);
    assert.equal(rangeProblem('abc\rdefghij', d(1, 7)), undefined);
  });

  it('counts lines as editors do: CRLF and a lone CR end a line', () => {
    const at = (text: string) => parse(FILE, text).diagnostics.map((x) => [x.range.start.line, x.range.start.character, x.message]);
    assert.deepEqual(at('let x\r\n'), [[0, 5, "expected '=' after 'let x', found end of line"]]);
    assert.deepEqual(at('let a = 1\rlet x\r'), [[1, 5, "expected '=' after 'let x', found end of line"]]);
  });
});
