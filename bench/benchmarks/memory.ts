// Target 7: memory.
//  - the heap a loaded (parsed and checked) large trace holds, per statement,
//    against the 300 bytes the target allows;
//  - the emulated memory a 1 TiB mapping costs when the page table can use
//    1 GiB blocks, against 1 MiB.
import { heapUsed, type BenchSettings } from '../measure.js';
import { atMost, type BenchResult } from '../result.js';
import { workloadText } from '../workload.js';
import { EngineDriver } from '../engine-driver.js';
import { checkWorkload } from './cli-path.js';

const GiB = 1n << 30n;

/** Emulated host memory that holds data: page-table pages and touched RAM (frames are 4 KiB, made on first write). */
function emulatedBytes(d: EngineDriver): number {
  return d.machine.host.phys.touchedFrames * 4096;
}

export function memory(s: BenchSettings): BenchResult[] {
  // Measured from before the text exists: a loaded trace keeps its text (language/program-text.ts).
  const before = heapUsed();
  let text: string | undefined = workloadText({ statements: s.statements });
  const program = checkWorkload(text);
  text = undefined;
  const perStatement = (heapUsed() - before) / s.statements;
  if (program.statementCount !== s.statements) throw new Error('the workload lost statements');

  // 1 TiB of IOVA backed by 1 GiB huge pages at 1 GiB-aligned IOVAs, so the
  // table can use 1 GiB blocks. Host physical memory ends at 1 TiB, so the
  // 1 TiB is one 512 GiB region mapped twice, back to back.
  const d = new EngineDriver('smmuv3');
  const half = s.hugeMapping / 2n;
  const ram = d.machine.declareMemory('huge', half, { hugepage: GiB });
  const ioas = d.ioasAlloc();
  d.bind('nic0');
  d.attach('nic0', ioas);
  const beforeMap = emulatedBytes(d);
  d.map(ioas, ram, half, 1n << 41n);
  d.map(ioas, ram, half, (1n << 41n) + half);
  const tableBytes = emulatedBytes(d) - beforeMap;
  return [
    atMost({ id: '7 trace heap', description: `heap held per statement by a loaded ${s.statements}-statement trace vs 300 bytes`, measured: perStatement, baseline: 300, unit: 'B/stmt' }, 1),
    atMost({ id: '7 1TiB mapping', description: `emulated memory a ${s.hugeMapping >> 30n} GiB mapping of 1 GiB blocks costs vs 1 MiB`, measured: tableBytes / 1024, baseline: 1024, unit: 'KiB' }, 1),
  ];
}
