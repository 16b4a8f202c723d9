// `npm run fuzz [-- --seed N] [-- --scale K]`: runs the property tests of
// test/reliability with a random seed (or the one given, to replay a
// failure) and K times their `npm test` budget, then prints how many cases
// each property ran and how many failed. Exit status: 1 if any failed.
import { randomInt } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const PROPERTY_FILES = ['test/reliability/engine-invariants.test.ts', 'test/reliability/front-end-properties.test.ts'];

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isSafeInteger(v) || v < 0) {
    console.error(`fuzz: --${name} needs a whole number`);
    process.exit(2);
  }
  return v;
}

const seed = option('seed', randomInt(2 ** 31));
const scale = option('scale', 50);
const dir = mkdtempSync(join(tmpdir(), 'iotrace-fuzz-'));
const report = join(dir, 'report.jsonl');

console.log(`fuzz: seed ${seed}, ${scale}x the npm test budget`);
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=dot', ...PROPERTY_FILES], {
  stdio: 'inherit',
  env: { ...process.env, FUZZ_SEED: String(seed), FUZZ_SCALE: String(scale), FUZZ_REPORT: report },
});

let lines = [];
try {
  lines = readFileSync(report, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
} catch {
  // No property reported: the run failed before any of them finished.
}
rmSync(dir, { recursive: true, force: true });

let runs = 0;
let failed = 0;
for (const p of lines) {
  console.log(`  ${p.name.padEnd(28)} ${String(p.runs).padStart(8)} cases  ${p.failed ? 'FAILED' : 'ok'}`);
  runs += p.runs;
  failed += p.failed;
}
console.log(`fuzz: ${runs} cases run, ${failed} failed (seed ${seed}; replay with npm run fuzz -- --seed ${seed} --scale ${scale})`);
process.exit(failed > 0 || r.status !== 0 ? 1 : 0);
