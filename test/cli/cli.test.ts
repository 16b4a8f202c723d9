import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';

const ROOT = join(__dirname, '..', '..');
/** tsx by path: the working directory may be a temporary folder without node_modules. */
const TSX = pathToFileURL(require.resolve('tsx')).href;

/** The CLI from source, in `cwd`. */
function cli(args: string[], cwd = ROOT): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', TSX, join(ROOT, 'emulator', 'cli.ts'), ...args], { cwd, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function workspace(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'iotrace-cli-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const noStackTrace = (s: string) => assert.doesNotMatch(s, /^\s+at /m, 'no stack trace');

const PASSING = 'iommu iommu0 model=mock\nioas = ioas_alloc => 1\ndestroy ioas\n';
const MISMATCHING = `iommu iommu0 model=mock
device m0
ioas = ioas_alloc
d = bind m0
attach d ioas
destroy ioas
expect users(ioas) == 7
`;

test('--help documents the commands and the exit codes, and exits 0', () => {
  const r = cli(['--help']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /iotrace run \[--json\] PATH\.\.\./);
  assert.match(r.stdout, /exit codes:\n  0 .*\n  1 .*mismatch.*\n  2 .*syntax or type error.*usage error/);
});

test('usage errors exit 2 with the usage on stderr: unknown option, no command, no path, missing path', () => {
  for (const args of [['run', '--bogus', 'x'], [], ['run'], ['frob', 'x']]) {
    const r = cli(args);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.stderr, /^iotrace: /);
    assert.match(r.stderr, /usage: iotrace run/);
    noStackTrace(r.stderr);
  }
  const missing = cli(['run', 'no/such/dir']);
  assert.equal(missing.code, 2);
  assert.equal(missing.stderr, 'iotrace: no/such/dir: no such file or directory\n');
});

test('run: a folder is searched recursively in sorted order; mismatches as file:line:col; exit 1', () => {
  const dir = workspace({ 'b/pass.iotrace': PASSING, 'a.iotrace': MISMATCHING, 'notes.txt': 'not a trace' });
  const r = cli(['run', '.'], dir);
  assert.equal(r.code, 1);
  const lines = r.stdout.split('\n');
  assert.equal(lines.length, 4);
  // The reason is the engine's: which check failed.
  assert.match(lines[0]!, /^a\.iotrace:6:1: expected ok, got EBUSY \(IOAS 1 .*HWPT\w* 3\)$/);
  assert.equal(lines[1], 'a.iotrace:7:1: expected non-zero, got 0 (users(ioas) == 7: 2 == 7)');
  assert.equal(lines[2], '1 passed, 1 failed');
  assert.equal(lines[3], '');
});

test('run: every file passing exits 0', () => {
  const dir = workspace({ 'ok.iotrace': PASSING });
  const r = cli(['run', join(dir, 'ok.iotrace')]);
  assert.equal(r.code, 0);
  assert.equal(r.stdout, '1 passed, 0 failed\n');
});

test('a malformed file: every error with its range, nothing runs, exit 2, no stack trace', () => {
  const dir = workspace({
    'sub/bad.iotrace': [
      'iommu iommu0 model=mock',
      'device m0',
      'memory ram 64K',
      'frobnicate 1',
      'ioas = ioas_alloc',
      'let x "oops"',
      'write ram u32 "unterminated',
      'let big = 18446744073709551616',
      'expect users(nothere) == 1',
      'd = bind m0',
      'ioas_map d ram 4K',
      'include "../../etc/passwd"',
      '',
    ].join('\n'),
  });
  const r = cli(['run', 'sub'], dir);
  assert.equal(r.code, 2);
  noStackTrace(r.stdout + r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  const where = lines.map((l) => /^sub\/bad\.iotrace:(\d+):(\d+): error: /.exec(l)?.slice(1, 3).join(':'));
  assert.deepEqual(where.slice(0, -1).filter((w, i, a) => a.indexOf(w) === i), ['4:1', '6:7', '7:15', '8:11', '9:14', '11:10', '12:9']);
  assert.match(r.stdout, /unknown command 'frobnicate'/);
  assert.match(r.stdout, /unterminated string/);
  assert.match(r.stdout, /overflow/);
  assert.match(r.stdout, /undefined name 'nothere'/);
  assert.match(r.stdout, /wants an IOAS id/);
  assert.match(r.stdout, /outside the workspace folder/);
  assert.equal(lines.at(-1), '0 passed, 1 failed');
  const json = JSON.parse(cli(['run', '--json', 'sub'], dir).stdout);
  assert.equal(json.statements, 0, 'nothing ran');
  assert.equal(json.passed, false);
  assert.deepEqual(json.diagnostics[0], {
    file: 'sub/bad.iotrace', line: 4, column: 1, endLine: 4, endColumn: 11, severity: 'error', message: "unknown command 'frobnicate'",
  });
});

test('check: only parses and checks (a mismatching file passes), errors exit 2', () => {
  const dir = workspace({ 'a.iotrace': MISMATCHING, 'bad.iotrace': 'ioas_alloc flags=\n' });
  const ok = cli(['check', 'a.iotrace'], dir);
  assert.equal(ok.code, 0);
  assert.equal(ok.stdout, '1 passed, 0 failed\n');
  const bad = cli(['check', '.'], dir);
  assert.equal(bad.code, 2);
  assert.match(bad.stdout, /^bad\.iotrace:1:\d+: error: /m);
});

test('--json: one object per file, the same exit code, byte-identical across runs', () => {
  const dir = workspace({ 'a.iotrace': MISMATCHING, 'b.iotrace': PASSING });
  const first = cli(['run', '--json', '.'], dir);
  const second = cli(['run', '--json', '.'], dir);
  assert.equal(first.code, 1);
  assert.equal(first.stdout, second.stdout);
  const objects = first.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(objects.map((o) => [o.file, o.passed, o.statements]), [['a.iotrace', false, 7], ['b.iotrace', true, 3]]);
  const { reason, ...rest } = objects[0].mismatches[0];
  assert.deepEqual(rest, { file: 'a.iotrace', line: 6, column: 1, expected: 'ok', got: 'EBUSY' });
  assert.match(reason, /IOAS 1 .*HWPT\w* 3/);
});
