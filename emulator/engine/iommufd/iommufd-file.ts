// One open /dev/iommu (struct iommufd_ctx plus its struct file): the object
// table, the iommufd_group records of the devices bound through it, and the
// file's reference count. close() drops the fd's reference; bound devices
// and accesses hold their own, so the release sweep (§2.6) runs when the
// last of them goes.
import type { IommuGroup } from '../core/group.js';
import type { PhysMem } from '../memory/physmem.js';
import type { Process } from '../memory/process.js';
import type { IommufdCtx } from './context.js';
import type { FdSpace } from './event-fd.js';
import { IommufdGroup } from './igroup.js';
import type { IommufdObject } from './object.js';
import { ObjectTable } from './object-table.js';

export class IommufdFile implements IommufdCtx {
  readonly objects: ObjectTable;
  compatIoas?: IommufdObject;
  /** Per iommu_group records, created by the first bind of a device of the group. */
  private readonly groups = new Map<IommuGroup, IommufdGroup>();
  /** The fd's own reference plus one per bound device, access or event fd. */
  private refs = 1;
  /** Set by close(): the fd number is gone, statements naming it get EBADF. */
  closed = false;
  /** Set once the release sweep ran: no object is left. */
  released = false;
  /** The VMM's fd table, for the fds some ioctls return (fault and vEVENT queues). */
  fdSpace?: FdSpace;
  /** Creation counter: auto-domain search walks HWPTs in creation order, not id order. */
  private seq = 0;

  constructor(
    readonly name: string,
    readonly phys: PhysMem,
    public process: Process,
  ) {
    this.objects = new ObjectTable(phys.faults);
  }

  nextSeq(): number {
    return ++this.seq;
  }

  getGroup(group: IommuGroup): IommufdGroup {
    let ig = this.groups.get(group);
    if (!ig) {
      this.phys.faults.check('iommufd group allocation');
      ig = new IommufdGroup(group);
      this.groups.set(group, ig);
    }
    ig.refs++;
    return ig;
  }

  putGroup(ig: IommufdGroup): void {
    if (--ig.refs === 0) this.groups.delete(ig.group);
  }

  /** iommufd_ctx_get: something keeps the file alive past close. */
  get(): void {
    this.refs++;
  }

  /** iommufd_ctx_put: the last reference runs the release. */
  put(): void {
    if (--this.refs === 0) this.release();
  }

  close(): void {
    if (this.closed) throw new Error(`iommufd ${this.name} is already closed`);
    this.closed = true;
    this.put();
  }

  private release(): void {
    // Objects left by a sweep without progress would be a refcount bug (the
    // kernel only warns); the model's references always drain.
    this.objects.releaseAll();
    this.compatIoas = undefined;
    this.released = true;
  }
}
