// Target 3: the cost of DMA translation.
//  - an IOTLB hit (a lookup in a full cache) against a bare Map.get on a
//    warm Map holding as many entries;
//  - a DMA whose translation walks the 4-level table (an IOTLB miss) against
//    the same DMA answered by the IOTLB.
import { EngineDriver } from '../engine-driver.js';
import { Iotlb, IOTLB_CAPACITY } from '../../emulator/engine/iotlb.js';
import { nsPerOp, type BenchSettings } from '../measure.js';
import { atMost, type BenchResult } from '../result.js';

const PAGE = 0x1000n;
const IOVA_BASE = 0x1000_0000n;
const BATCH = 2000;

export function translation(s: BenchSettings): BenchResult[] {
  // A full cache, and a Map with the same entries keyed by page.
  const entries = IOTLB_CAPACITY;
  const iotlb = new Iotlb();
  const map = new Map<bigint, unknown>();
  const keys: bigint[] = [];
  for (let i = 0; i < entries; i++) {
    const iova = IOVA_BASE + BigInt(i) * PAGE;
    const e = { tag: 'ASID 1', iova, pa: iova, size: PAGE, read: true, write: true, level: 3, stage: 1, descriptor: 0n };
    iotlb.insert(e);
    map.set(iova, e);
    keys.push(iova);
  }
  let sink = 0;
  // Both sides look up the same bigint keys, built the same way.
  const key = (i: number): bigint => keys[(i * 97) % entries]!;
  const lookup = (i: number): void => {
    if (iotlb.lookup('ASID 1', key(i))) sink++;
  };
  const get = (i: number): void => {
    if (map.get(key(i))) sink++;
  };
  const [hit, bare] = warmNsPerOp(s.runs, BATCH * 10, lookup, get);
  if (sink === 0) throw new Error('nothing was found');

  // The same DMA, answered by the IOTLB (one page again and again) and by a
  // walk (cycling through four times as many pages as the IOTLB holds).
  const d = new EngineDriver('smmuv3');
  const ram = d.machine.declareMemory('ram', 64n << 20n, {});
  const ioas = d.ioasAlloc();
  d.bind('nic0');
  d.attach('nic0', ioas);
  const pages = 4 * entries;
  d.map(ioas, ram, BigInt(pages) * PAGE, IOVA_BASE);
  const dmaRead = (iova: bigint): void => {
    const r = d.machine.dma('nic0', { write: false, iova, width: 4 });
    if (!r.ok) throw new Error(`the benchmark's DMA faulted: ${r.fault.detail}`);
  };
  const [dmaHit, dmaWalk] = warmNsPerOp(
    s.runs,
    BATCH,
    () => dmaRead(IOVA_BASE),
    (i) => dmaRead(IOVA_BASE + BigInt((i * 7) % pages) * PAGE),
  );
  return [
    atMost({ id: '3 IOTLB hit', description: `IOTLB lookup in a full cache (${entries} entries) vs Map.get on a warm Map of ${entries}`, measured: hit, baseline: bare, unit: 'ns/op' }, 3),
    atMost({ id: '3 table walk', description: 'DMA through a 4-level smmuv3 walk vs the same DMA answered by the IOTLB', measured: dmaWalk, baseline: dmaHit, unit: 'ns/op' }, 10),
  ];
}

/**
 * nsPerOp of each op, timed only once every op has run as many times as it
 * is timed. The first calls of a function run in V8's lower tiers, where
 * each bigint operation (the IOTLB's page masking, the walk's index
 * arithmetic) is a runtime call costing ~10x its optimised form; timing
 * them cold measured the JIT's warm-up, and on a loaded machine (whose
 * background compiler thread starves) most of a run could be spent there.
 * The issue compares steady states ("a warm map").
 */
function warmNsPerOp(runs: number, batch: number, ...ops: ((i: number) => void)[]): number[] {
  for (const op of ops) nsPerOp(runs, batch, op);
  return ops.map((op) => nsPerOp(runs, batch, op));
}
