// Target 4: the cost of one operation with 1e6 live mappings (or objects)
// against its cost with 1e3, on the engine directly. Per operation:
//   map / unmap   a 4K IOAS_MAP and IOAS_UNMAP beside the live mappings,
//   dma hit       a DMA the IOTLB answers (the same page again),
//   dma miss      a DMA that misses the IOTLB and walks the page table,
//   attach        attaching a device to an IOAS (and detaching it),
//   destroy       destroying an IOAS, with that many live objects in the table.
// Both sides are built first and kept alive together; each operation is then
// timed in batches alternating between them (see pairedRatios), so that the
// machine's load, which drifts over the seconds a side takes to build, is the
// same for both halves of every ratio. A batch is timed in CPU time, not wall
// time: on this shared two-core machine a millisecond batch is often
// preempted, and the wait is no cost of the engine's.
import { cpuTime, pairedRatios, type Batch, type BenchSettings } from '../measure.js';
import { atMost, type BenchResult } from '../result.js';
import { EngineDriver } from '../engine-driver.js';

const PAGE = 0x1000n;
const IOVA_BASE = 0x1_0000_0000n;
const BATCH = 1000;
/** Pairs of batches per `--runs`: a batch takes 1 to 50 ms, so the default 25 pairs of six operations take about half a minute, and more pairs steady the median. */
const PAIRS_PER_RUN = 5;

/**
 * One operation on one side, applied to each index of a batch: `before` and
 * `after` keep the side as it was (untimed), `op` is what is timed.
 */
interface Step {
  before?: (i: number) => void;
  op: (i: number) => void;
  after?: (i: number) => void;
}

type Side = Record<string, Step>;

/** `live` mappings in one IOAS with a device attached: map, unmap, dma hit, dma miss. */
function mappingSide(live: number): Side {
  const d = new EngineDriver();
  // Guest RAM is backed on first touch: a large region costs nothing until the NIC writes to it.
  const ram = d.machine.declareMemory('ram', 1n << 32n, {});
  const ioas = d.ioasAlloc();
  d.bind('nic0');
  d.attach('nic0', ioas);
  const ramPages = 1n << 20n;
  for (let i = 0; i < live; i++) d.map(ioas, ram + (BigInt(i) % ramPages) * PAGE, PAGE, IOVA_BASE + BigInt(i) * PAGE);
  // Fresh IOVAs above the live ones: a batch maps there and unmaps again, so `live` stays put.
  const spare = (i: number): bigint => IOVA_BASE + BigInt(live + (i % BATCH)) * PAGE;
  const mapSpare = (i: number): void => d.map(ioas, ram + BigInt(i % BATCH) * PAGE, PAGE, spare(i));
  const unmapSpare = (i: number): void => d.unmap(ioas, spare(i), PAGE);
  const dmaRead = (iova: bigint): void => {
    d.machine.dma('nic0', { write: false, iova, width: 4 });
  };
  const hitIova = IOVA_BASE + BigInt(live >> 1) * PAGE;
  // Strides over more distinct pages than the IOTLB holds, spread over all live mappings.
  const stride = Math.max(1, Math.floor(live / 4096));
  return {
    map: { op: mapSpare, after: unmapSpare },
    unmap: { before: mapSpare, op: unmapSpare },
    'dma hit': { op: () => dmaRead(hitIova) },
    'dma miss': { op: (i) => dmaRead(IOVA_BASE + BigInt((((i * 4099) % 4096) * stride) % live) * PAGE) },
  };
}

/** `live` IOASes in the object table and a bound device: attach, destroy. */
function objectSide(live: number): Side {
  const d = new EngineDriver();
  const ioasIds: bigint[] = [];
  for (let i = 0; i < live; i++) ioasIds.push(d.ioasAlloc());
  d.bind('nic0');
  const spareIds: bigint[] = new Array<bigint>(BATCH);
  return {
    attach: {
      op: (i) => {
        d.attach('nic0', ioasIds[(i * 7919) % live]!);
        d.detach('nic0');
      },
    },
    destroy: {
      before: (i) => {
        spareIds[i % BATCH] = d.ioasAlloc();
      },
      op: (i) => d.destroy(spareIds[i % BATCH]!),
    },
  };
}

function sideAt(live: number): Side {
  return { ...mappingSide(live), ...objectSide(live) };
}

/** Runs `step` over the next BATCH indices each call (so indexed operations move on); returns ns/op of `op`. */
function batchOf(step: Step): Batch {
  let first = 0;
  const each = (f: (i: number) => void): void => {
    for (let i = first; i < first + BATCH; i++) f(i);
  };
  return () => {
    if (step.before) each(step.before);
    const ms = cpuTime(() => each(step.op));
    if (step.after) each(step.after);
    first += BATCH;
    return (ms * 1e6) / BATCH;
  };
}

export function scaling(s: BenchSettings): BenchResult[] {
  const small = sideAt(s.scaleSmall);
  const large = sideAt(s.scaleLarge);
  const ops = Object.keys(small);
  const pairs = s.runs * PAIRS_PER_RUN;
  const results = pairedRatios(
    pairs,
    ops.map((op) => ({ measured: batchOf(large[op]!), baseline: batchOf(small[op]!) })),
  );
  return ops.map((op, k) => {
    const r = results[k]!;
    // atMost judges measured/baseline; given the median ratio as `measured` over 1 it judges that
    // ratio, and the row then shows each side's median ns/op.
    const judged = atMost({ id: `4 scaling: ${op}`, description: '', measured: r.ratio, baseline: 1, unit: 'ns/op' }, 2);
    return {
      ...judged,
      description: `${op} with ${s.scaleLarge} live ${op === 'attach' || op === 'destroy' ? 'objects' : 'mappings'} vs ${s.scaleSmall}`,
      measured: r.measured,
      baseline: r.baseline,
      note: `ratio: median of ${pairs} interleaved batch pairs, CPU time`,
    };
  });
}
