// The anonymous file of an event queue object (iommufd_eventq_init and
// iommufd_eventq_fops_release): a FAULT's `[iommufd-pgfault]` or a VEVENTQ's
// `[iommufd-viommu-event]`. While open it holds +1 users on its object and a
// reference on the iommufd file, so neither the object can be destroyed nor
// the iommufd released until it is closed.
import { fail } from '../errno.js';
import type { FdEntry } from '../host.js';
import type { IommufdFile } from './iommufd-file.js';
import type { IommufdObject } from './object.js';
import type { Ucmd } from './ucmd.js';

/** Where fd numbers come from: the VMM's fd table (Host). */
export interface FdSpace {
  allocFd(name: string, entry: FdEntry): number;
  freeFd(name: string): void;
}

export class EventFd {
  /** The fd number while open. */
  private fdNo?: number;
  /** Its name in the VMM's fd table (unique while open: the object's id is). */
  private fdName = '';

  constructor(
    private readonly file: IommufdFile,
    private readonly obj: IommufdObject,
    private readonly anonName: string,
  ) {}

  /** Installs the fd at the lowest free number, once the object has its id (O_CLOEXEC changes nothing here). */
  open(): number {
    const space = this.file.fdSpace;
    if (!space) throw new Error(`iommufd ${this.file.name} has no fd table to install ${this.anonName} in`);
    this.file.phys.faults.check('event fd allocation');
    this.fdName = `${this.file.name}:${this.anonName}:${this.obj.id}`;
    this.fdNo = space.allocFd(this.fdName, { kind: 'other', what: this.anonName });
    this.obj.users++;
    this.file.get();
    return this.fdNo;
  }

  get isOpen(): boolean {
    return this.fdNo !== undefined;
  }

  /** EBADF once closed: read()/write() on it are calls on a closed fd. */
  checkOpen(): void {
    if (this.fdNo === undefined) fail('EBADF', `the ${this.anonName} fd of ${this.obj.type} ${this.obj.id} is closed`);
  }

  /** close(): the object loses the fd's reference and the iommufd its file reference (maybe releasing it). */
  close(): void {
    this.checkOpen();
    this.file.fdSpace!.freeFd(this.fdName);
    this.fdNo = undefined;
    this.obj.users--;
    this.file.put();
  }
}

/**
 * The end of FAULT_QUEUE_ALLOC and VEVENTQ_ALLOC, as iommufd_eventq_init and
 * its callers do it: the reserved object gets its id written back, then its
 * fd; if the fd cannot be made the object is aborted (its id and whatever it
 * holds are released), else the ioctl responds and the object goes live.
 */
export function publishWithFd(file: IommufdFile, ucmd: Ucmd, obj: IommufdObject & { fd: EventFd }, idField: string, fdField: string): void {
  ucmd.cmd.set(idField, obj.id);
  try {
    ucmd.cmd.set(fdField, obj.fd.open());
  } catch (e) {
    file.objects.abortAndDestroy(obj);
    throw e;
  }
  ucmd.respond();
  file.objects.finalize(obj);
}
