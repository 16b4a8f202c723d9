// A VT-d nested domain (PGTT = nested, iommu-hardware §3): the guest's own
// first-stage table at `pgtbl_addr`, walked in guest-physical space — every
// table the walk reads is first translated through the parent second-stage
// domain — and the final GPA translated through it too. Translations are
// cached in the IOTLB under the nested domain's DID and leave only through
// the guest's invalidations (IOMMU_HWPT_INVALIDATE with vtd_s1 entries): a
// guest that unmaps without invalidating keeps hitting its old translation.
import type { IommuDomain, WalkOutcome } from '../../core/iommu-domain.js';
import type { UserDataArray } from '../../core/iommu-driver.js';
import { copyStructFromUserArray } from '../../core/user-data.js';
import { KernelError, fail } from '../../errno.js';
import type { Iotlb } from '../../iotlb.js';
import type { PhysMem } from '../../memory/physmem.js';
import { RadixTable, type PtLookup, type PtWalk } from '../../pgtable/radix-table.js';
import type { WalkStep } from '../../machine-api.js';
import { translated } from '../lazy-steps.js';
import { X86_64Format } from '../../pgtable/x86-64.js';
import { HWPT_INVALIDATE_DATA_TYPES } from '../../uapi/iommufd.js';
import { struct } from '../../uapi/layout.js';
import type { HwPagingDomain } from '../hw-paging-domain.js';
import { hex } from '../hw-rules.js';
import { Stage2Memory, StageTwoFetchFault } from '../stage2-memory.js';
import { answerFromIotlb, type CurrentWalk } from '../iotlb-hit.js';
import { VtdFirstStageRules } from './vtd-rules.js';

/** struct iommu_hwpt_vtd_s1 */
export const HWPT_VTD_S1 = struct('iommu_hwpt_vtd_s1', [['flags', 8], ['pgtbl_addr', 8], ['addr_width', 4], ['__reserved', 4]]);
/** IOMMU_VTD_S1_SRE | IOMMU_VTD_S1_EAFE | IOMMU_VTD_S1_WPE */
export const VTD_S1_FLAGS = 7n;
/** struct iommu_hwpt_vtd_s1_invalidate */
const VTD_S1_INVALIDATE = struct('iommu_hwpt_vtd_s1_invalidate', [['addr', 8], ['npages', 8], ['flags', 4], ['__reserved', 4]]);
/** IOMMU_VTD_INV_FLAGS_LEAF */
const INV_LEAF = 1n;
const U64_MAX = (1n << 64n) - 1n;
const PAGE = 0x1000n;

export class VtdNestedDomain implements IommuDomain {
  readonly type = 'nested';
  readonly dirtyOps = false;
  private readonly table: RadixTable;
  private readonly rules: VtdFirstStageRules;
  private readonly guest: Stage2Memory;

  constructor(
    readonly driver: object,
    readonly parent: HwPagingDomain,
    phys: PhysMem,
    private readonly iotlb: Iotlb,
    readonly tag: string,
    /** The guest's FS table root (a GPA) and its address width (48 or 57). */
    readonly pgtblAddr: bigint,
    readonly addrWidth: number,
  ) {
    this.guest = new Stage2Memory(parent, phys);
    const format = new X86_64Format(addrWidth === 57 ? 5 : 4);
    this.table = new RadixTable(format, this.guest, pgtblAddr);
    this.rules = new VtdFirstStageRules(format.vaBits);
  }

  describe(): string {
    return `VT-d nested domain (${this.tag}, guest table at GPA ${hex(this.pgtblAddr)}) on the ${this.parent.describe()}`;
  }

