// An SMMUv3 nested domain (STE Config S1+S2, iommu-hardware §3): the guest's
// vSTE names a CD table in guest memory; the CD names the guest's stage-1
// table. Every structure the SMMU reads — L1 CD descriptor, CD, each stage-1
// table — is an IPA, translated through the stage-2 nest parent first; the
// stage-1 output IPA is translated through stage 2 too. Faults carry the
// S2/CLASS/IPA fields of the table in §3: a stage-2 fault fetching the CD is
// CLASS CD, fetching a stage-1 table CLASS TT, on the final IPA CLASS IN.
// The SMMU caches CDs (until CFGI_CD) and combined translations under
// "VMID v ASID a" (until the guest's TLBI_NH_*): a guest that edits its
// tables without invalidating keeps the old answer.
import type { IommuDomain, WalkOutcome } from '../../core/iommu-domain.js';
import type { Iotlb } from '../../iotlb.js';
import { childTag } from '../../iotlb.js';
import type { FaultKind, FaultRecord, WalkStep } from '../../machine-api.js';
import type { PhysMem } from '../../memory/physmem.js';
import { ArmLpaeFormat } from '../../pgtable/arm-lpae.js';
import { RadixTable, type PtLookup, type PtWalk } from '../../pgtable/radix-table.js';
import { translated } from '../lazy-steps.js';
import type { HwPagingDomain } from '../hw-paging-domain.js';
import { hex } from '../hw-rules.js';
import { answerFromIotlb, type CurrentWalk } from '../iotlb-hit.js';
import { Stage2Memory, StageTwoFetchFault } from '../stage2-memory.js';
import { locateCd, readCd, type ContextDescriptor } from './smmuv3-cd.js';
import { C_BAD_CD, C_BAD_STE, C_BAD_SUBSTREAMID, CLASS_CD, CLASS_TT, F_STREAM_DISABLED, F_TRANSLATION } from './smmuv3-events.js';
import { SmmuRules } from './smmuv3-rules.js';
import type { Vste } from './smmuv3-ste.js';

type Fault = WalkOutcome & { ok: false };

/** What the nested domain needs of its SMMU. */
export interface NestedSmmu {
  readonly phys: PhysMem;
  readonly iotlb: Iotlb;
  readonly oas: number;
  readonly httu: boolean;
}

/** A stage-1 context: the CD and its table, as the SMMU caches them. */
interface S1Context {
  cd: ContextDescriptor;
  table: RadixTable;
  rules: SmmuRules;
  tag: string;
}

export class ArmNestedDomain implements IommuDomain {
  readonly type = 'nested';
  readonly dirtyOps = false;
  readonly driver: object;
  private readonly guest: Stage2Memory;
  /** The SMMU's configuration cache: CDs by SubstreamID, until CFGI_CD / CFGI_CD_ALL. */
  private readonly cds = new Map<number, S1Context>();

  constructor(
    private readonly smmu: NestedSmmu,
    /** The vIOMMU that allocated it (its ops object). */
    readonly vsmmu: object,
    readonly parent: HwPagingDomain,
    readonly vste: Vste,
  ) {
    this.driver = parent.driver;
    this.guest = new Stage2Memory(parent, smmu.phys);
  }

  describe(): string {
    const what = this.vste.config === 'translate' ? `CD table at IPA ${hex(this.vste.cdTable)}` : `vSTE ${this.vste.config}`;
    return `SMMUv3 nested domain (${what}) on the ${this.parent.describe()}`;
  }

  translate(iova: bigint, write: boolean, update: boolean): WalkOutcome {
    return this.translateSubstream(undefined, iova, write, update);
  }

