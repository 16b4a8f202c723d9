// What the IOMMU core knows of an iommu_domain: its type, which driver made
// it, and how a DMA through it is translated. Paging domains additionally
// implement PagingDomain (domain.ts), which is what io_pagetable fills.
import type { FaultKind, FaultRecord, StaleHit, WalkStep } from '../machine-api.js';
import type { KernelError } from '../errno.js';
import type { PagingDomain } from './domain.js';
import type { UserDataArray } from './iommu-driver.js';

/** The outcome of one hardware walk: an output address, or where and why it stopped. */
export type WalkOutcome =
  | { ok: true; pa: bigint; steps: WalkStep[]; stale?: StaleHit }
  | { ok: false; kind: FaultKind; level?: number; stage?: number; steps: WalkStep[]; detail: string; record?: Partial<FaultRecord> };

export interface IommuDomain {
  /** IOMMU_DOMAIN_BLOCKED, _IDENTITY, _PAGING (DMA-API or UNMANAGED), _NESTED or _SVA. */
  readonly type: 'blocked' | 'identity' | 'paging' | 'nested' | 'sva';
  /** The driver that allocated it (attaching it to another driver's device is EINVAL). */
  readonly driver: object;
  /** True when the domain has dirty-tracking ops (allocated with DIRTY_TRACKING). */
  readonly dirtyOps: boolean;
  /**
   * Translates one access; `write` selects the permission checked. With
   * `update` the walk has the hardware's side effects (access/dirty bits);
   * queries pass false.
   */
  translate(iova: bigint, write: boolean, update: boolean): WalkOutcome;
  /** A short name for reasons and fault details ("blocked domain", "mock paging domain @0x...") */
  describe(): string;
  /**
   * cache_invalidate_user (nested domains): handles the entries in order,
   * stopping at the first bad one; `done` counts the handled entries.
   */
  cacheInvalidateUser?(array: UserDataArray): { done: number; error?: KernelError };
  /**
   * A nested domain whose guest owns the PASID (CD) table translates
   * PASID-tagged DMA itself when nothing is attached at that PASID (SMMUv3:
   * the SubstreamID picks the guest's CD).
   */
  translateSubstream?(pasid: number, iova: bigint, write: boolean, update: boolean): WalkOutcome;
}

/** A paging domain the core can map into (DMA API, iommufd HWPT_PAGING). */
export interface IommuPagingDomain extends IommuDomain, PagingDomain {
  readonly type: 'paging';
  /** Physical address of the top-level table. */
  readonly root: bigint;
  /** The raw descriptor of `iova`'s walk at `level`; undefined if the walk does not reach it. */
  pte(iova: bigint, level: number): bigint | undefined;
  /** Dirty tracking (only when dirtyOps). */
  setDirtyTracking(enable: boolean): void;
  readonly dirtyTracking: boolean;
  /** Reports, and unless `keep` clears, the dirty state of each granule-sized page of [iova, iova+length). */
  readAndClearDirty(iova: bigint, length: bigint, keep: boolean): bigint[];
}

export function isPagingDomain(d: IommuDomain): d is IommuPagingDomain {
  return d.type === 'paging';
}

/** A domain that lets nothing through (the core's blocking domain). */
export class BlockedDomain implements IommuDomain {
  readonly type = 'blocked';
  readonly dirtyOps = false;
  constructor(readonly driver: object) {}

  translate(iova: bigint): WalkOutcome {
    return { ok: false, kind: 'blocked', steps: [], detail: `0x${iova.toString(16)}: the device is on the blocked domain` };
  }

  describe(): string {
    return 'the blocked domain';
  }
}
