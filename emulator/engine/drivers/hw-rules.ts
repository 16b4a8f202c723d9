// What a hardware model decides about one translation, given the structural
// walk of its page-table format: which fault (in the order the hardware
// checks), with the model's own record fields, and what the hardware writes
// back (access flag, dirty state). One set of rules per model and stage:
// drivers/smmuv3/smmuv3-rules.ts, drivers/vtd/vtd-rules.ts.
import type { FaultKind, FaultRecord } from '../machine-api.js';
import type { PtLeaf, PtLookup } from '../pgtable/radix-table.js';

export interface HwFault {
  kind: FaultKind;
  level?: number;
  detail: string;
  /** The model's record fields: event id or fault reason, CLASS, S2, IPA. */
  record: Partial<FaultRecord>;
}

/** A leaf that allows the access: its permissions and the descriptor after hardware updates. */
export interface LeafGrant {
  read: boolean;
  write: boolean;
  updated: bigint;
}

export interface HwRules {
  /** 1 or 2: the stage this table is walked as. */
  readonly stage: number;
  /** Checks made before the walk (canonical form, address width); undefined: walk. */
  input(iova: bigint, write: boolean): HwFault | undefined;
  /** The fault for a walk that stopped. */
  stopped(walk: PtLookup & { ok: false }, iova: bigint, write: boolean): HwFault;
  /** Access flag, permission and address-size checks on the leaf; `dirtyTracking` arms hardware dirty updates. */
  leaf(leaf: PtLeaf, iova: bigint, write: boolean, dirtyTracking: boolean): HwFault | LeafGrant;
  /** The permission fault for an access the leaf (or a cached copy of it) does not allow. */
  permission(iova: bigint, write: boolean, level: number): HwFault;
  /** The leaf's dirty state as the kernel's read_and_clear_dirty sees it, and the cleaned descriptor. */
  isDirty(e: bigint): boolean;
  clean(e: bigint): bigint;
}

export const hex = (v: bigint): string => `0x${v.toString(16)}`;
