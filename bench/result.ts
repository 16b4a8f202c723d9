// One row of the results table and of bench/results.json.
import { median } from './measure.js';

export type Verdict = 'pass' | 'fail' | 'pending';

export interface BenchResult {
  /** The target number and a short name ("1 parse+check"). */
  id: string;
  /** What was measured and against what. */
  description: string;
  /** The measured figure and its baseline, in `unit`. */
  measured: number;
  baseline: number;
  unit: string;
  /** measured / baseline (or the inverse where the target is "at least"; see `target`). */
  ratio: number;
  /** The target on the ratio, as text ("<= 3", ">= 0.333"). */
  target: string;
  verdict: Verdict;
  /** Why a row is pending, or a note on how it was measured. */
  note?: string;
}

/** A row whose ratio must stay at or below `limit`. */
export function atMost(row: Omit<BenchResult, 'ratio' | 'target' | 'verdict'>, limit: number): BenchResult {
  const ratio = row.measured / row.baseline;
  return { ...row, ratio, target: `<= ${round(limit)}`, verdict: ratio <= limit ? 'pass' : 'fail' };
}

/** A row whose ratio must reach at least `limit`. */
export function atLeast(row: Omit<BenchResult, 'ratio' | 'target' | 'verdict'>, limit: number): BenchResult {
  const ratio = row.measured / row.baseline;
  return { ...row, ratio, target: `>= ${round(limit)}`, verdict: ratio >= limit ? 'pass' : 'fail' };
}

/**
 * A row judged on the median of per-repetition ratios `measured[i] /
 * baseline[i]`, each repetition having timed both back to back (a burst of
 * load on this shared machine then slows both halves of the ratio it lands
 * in, where a ratio of medians can pair a quiet measurement with a loaded
 * baseline); the row shows each side's median.
 */
export function pairedRow(
  judge: typeof atMost,
  row: { id: string; description: string; unit: string },
  measured: readonly number[],
  baseline: readonly number[],
  limit: number,
): BenchResult {
  const ratio = median(measured.map((m, i) => m / baseline[i]!));
  // Judged as the ratio over 1, then shown with each side's median (as the scaling rows are).
  const judged = judge({ ...row, measured: ratio, baseline: 1 }, limit);
  return { ...judged, measured: median(measured), baseline: median(baseline), note: `ratio: median of ${measured.length} back-to-back repetitions` };
}

/** A target whose part of the product has not landed yet: reported, never counted as a pass. */
export function pending(id: string, description: string, part: string): BenchResult {
  return { id, description, measured: NaN, baseline: NaN, unit: '', ratio: NaN, target: '', verdict: 'pending', note: `pending: ${part} not landed` };
}

export function round(x: number): string {
  if (!Number.isFinite(x)) return '-';
  const a = Math.abs(x);
  return a >= 100 ? x.toFixed(0) : a >= 1 ? x.toFixed(2) : x.toPrecision(3);
}
