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

/**
 * Milliseconds of CPU time one call of `fn` takes (the process's, user and
 * system). Unlike the wall clock it does not count the time the process
 * waits for a core while other processes run, which on a loaded two-core
 * machine is most of the noise in a millisecond-long batch; it does count
 * V8's helper threads (GC, compiler), which both sides of a comparison share.
 */
export function cpuTime(fn: () => void): number {
  const t0 = process.cpuUsage();
  fn();
  const t = process.cpuUsage(t0);
  return (t.user + t.system) / 1000;
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

/**
 * Empties V8's young generation (needs --expose-gc; else does nothing), so
 * that the batch timed next starts with none of the garbage of the one
 * before. A scavenge costs milliseconds when the heap holds a million live
 * objects; without this it lands inside whichever batch fills the young
 * generation, on either side of a comparison at random.
 */
export function collectYoung(): void {
  (globalThis as { gc?: (o: { type: 'minor' }) => void }).gc?.({ type: 'minor' });
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

/** One batch of an operation, run whole; returns the ns per operation of its timed part. */
export type Batch = () => number;

export interface PairedRatio {
  /** The median over the pairs of measured/baseline, each pair timed back to back. */
  ratio: number;
  /** The median ns/op of each side on its own (for the table; the verdict uses `ratio`). */
  measured: number;
  baseline: number;
}

/** One operation timed on two sides: the measured one and its baseline. */
export interface Comparison {
  measured: Batch;
  baseline: Batch;
}

/**
 * Times each comparison as `pairs` back-to-back pairs of batches, each batch
 * run once untimed first (to warm the caches and the JIT for that side) and
 * then timed. Which side goes first alternates (A B, B A, ...) so that
 * neither always follows the other. A pair's two batches are milliseconds
 * apart, so a change in machine load hits both; the median of the per-pair
 * ratios then drops the pairs a burst split. The comparisons take turns
 * (one pair of each per round), so a slow phase of the process (a long
 * incremental GC, a neighbour's burst) costs every comparison a few pairs
 * rather than one comparison all of them.
 */
export function pairedRatios(pairs: number, comparisons: readonly Comparison[]): PairedRatio[] {
  const warmTime = (b: Batch): number => {
    b();
    collectYoung();
    return b();
  };
  heapUsed(); // a full collection first, so that no incremental marking is under way when timing starts
  const samples = comparisons.map(() => ({ ratios: [] as number[], m: [] as number[], b: [] as number[] }));
  for (let p = 0; p < pairs; p++) {
    comparisons.forEach((c, k) => {
      let tm: number;
      let tb: number;
      if (p % 2 === 0) {
        tb = warmTime(c.baseline);
        tm = warmTime(c.measured);
      } else {
        tm = warmTime(c.measured);
        tb = warmTime(c.baseline);
      }
      samples[k]!.ratios.push(tm / tb);
      samples[k]!.m.push(tm);
      samples[k]!.b.push(tb);
    });
  }
  return samples.map((x) => ({ ratio: median(x.ratios), measured: median(x.m), baseline: median(x.b) }));
}