  /** A transaction with (or without) a SubstreamID: the guest owns the CD table, so it picks the CD. */
  translateSubstream(ssid: number | undefined, iova: bigint, write: boolean, update: boolean): WalkOutcome {
    if (this.vste.config === 'abort') return { ok: false, kind: 'blocked', steps: [], detail: `${hex(iova)}: the guest's vSTE aborts every transaction (Config abort or V clear; no event)` };
    if (this.vste.config === 'bypass') return this.parent.translate(iova, write, update);
    let sub = ssid;
    if (sub === undefined && this.vste.s1cdmax !== 0) {
      if (this.vste.s1dss === 'bypass') return this.parent.translate(iova, write, update);
      if (this.vste.s1dss === 'terminate') return configFault('blocked', F_STREAM_DISABLED, `${hex(iova)}: a transaction without a SubstreamID and S1DSS terminate`);
    }
    sub ??= 0;
    const ctx = this.context(sub, iova, update);
    if ('ok' in ctx) return ctx;
    return this.walk(ctx, sub, iova, write, update);
  }

  /** CFGI_CD: the cached CD of `ssid` is forgotten. */
  forgetCd(ssid: number): void {
    this.cds.delete(ssid);
  }

  /** CFGI_CD_ALL. */
  forgetCds(): void {
    this.cds.clear();
  }

  /** The CD for `ssid`: cached, or fetched through stage 2 (a DMA caches it; a query does not). */
  private context(ssid: number, iova: bigint, update: boolean): S1Context | Fault {
    const cached = this.cds.get(ssid);
    if (cached) return cached;
    let cd: ContextDescriptor | string;
    let at = this.vste.cdTable;
    try {
      const loc = locateCd(this.vste, ssid, this.guest);
      if (!loc.ok) return loc.event === 'C_BAD_STE' ? configFault('bad_ste', C_BAD_STE, loc.detail) : configFault('pasid', C_BAD_SUBSTREAMID, loc.detail);
      at = loc.at;
      cd = readCd(at, this.guest, this.smmu.oas);
    } catch (e) {
      if (!(e instanceof StageTwoFetchFault)) throw e;
      return fetchFault(e, CLASS_CD, `fetching the CD for SubstreamID ${ssid} at IPA ${hex(e.gpa)} (IOVA ${hex(iova)})`);
    }
    if (typeof cd === 'string') return configFault('bad_cd', C_BAD_CD, `the CD for SubstreamID ${ssid} at IPA ${hex(at)} is illegal: ${cd}`);
    const format = new ArmLpaeFormat({ stage: 1, granule: cd.granule, ias: cd.inputBits, oas: cd.ips });
    const ctx: S1Context = {
      cd,
      table: new RadixTable(format, this.guest, cd.ttb0),
      // AFFD: no access-flag fault, as if the hardware managed AF.
      rules: new SmmuRules({ stage: 1, oas: cd.ips, ha: (cd.ha && this.smmu.httu) || cd.affd, hd: cd.hd && this.smmu.httu }),
      tag: childTag(this.parent.tag, `ASID ${cd.asid}`),
    };
    if (update) this.cds.set(ssid, ctx);
    return ctx;
  }

  private walk(ctx: S1Context, ssid: number, iova: bigint, write: boolean, update: boolean): WalkOutcome {
    const { iotlb } = this.smmu;
    const cached = iotlb.lookup(ctx.tag, iova);
    if (cached) {
      const out = answerFromIotlb(cached, iova, write, this.current(ctx, iova), () => this.currentSteps(ctx, iova), () => ctx.rules.permission(iova, write, cached.level), this.describe());
      if (update && out.ok) iotlb.hits++;
      return out;
    }
    if (update) iotlb.misses++;
    if (ctx.cd.epd0) return this.s1Fault(ctx, { ok: false, kind: 'translation', stage: 1, steps: [], detail: `${hex(iova)}: the CD of SubstreamID ${ssid} disables TTB0 walks (EPD0)`, record: { event: F_TRANSLATION, class: 2, s2: false } });
    const s1 = this.walkStage1(ctx, iova);
    if ('fault' in s1) return s1.fault;
    const walk = s1.walk;
    if (!walk.ok) {
      const f = ctx.rules.stopped(walk, iova);
      return this.s1Fault(ctx, { ok: false, kind: f.kind, level: f.level, stage: 1, steps: walk.steps, detail: `${f.detail} in the guest's stage-1 table (${ctx.tag})`, record: f.record });
    }
    const grant = ctx.rules.leaf(walk.leaf, iova, write);
    if ('kind' in grant) return this.s1Fault(ctx, { ok: false, kind: grant.kind, level: grant.level, stage: 1, steps: walk.steps, detail: `${grant.detail} in the guest's stage-1 table (${ctx.tag})`, record: grant.record });
    const ipa = walk.leaf.oa;
    const s2 = this.parent.translate(ipa, write, update);
    if (!s2.ok) return { ...s2, steps: [...walk.steps, ...s2.steps], detail: `IPA ${hex(ipa)} of IOVA ${hex(iova)}: ${s2.detail}` };
    if (update) {
      // Hardware writes AF/dirty into the guest's descriptor, itself at an IPA.
      if (grant.updated !== walk.leaf.descriptor) this.guest.tryStore(walk.leaf.slot, grant.updated);
      // A combined entry: the smaller of the two pages, writable only if both stages allow writes.
      const s2Granule = this.parent.pgsizeBitmap & -this.parent.pgsizeBitmap;
      const size = walk.leaf.size < s2Granule ? walk.leaf.size : s2Granule;
      const writable = grant.write && (write || this.parent.translate(ipa, true, false).ok);
      iotlb.insert({ tag: ctx.tag, iova: iova & ~(size - 1n), pa: s2.pa & ~(size - 1n), size, read: true, write: writable, level: walk.leaf.level, stage: 1, descriptor: grant.updated });
    }
    return translated(s2.pa, () => [...walk.steps, ...s2.steps]);
  }