  translate(iova: bigint, write: boolean, update: boolean): WalkOutcome {
    const cached = this.iotlb.lookup(this.tag, iova);
    if (cached) {
      const out = answerFromIotlb(cached, iova, write, this.current(iova), () => this.currentSteps(iova), () => this.rules.permission(iova, write, cached.level), this.describe());
      if (update && out.ok) this.iotlb.hits++;
      return out;
    }
    if (update) this.iotlb.misses++;
    const pre = this.rules.input(iova);
    if (pre) return { ok: false, kind: pre.kind, stage: 1, steps: [], detail: pre.detail, record: pre.record };
    const fs = this.walkFirstStage(iova);
    if ('fault' in fs) return fs.fault;
    const { walk } = fs;
    if (!walk.ok) {
      const f = this.rules.stopped(walk, iova);
      return { ok: false, kind: f.kind, level: f.level, stage: 1, steps: walk.steps, detail: `${f.detail} in the guest table of the ${this.describe()}`, record: f.record };
    }
    const grant = this.rules.leaf(walk.leaf, iova, write);
    if ('kind' in grant) return { ok: false, kind: grant.kind, level: grant.level, stage: 1, steps: walk.steps, detail: `${grant.detail} in the guest table`, record: grant.record };
    const s2 = this.parent.translate(walk.leaf.oa, write, update);
    if (!s2.ok) return { ...s2, steps: [...walk.steps, ...s2.steps], detail: `GPA ${hex(walk.leaf.oa)} of IOVA ${hex(iova)}: ${s2.detail}` };
    if (update) {
      // Hardware writes A/D into the guest's entry (a GPA, itself translated through stage 2).
      if (grant.updated !== walk.leaf.descriptor) this.guest.tryStore(walk.leaf.slot, grant.updated);
      // Combined entries are cached at 4K: never larger than either stage's page.
      this.iotlb.insert({ tag: this.tag, iova: iova & ~(PAGE - 1n), pa: s2.pa & ~(PAGE - 1n), size: PAGE, read: true, write: grant.write, level: walk.leaf.level, stage: 1, descriptor: grant.updated });
    }
    return translated(s2.pa, () => [...walk.steps, ...s2.steps]);
  }

  /** intel_nested_cache_invalidate_user: PASID-based IOTLB invalidations, in order. */
  cacheInvalidateUser(array: UserDataArray): { done: number; error?: KernelError } {
    let done = 0;
    try {
      if (array.type !== HWPT_INVALIDATE_DATA_TYPES.vtd_s1) fail('EINVAL', `invalidation data_type 0x${array.type.toString(16)} is not vtd_s1 (0)`);
      for (; done < array.entryNum; done++) {
        const inv = copyStructFromUserArray(array, HWPT_INVALIDATE_DATA_TYPES.vtd_s1, done, VTD_S1_INVALIDATE, '__reserved');
        const addr = inv.get('addr');
        const npages = inv.get('npages');
        if (inv.get('flags') & ~INV_LEAF || inv.get('__reserved') !== 0n) fail('EOPNOTSUPP', `entry ${done}: unknown flags or a non-zero __reserved`);
        if (addr % PAGE !== 0n || (npages === U64_MAX && addr !== 0n)) fail('EINVAL', `entry ${done}: addr ${hex(addr)} is not 4K-aligned, or npages U64_MAX with a non-zero addr`);
        if (npages === U64_MAX) this.iotlb.invalidateTag(this.tag);
        else this.iotlb.invalidateRange(this.tag, addr, npages * PAGE);
      }
    } catch (e) {
      if (e instanceof KernelError) return { done, error: e };
      throw e;
    }
    return { done };
  }

  /** The tables' answer now, without side effects (for stale-hit checks). */
  private current(iova: bigint): CurrentWalk {
    const first = this.lookupFirstStage(iova);
    if (!first?.ok) return {};
    const s2 = this.parent.translate(first.leaf.oa, false, false);
    return s2.ok ? { pa: s2.pa, descriptor: first.leaf.descriptor } : {};
  }

  /** The walk record of the tables' answer now: the guest's walk, then stage 2 of its output when that translates. */
  private currentSteps(iova: bigint): WalkStep[] {
    const first = this.walkFirstStage(iova);
    if ('fault' in first) return first.fault.steps;
    if (!first.walk.ok) return first.walk.steps;
    const s2 = this.parent.translate(first.walk.leaf.oa, false, false);
    return s2.ok ? [...first.walk.steps, ...s2.steps] : first.walk.steps;
  }

  /** The guest's walk without its record; undefined when fetching a table faults at stage 2. */
  private lookupFirstStage(iova: bigint): PtLookup | undefined {
    try {
      return this.table.lookup(iova);
    } catch (e) {
      if (!(e instanceof StageTwoFetchFault)) throw e;
      return undefined;
    }
  }

  private walkFirstStage(iova: bigint): { walk: PtWalk } | { fault: WalkOutcome & { ok: false } } {
    try {
      return { walk: this.table.walk(iova, 1) };
    } catch (e) {
      if (!(e instanceof StageTwoFetchFault)) throw e;
      const f = e.outcome;
      return { fault: { ...f, detail: `fetching the guest table at GPA ${hex(e.gpa)} for IOVA ${hex(iova)}: ${f.detail}` } };
    }
  }
}
