// `npm run fuzz [-- --seed N] [-- --scale K] [-- --only WORD]`: runs the
// property tests of test/reliability with a random seed (or the one given,
// to replay a failure) and K times their `npm test` budget, then prints how
// many cases each property ran and how many failed. `--only` keeps the files
// whose name contains WORD (the protocol fuzzers take a few seconds a case).
// The protocol fuzzers drive dist/, so it is rebuilt first. Exit status: 1
// if any failed.
import { randomInt } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const PROPERTY_FILES = [
  'test/reliability/engine-invariants.test.ts',
  'test/reliability/front-end-properties.test.ts',
  'test/reliability/format-properties.test.ts',
  'test/reliability/fail-nth.test.ts',
  'test/reliability/replay-equivalence.test.ts',
  'test/reliability/dap-fuzz.test.ts',
  'test/reliability/lsp-fuzz.test.ts',
];

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
const onlyAt = process.argv.indexOf('--only');
const files = onlyAt < 0 ? PROPERTY_FILES : PROPERTY_FILES.filter((f) => f.includes(process.argv[onlyAt + 1] ?? ''));
if (files.length === 0) {
  console.error(`fuzz: no property file matches --only ${process.argv[onlyAt + 1]}`);
  process.exit(2);
}
if (files.some((f) => f.includes('-fuzz.'))) {
  const build = spawnSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
  if (build.status !== 0) process.exit(2);
}
const dir = mkdtempSync(join(tmpdir(), 'iotrace-fuzz-'));
const report = join(dir, 'report.jsonl');

console.log(`fuzz: seed ${seed}, ${scale}x the npm test budget`);
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=dot', ...files], {
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
