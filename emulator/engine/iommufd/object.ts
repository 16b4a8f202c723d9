// The common part of every iommufd object (struct iommufd_object): its id,
// its type and the two counters of reference-counting (iommufd-reference §2.2).

export type ObjectType =
  | 'DEVICE'
  | 'HWPT_PAGING'
  | 'HWPT_NESTED'
  | 'IOAS'
  | 'ACCESS'
  | 'FAULT'
  | 'VIOMMU'
  | 'VDEVICE'
  | 'VEVENTQ'
  | 'HW_QUEUE';

export abstract class IommufdObject {
  abstract readonly type: ObjectType;
  /** Set by the object table when the id is reserved. */
  id = 0;
  /** Starts at 1: the reference owned by the id table. DESTROY needs exactly 1. */
  users = 1;
  /** Starts at 1 (the table's); kernel-initiated destruction waits for it to drain. */
  waitCnt = 1;

  /**
   * Drops every reference this object holds on others and releases what it
   * owns. Called exactly once, after the object left the table.
   */
  abstract destroy(): void;

  /** Hook run before a kernel-initiated removal (e.g. a device tombstoning its vDEVICE). */
  preDestroy(): void {}
}
