// What a DMA that hits the IOTLB gets (iommu-hardware §5.4): the cached
// translation, checked against the cached rights, and — because the engine
// looks the address up in the tables in memory on every hit — a StaleHit
// when memory no longer agrees. The device still uses the cached
// translation, as hardware would; the engine only records that it did.
import type { WalkOutcome } from '../core/iommu-domain.js';
import type { IotlbEntry } from '../iotlb.js';
import type { StaleHit, WalkStep } from '../machine-api.js';
import { hex, type HwFault } from './hw-rules.js';
import { translated } from './lazy-steps.js';

/**
 * The tables' current answer for the IOVA: the output address and leaf if
 * it translates. It comes from a lookup without a walk record (a hit must
 * stay cheap); `steps` builds the record if the debugger's view asks.
 */
export interface CurrentWalk {
  pa?: bigint;
  descriptor?: bigint;
}

// The callbacks are passed as bare arrows on purpose: a named closure (one
// stored in a variable or property) costs a defineProperty per call under
// tsx, which keeps function names.
export function answerFromIotlb(
  e: IotlbEntry,
  iova: bigint,
  write: boolean,
  current: CurrentWalk,
  steps: () => WalkStep[],
  permission: () => HwFault,
  where: string,
): WalkOutcome {
  const pa = e.pa + (iova - e.iova);
  if (!(write ? e.write : e.read)) {
    const f = permission();
    return { ok: false, kind: f.kind, level: e.level, stage: e.stage, steps: steps(), detail: `${f.detail} (cached in the IOTLB) in the ${where}`, record: f.record };
  }
  if (current.pa === pa && current.descriptor === e.descriptor) {
    return translated(pa, () => {
      const record = steps();
      const last = record.at(-1);
      if (last) last.iotlb = 'hit';
      return record;
    });
  }
  // The cached leaf is what the device used: it ends the walk view.
  const at = e.unmapped?.line;
  const why = e.unmapped ? `the page was unmapped${at !== undefined ? ` at line ${at}` : ''} and not invalidated` : 'the page table changed and the IOTLB was not invalidated';
  const stale: StaleHit = { iova, pa, unmappedAt: at, message: `stale IOTLB hit: ${why} (${e.tag} ${hex(e.iova)} -> ${hex(e.pa)})` };
  const { stage, level, descriptor } = e;
  return translated(pa, () => [...steps(), { stage, level, table: 0n, index: -1, descriptor, iotlb: 'stale-hit' }], stale);
}
