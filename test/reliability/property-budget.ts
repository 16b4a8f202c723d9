// How hard the property tests try. `npm test` uses a fixed seed and a small
// budget so the suite stays fast and reproducible; `npm run fuzz` (scripts/
// fuzz.mjs) sets FUZZ_SEED to a random seed and FUZZ_SCALE to run many more
// cases, and collects the counts each property appends to FUZZ_REPORT.
import { appendFileSync } from 'node:fs';
import fc from 'fast-check';

const FIXED_SEED = 20261202;

/** fast-check parameters for a property whose `npm test` budget is `runs` cases. */
function budget(runs: number): { seed: number; numRuns: number } {
  const scale = Number(process.env.FUZZ_SCALE ?? '1');
  const seed = process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) : FIXED_SEED;
  return { seed, numRuns: Math.max(1, Math.round(runs * (Number.isFinite(scale) && scale > 0 ? scale : 1))) };
}

/**
 * Runs `property` with the budget and throws fast-check's report (seed,
 * path and shrunk counterexample) if a case fails; the run's counts go to
 * FUZZ_REPORT when the fuzz script asked for them.
 */
export function checkProperty<Ts extends [unknown, ...unknown[]]>(name: string, property: fc.IPropertyWithHooks<Ts>, runs: number): void {
  reportRun(name, fc.check(property, budget(runs)));
}

/** checkProperty for a property whose cases are asynchronous (they drive an event-driven runtime or a process). */
export async function checkAsyncProperty<Ts extends [unknown, ...unknown[]]>(name: string, property: fc.IAsyncPropertyWithHooks<Ts>, runs: number): Promise<void> {
  reportRun(name, await fc.check(property, budget(runs)));
}

function reportRun<Ts>(name: string, details: fc.RunDetails<Ts>): void {
  const report = process.env.FUZZ_REPORT;
  if (report) {
    appendFileSync(report, `${JSON.stringify({ name, seed: details.seed, runs: details.numRuns, failed: details.failed ? 1 : 0 })}\n`);
  }
  if (details.failed) {
    const cause = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
    throw new Error(`${fc.defaultReportMessage(details) ?? `property ${name} failed`}\n${cause}`);
  }
}
