import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { hasExpectations, outcomeOf, parseReports } from '../../extension/testing/report-results.js';

const ROOT = join(__dirname, '..', '..');

/** `iotrace run --json` on a trace written for the test: the built CLI, as the extension runs it. */
function runJson(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'iotrace-report-'));
  writeFileSync(join(dir, 't.iotrace'), text);
  return spawnSync(process.execPath, [join(ROOT, 'dist', 'cli.js'), 'run', '--json', 't.iotrace'], { cwd: dir, encoding: 'utf8' }).stdout;
}

describe('test results from iotrace run --json', () => {
  it('passes a trace whose outcomes all match', () => {
    const [r] = parseReports(runJson('ioas = ioas_alloc => 1\n'));
    assert.deepEqual(outcomeOf(r!), { status: 'passed', messages: [] });
  });

  it('fails a mismatch with expected and actual at its statement', () => {
    const [r] = parseReports(runJson('# line 1\nioas = ioas_alloc => 7\n'));
    const o = outcomeOf(r!);
    assert.equal(o.status, 'failed');
    assert.equal(o.messages.length, 1);
    assert.deepEqual({ ...o.messages[0], text: undefined }, { file: 't.iotrace', line: 2, column: 1, text: undefined, expected: '7', actual: '1' });
    assert.match(o.messages[0]!.text, /^expected 7, got 1/);
  });

  it('errors a file that does not check, at the error', () => {
    const [r] = parseReports(runJson('ioas = ioas_alloc => 1\nfrobnicate\n'));
    const o = outcomeOf(r!);
    assert.equal(o.status, 'errored');
    assert.deepEqual(o.messages.map((m) => [m.line, m.column]), [[2, 1]]);
    assert.match(o.messages[0]!.text, /unknown command 'frobnicate'/);
  });
});

describe('hasExpectations', () => {
  it('counts => outcomes and expect statements, not comments', () => {
    assert.equal(hasExpectations('ioas = ioas_alloc => 1\n'), true);
    assert.equal(hasExpectations('  expect users(ioas) == 1\n'), true);
    assert.equal(hasExpectations('ioas = ioas_alloc   # => 1\n# expect x\n'), false);
    assert.equal(hasExpectations('iommu iommu0 model=mock\n'), false);
  });
});
