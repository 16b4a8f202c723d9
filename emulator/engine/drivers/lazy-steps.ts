// A translation's record of its walk (WalkOutcome.steps) is for the
// debugger's walk view (machine.walk, which reads it at once); a DMA only
// needs the output address. Building the record — an object per level with
// the descriptor's decoded fields — cost more than the translation itself,
// so a successful translation of a hardware model builds it when first read,
// from the tables as they are then. Faults still carry theirs eagerly: they
// are rare, and a fault is reported long after the walk.
import type { WalkOutcome } from '../core/iommu-domain.js';
import type { StaleHit, WalkStep } from '../machine-api.js';

/**
 * A class rather than an object literal with a getter: V8 creates such a
 * literal through the runtime, at ~3 µs a DMA; a class's getter lives on
 * its prototype.
 */
class Translated {
  readonly ok = true;
  stale?: StaleHit;
  private built: WalkStep[] | undefined;

  constructor(
    readonly pa: bigint,
    private readonly build: () => WalkStep[],
  ) {}

  get steps(): WalkStep[] {
    return (this.built ??= this.build());
  }
}

/** What can rebuild the walk record of an address (a hardware paging domain). */
export interface StepsSource {
  steps(iova: bigint): WalkStep[];
}

/**
 * A miss's translation: its record is rebuilt from `source` at `iova`. A
 * class of its own rather than `translated` with an arrow: the arrow and
 * its context were two more objects on every miss.
 */
class Walked {
  readonly ok = true;
  readonly stale: StaleHit | undefined = undefined;
  private built: WalkStep[] | undefined;

  constructor(
    readonly pa: bigint,
    private readonly source: StepsSource,
    private readonly iova: bigint,
  ) {}

  get steps(): WalkStep[] {
    return (this.built ??= this.source.steps(this.iova));
  }
}

export function walkedTranslation(pa: bigint, source: StepsSource, iova: bigint): WalkOutcome & { ok: true } {
  return new Walked(pa, source, iova);
}

export function translated(pa: bigint, steps: () => WalkStep[], stale?: StaleHit): WalkOutcome & { ok: true } {
  const out = new Translated(pa, steps);
  if (stale) out.stale = stale;
  return out;
}
