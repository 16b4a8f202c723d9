// What an ioctl handler may reach of the iommufd file it was called on
// (struct iommufd_ctx): the id table and the process it charges pins to.
// The machine builds the concrete context; handlers depend only on this.
import type { PhysMem } from '../memory/physmem.js';
import type { Process } from '../memory/process.js';
import type { IommufdObject } from './object.js';
import type { ObjectTable } from './object-table.js';

export interface IommufdCtx {
  /** The fd's name in the trace (`iommufd` for the one open at start). */
  readonly name: string;
  readonly objects: ObjectTable;
  readonly phys: PhysMem;
  /** The caller's mm: user pointers are read from it and pins charged to it. */
  process: Process;
  /** The IOAS set with IOMMU_VFIO_IOAS (the VFIO compatibility container). */
  compatIoas?: IommufdObject;
  /** IOMMU_OPTION RLIMIT_MODE: pins charged to the user (default) or to the mm. */
  accountMode?: 'user' | 'mm';
}