  /** A stage-1 fault is written to the event queue only when the CD says R. */
  private s1Fault(ctx: S1Context, f: Fault): Fault {
    if (ctx.cd.record) return f;
    return { ...f, detail: `${f.detail} (not recorded: CD.R is clear)`, record: { ...f.record, event: undefined } };
  }

  /** The tables' answer now, through the cached CD, without side effects (stale-hit checks). */
  private current(ctx: S1Context, iova: bigint): CurrentWalk {
    const first = this.lookupStage1(ctx, iova);
    if (!first?.ok) return {};
    const s2 = this.parent.translate(first.leaf.oa, false, false);
    return s2.ok ? { pa: s2.pa, descriptor: first.leaf.descriptor } : {};
  }

  /** The walk record of the tables' answer now: the guest's walk, then stage 2 of its output when that translates. */
  private currentSteps(ctx: S1Context, iova: bigint): WalkStep[] {
    const first = this.walkStage1(ctx, iova);
    if ('fault' in first) return first.fault.steps;
    if (!first.walk.ok) return first.walk.steps;
    const s2 = this.parent.translate(first.walk.leaf.oa, false, false);
    return s2.ok ? [...first.walk.steps, ...s2.steps] : first.walk.steps;
  }

  /** The guest's walk without its record; undefined when fetching a table faults at stage 2. */
  private lookupStage1(ctx: S1Context, iova: bigint): PtLookup | undefined {
    try {
      return ctx.table.lookup(iova);
    } catch (e) {
      if (!(e instanceof StageTwoFetchFault)) throw e;
      return undefined;
    }
  }

  private walkStage1(ctx: S1Context, iova: bigint): { walk: PtWalk } | { fault: Fault } {
    try {
      return { walk: ctx.table.walk(iova, 1) };
    } catch (e) {
      if (!(e instanceof StageTwoFetchFault)) throw e;
      return { fault: fetchFault(e, CLASS_TT, `fetching the guest's stage-1 table at IPA ${hex(e.gpa)} for IOVA ${hex(iova)}`) };
    }
  }
}

/** A configuration error the SMMU reports with its own event (no walk happened). */
function configFault(kind: FaultKind, event: number, detail: string): Fault {
  return { ok: false, kind, stage: 1, steps: [], detail, record: { event, s2: false } };
}

/** A stage-2 fault on fetching a guest structure: S2 = 1, the CLASS of what was fetched, its IPA. */
function fetchFault(e: StageTwoFetchFault, cls: number, what: string): Fault {
  const f = e.outcome;
  const record: Partial<FaultRecord> = { ...f.record, class: cls, s2: true, ipa: e.gpa };
  return { ...f, stage: 2, record, detail: `${what}: ${f.detail}` };
}
