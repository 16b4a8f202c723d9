// `npm run bench`: runs every benchmark, prints the results table and writes
// bench/results.json. Options (the defaults are the sizes):
//   --statements=N        the large trace of targets 1, 2, 7 (default 1e6)
//   --scale=N             live mappings/objects of target 4's large side (default 1e6)
//   --debug-statements=N  the debugger's trace (default 1e6)
//   --editor-lines=N      the editor's file (default 1e5)
//   --runs=N              timed repetitions, median reported (default 5)
//   --only=NAME           one benchmark (cli-path, translation, scaling, debugger, editor, memory)
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { BENCHMARKS } from './benchmarks/index.js';
import type { BenchSettings } from './measure.js';
import type { BenchResult } from './result.js';
import { resultTable } from './table.js';

/**
 * The defaults are the sizes: a 1e6-statement trace for targets 1,
 * 2, 5 and 7, 1e6 live mappings and objects for target 4, a 1e5-line file
 * for target 6. `npm run bench` takes about five minutes on this (shared,
 * two core) machine; smaller sizes give quicker, rougher figures.
 */
function settings(argv: readonly string[]): { s: BenchSettings; only?: string } {
  const opt = (name: string): string | undefined => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const num = (name: string, dflt: number): number => Number(opt(name) ?? dflt);
  return {
    s: {
      statements: num('statements', 1e6),
      runs: num('runs', 5),
      scaleLarge: num('scale', 1e6),
      scaleSmall: 1e3,
      debugStatements: num('debug-statements', 1e6),
      editorLines: num('editor-lines', 1e5),
      hugeMapping: 1n << 40n,
    },
    only: opt('only'),
  };
}

async function main(): Promise<void> {
  const { s, only } = settings(process.argv.slice(2));
  if (!(globalThis as { gc?: unknown }).gc) process.stderr.write('bench: run with --expose-gc for the memory figures\n');
  const rows: BenchResult[] = [];
  for (const b of BENCHMARKS) {
    if (only && b.name !== only) continue;
    const t0 = performance.now();
    process.stderr.write(`bench: ${b.name} ...`);
    rows.push(...(await b.run(s)));
    process.stderr.write(` ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  }
  process.stdout.write(`${resultTable(rows)}\n`);
  // npm runs scripts from the package's folder; the bundle that runs this lives in bench/.build.
  const out = resolve('bench', 'results.json');
  writeFileSync(out, `${JSON.stringify({ settings: s, node: process.version, results: rows }, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`);
  const failed = rows.filter((r) => r.verdict !== 'pass').length;
  process.stdout.write(`${rows.length - failed} of ${rows.length} targets pass; results in ${out}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
