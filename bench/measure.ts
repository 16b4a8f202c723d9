// Timing for the benchmarks. This machine is noisy, so every figure is the
// median of several runs, and every target is a ratio against a baseline
// timed in the same process, interleaved with the measured code so that both
// see the same machine load.

export interface BenchSettings {
  /** Statements in the large trace (the targets speak of 1e6). */
  statements: number;
  /** Timed repetitions; the median is reported (at least 5 for a real run). */
  runs: number;
  /** Live mappings/objects of the "large" side of the scaling benchmark (1e6). */
  scaleLarge: number;
  /** ... and of the small side (1e3). */
  scaleSmall: number;
  /** Statements of the debugger benchmark's trace (its continue and stepBack are timed in full each run). */
  debugStatements: number;
  /** Lines of the editor benchmark's file (1e5). */
  editorLines: number;
  /** Bytes of the huge-page mapping whose page-table cost is measured (1 TiB). */
  hugeMapping: bigint;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Milliseconds one call of `fn` takes. */
export function time(fn: () => void): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

export async function timeAsync(fn: () => Promise<void>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

/**
 * Median milliseconds of `measured` and of `baseline`, each run `runs` times,
 * alternating, so a burst of load on the machine hits both alike.
 */
export function timePair(runs: number, measured: () => void, baseline: () => void): { measured: number; baseline: number } {
  const m: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < runs; i++) {
    m.push(time(measured));
    b.push(time(baseline));
  }
  return { measured: median(m), baseline: median(b) };
}

/**
 * Nanoseconds per call of `op(i)`, for operations too fast to time one by
 * one: the median over `runs` batches of `batch` calls.
 */
export function nsPerOp(runs: number, batch: number, op: (i: number) => void): number {
  const xs: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t = time(() => {
      for (let i = 0; i < batch; i++) op(r * batch + i);
    });
    xs.push((t * 1e6) / batch);
  }
  return median(xs);
}

/** Heap in use after a full collection (needs --expose-gc; else as it stands). */
export function heapUsed(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    gc();
  }
  return process.memoryUsage().heapUsed;
}
