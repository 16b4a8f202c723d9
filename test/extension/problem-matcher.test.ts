// The `$iotrace` problem matcher in package.json must match what
// `iotrace run` actually prints, or tasks put nothing in Problems.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const ROOT = join(__dirname, '..', '..');

interface Pattern { name: string; regexp: string; file: number; line: number; column: number; severity: number; message: number }
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  contributes: { problemPatterns: Pattern[]; problemMatchers: { name: string; pattern: string; severity: string }[] };
};
const pattern = manifest.contributes.problemPatterns.find((p) => p.name === 'iotrace')!;
const matcher = manifest.contributes.problemMatchers.find((m) => m.name === 'iotrace')!;

function problems(output: string): { file: string; line: number; column: number; severity: string; message: string }[] {
  const re = new RegExp(pattern.regexp);
  return output.split('\n').flatMap((l) => {
    const m = re.exec(l);
    return m === null ? [] : [{ file: m[pattern.file]!, line: Number(m[pattern.line]), column: Number(m[pattern.column]), severity: m[pattern.severity] ?? matcher.severity, message: m[pattern.message]! }];
  });
}

describe('the $iotrace problem matcher', () => {
  it('uses the iotrace pattern', () => assert.equal(matcher.pattern, '$iotrace'));

  it('turns a mismatch and a syntax error from iotrace run into problems, and nothing else', () => {
    const dir = mkdtempSync(join(tmpdir(), 'iotrace-matcher-'));
    writeFileSync(join(dir, 'mismatch.iotrace'), 'ioas = ioas_alloc => 1\ndestroy ioas => EBUSY\n');
    writeFileSync(join(dir, 'broken.iotrace'), 'frobnicate\n');
    const out = spawnSync(process.execPath, [join(ROOT, 'dist', 'cli.js'), 'run', '.'], { cwd: dir, encoding: 'utf8' }).stdout;
    assert.deepEqual(
      problems(out).map((p) => ({ ...p, message: p.message.split(' ').slice(0, 3).join(' ') })),
      [
        { file: 'broken.iotrace', line: 1, column: 1, severity: 'error', message: "unknown command 'frobnicate'" },
        { file: 'mismatch.iotrace', line: 2, column: 1, severity: 'error', message: 'expected EBUSY, got' },
      ],
    );
  });
});
