// Target 4: the cost of one operation with 1e6 live mappings (or objects)
// against its cost with 1e3, on the engine directly. Per operation:
//   map / unmap   a 4K IOAS_MAP and IOAS_UNMAP beside the live mappings,
//   dma hit       a DMA the IOTLB answers (the same page again),
//   dma miss      a DMA that misses the IOTLB and walks the page table,
//   attach        attaching a device to an IOAS (and detaching it),
//   destroy       destroying an IOAS, with that many live objects in the table.
import { median, nsPerOp, type BenchSettings } from '../measure.js';
import { atMost, type BenchResult } from '../result.js';
import { EngineDriver } from '../engine-driver.js';

const PAGE = 0x1000n;
const IOVA_BASE = 0x1_0000_0000n;
const BATCH = 1000;

interface Costs {
  [op: string]: number;
}

/** ns per operation of each kind with `live` mappings, then `live` objects. */
export function costsAt(live: number, runs: number): Costs {
  const costs: Costs = {};
  {
    const d = new EngineDriver();
    // Guest RAM is backed on first touch: a large region costs nothing until the NIC writes to it.
    const ram = d.machine.declareMemory('ram', 1n << 32n, {});
    const ioas = d.ioasAlloc();
    d.bind('nic0');
    d.attach('nic0', ioas);
    const ramPages = 1n << 20n;
    for (let i = 0; i < live; i++) d.map(ioas, ram + (BigInt(i) % ramPages) * PAGE, PAGE, IOVA_BASE + BigInt(i) * PAGE);
    // Fresh IOVAs above the live ones: each round maps a batch there and unmaps it, so `live` stays put.
    const spare = (i: number): bigint => IOVA_BASE + BigInt(live + i) * PAGE;
    const maps: number[] = [];
    const unmaps: number[] = [];
    for (let r = 0; r < runs; r++) {
      maps.push(nsPerOp(1, BATCH, (i) => d.map(ioas, ram + BigInt(i) * PAGE, PAGE, spare(i))));
      unmaps.push(nsPerOp(1, BATCH, (i) => d.unmap(ioas, spare(i), PAGE)));
    }
    costs.map = median(maps);
    costs.unmap = median(unmaps);
    const hitIova = IOVA_BASE + BigInt(live >> 1) * PAGE;
    d.machine.dma('nic0', { write: false, iova: hitIova, width: 4 });
    costs['dma hit'] = nsPerOp(runs, BATCH, () => d.machine.dma('nic0', { write: false, iova: hitIova, width: 4 }));
    // Strides over more distinct pages than the IOTLB holds, spread over all live mappings.
    const stride = Math.max(1, Math.floor(live / 4096));
    costs['dma miss'] = nsPerOp(runs, BATCH, (i) =>
      d.machine.dma('nic0', { write: false, iova: IOVA_BASE + BigInt(((i * 4099) % 4096) * stride % live) * PAGE, width: 4 }),
    );
  }
  {
    const d = new EngineDriver();
    const ioasIds: bigint[] = [];
    for (let i = 0; i < live; i++) ioasIds.push(d.ioasAlloc());
    d.bind('nic0');
    costs.attach = nsPerOp(runs, BATCH, (i) => {
      d.attach('nic0', ioasIds[(i * 7919) % live]!);
      d.detach('nic0');
    });
    const spareIds: bigint[] = [];
    const destroyRuns: number[] = [];
    for (let r = 0; r < runs; r++) {
      spareIds.length = 0;
      for (let i = 0; i < BATCH; i++) spareIds.push(d.ioasAlloc());
      destroyRuns.push(nsPerOp(1, BATCH, (i) => d.destroy(spareIds[i]!)));
    }
    costs.destroy = median(destroyRuns);
  }
  return costs;
}

export function scaling(s: BenchSettings): BenchResult[] {
  // The first pass only warms the JIT up, so that the small side is not charged for compiling the engine.
  costsAt(s.scaleSmall, 1);
  const small = costsAt(s.scaleSmall, s.runs);
  const large = costsAt(s.scaleLarge, s.runs);
  return Object.keys(small).map((op) =>
    atMost(
      {
        id: `4 scaling: ${op}`,
        description: `${op} with ${s.scaleLarge} live ${op === 'attach' || op === 'destroy' ? 'objects' : 'mappings'} vs ${s.scaleSmall}`,
        measured: large[op]!,
        baseline: small[op]!,
        unit: 'ns/op',
      },
      2,
    ),
  );
}
