// Every benchmark, in the target order. Each takes the settings and
// returns its rows; the runner and the smoke test both go through this list.
import type { BenchSettings } from '../measure.js';
import type { BenchResult } from '../result.js';
import { cliPath } from './cli-path.js';
import { debuggerBench } from './debugger.js';
import { editor } from './editor.js';
import { memory } from './memory.js';
import { scaling } from './scaling.js';
import { translation } from './translation.js';

export interface Benchmark {
  name: string;
  run: (s: BenchSettings) => BenchResult[] | Promise<BenchResult[]>;
}

export const BENCHMARKS: readonly Benchmark[] = [
  { name: 'cli-path', run: cliPath },
  { name: 'translation', run: translation },
  { name: 'scaling', run: scaling },
  { name: 'debugger', run: debuggerBench },
  { name: 'editor', run: editor },
  { name: 'memory', run: memory },
];
