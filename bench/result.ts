// One row of the results table and of bench/results.json.

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

/** A target whose part of the product has not landed yet: reported, never counted as a pass. */
export function pending(id: string, description: string, part: string): BenchResult {
  return { id, description, measured: NaN, baseline: NaN, unit: '', ratio: NaN, target: '', verdict: 'pending', note: `pending: ${part} not landed` };
}

export function round(x: number): string {
  if (!Number.isFinite(x)) return '-';
  const a = Math.abs(x);
  return a >= 100 ? x.toFixed(0) : a >= 1 ? x.toFixed(2) : x.toPrecision(3);
}
