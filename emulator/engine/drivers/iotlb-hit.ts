// What a DMA that hits the IOTLB gets (iommu-hardware §5.4): the cached
// translation, checked against the cached rights, and — because the engine
// re-walks the tables in memory on every hit — a StaleHit when memory no
// longer agrees. The device still uses the cached translation, as hardware
// would; the engine only records that it did.
import type { WalkOutcome } from '../core/iommu-domain.js';
import type { IotlbEntry } from '../iotlb.js';
import type { StaleHit, WalkStep } from '../machine-api.js';
import { hex, type HwFault } from './hw-rules.js';

/** The tables' current answer for the IOVA: its walk, and the output address and leaf if it translates. */
export interface CurrentWalk {
  steps: WalkStep[];
  pa?: bigint;
  descriptor?: bigint;
}

export function answerFromIotlb(e: IotlbEntry, iova: bigint, write: boolean, current: CurrentWalk, permission: () => HwFault, where: string): WalkOutcome {
  const pa = e.pa + (iova - e.iova);
  const steps = current.steps.map((s) => ({ ...s }));
  if (!(write ? e.write : e.read)) {
    const f = permission();
    return { ok: false, kind: f.kind, level: e.level, stage: e.stage, steps, detail: `${f.detail} (cached in the IOTLB) in the ${where}`, record: f.record };
  }
  if (current.pa === pa && current.descriptor === e.descriptor) {
    const last = steps.at(-1);
    if (last) last.iotlb = 'hit';
    return { ok: true, pa, steps };
  }
  // The cached leaf is what the device used: it ends the walk view.
  steps.push({ stage: e.stage, level: e.level, table: 0n, index: -1, descriptor: e.descriptor, iotlb: 'stale-hit' });
  const at = e.unmapped?.line;
  const why = e.unmapped ? `the page was unmapped${at !== undefined ? ` at line ${at}` : ''} and not invalidated` : 'the page table changed and the IOTLB was not invalidated';
  const stale: StaleHit = { iova, pa, unmappedAt: at, message: `stale IOTLB hit: ${why} (${e.tag} ${hex(e.iova)} -> ${hex(e.pa)})` };
  return { ok: true, pa, steps, stale };
}
