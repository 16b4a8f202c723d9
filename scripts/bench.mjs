// `npm run bench`: bundles the benchmarks as scripts/build.mjs bundles what
// ships (esbuild, node20, CommonJS), so the figures are those of the code a
// user runs (`iotrace` is dist/cli.js). Run through tsx instead, every use of
// another module's export is a getter call: ~10% of a profile, and execution
// 35-40% slower than the bundle. Then runs the bundle with the collector
// exposed (the memory figures) and room for the 1e6-statement workloads.
// Arguments are passed on (see bench/run.ts).
import { spawnSync } from 'node:child_process';
import { build } from 'esbuild';

const out = 'bench/.build/run.cjs';
await build({ entryPoints: ['bench/run.ts'], outfile: out, bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'warning' });
const r = spawnSync(process.execPath, ['--expose-gc', '--max-old-space-size=8192', out, ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(r.status ?? 1);
