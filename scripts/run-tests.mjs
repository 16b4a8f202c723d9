// Runs every test/**/*.test.ts with Node's own test runner (through tsx, so
// the sources run unbundled). Node 20's --test does not expand globs itself.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function collect(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...collect(p));
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const files = collect('test');
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], { stdio: 'inherit' });
// The TextMate grammar's tests (test/grammar/*.test.iotrace) run after the node tests; either failing fails the run.
const grammar = spawnSync('npm', ['run', '--silent', 'test:grammar'], { stdio: 'inherit' });
process.exit((r.status ?? 1) || (grammar.status ?? 1));
