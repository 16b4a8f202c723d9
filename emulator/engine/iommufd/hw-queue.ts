// The HW_QUEUE object (struct iommufd_hw_queue, iommufd-reference §6.5): a
// guest queue (e.g. a command queue) the hardware reads by physical address
// from the nesting parent's memory. An internal ACCESS pins its pages, so
// IOAS_UNMAP of them is EBUSY while the queue exists; they must be
// physically contiguous. A driver may make one queue depend on another.
import type { HwQueueCore } from '../core/viommu-ops.js';
import { fail } from '../errno.js';
import { HW_QUEUE_TYPES } from '../uapi/iommufd.js';
import { createInternalAccess, type Access } from './access.js';
import type { IommufdFile } from './iommufd-file.js';
import { IommufdObject } from './object.js';
import { PAGE } from './pages.js';
import { hex, lastOf } from './u64.js';
import type { Ucmd } from './ucmd.js';
import type { Viommu } from './viommu.js';

export class HwQueue extends IommufdObject implements HwQueueCore {
  readonly type = 'HW_QUEUE';
  access?: Access;
  /** Set once the driver's init succeeded: its teardown runs on destroy. */
  initialized = false;
  private held = false;

  constructor(
    private readonly file: IommufdFile,
    readonly viommu: Viommu,
    readonly baseAddr: bigint,
    readonly length: bigint,
  ) {
    super();
  }

  depend(on: HwQueueCore): void {
    (on as HwQueue).users++;
  }

  undepend(on: HwQueueCore): void {
    (on as HwQueue).users--;
  }

  /** Takes the vIOMMU reference (only once the queue's memory is pinned). */
  holdViommu(): void {
    this.viommu.users++;
    this.held = true;
  }

  override destroy(): void {
    if (this.initialized) this.viommu.driverOps.hwQueueDestroy?.(this);
    if (this.access) destroyQueueAccess(this.file, this.access, this.baseAddr, this.length);
    if (this.held) this.viommu.users--;
  }
}

/** The page-rounded range that holds [iova, iova + length). */
function pageSpan(iova: bigint, length: bigint): { start: bigint; length: bigint } {
  const start = iova & ~(PAGE - 1n);
  return { start, length: ((iova - start + length + PAGE - 1n) / PAGE) * PAGE };
}

/** iommufd_hw_queue_destroy_access: unpin, detach and destroy the internal access. */
function destroyQueueAccess(file: IommufdFile, access: Access, iova: bigint, length: bigint): void {
  const span = pageSpan(iova, length);
  access.unpin(span.start, span.length);
  file.objects.removeByKernel(access);
}

/**
 * iommufd_hw_queue_alloc_phys: an internal access on the parent's IOAS pins
 * the queue's pages (ENOENT where nothing is mapped); they must be
 * physically contiguous (EFAULT). Returns the access and the queue's
 * physical address.
 */
function allocPhys(file: IommufdFile, viommu: Viommu, iova: bigint, length: bigint): { access: Access; basePa: bigint } {
  const span = pageSpan(iova, length);
  const access = createInternalAccess(file, viommu.hwpt.ioas);
  try {
    access.pin(span.start, span.length, false);
  } catch (e) {
    file.objects.removeByKernel(access);
    throw e;
  }
  const domain = viommu.hwpt.domain;
  const first = domain.iovaToPhys(span.start)!;
  for (let off = PAGE; off < span.length; off += PAGE) {
    if (domain.iovaToPhys(span.start + off) !== first + off) {
      destroyQueueAccess(file, access, iova, length);
      fail('EFAULT', `the queue's pages are not physically contiguous at ${hex(span.start + off)}`);
    }
  }
  return { access, basePa: first + (iova - span.start) };
}

/** IOMMU_HW_QUEUE_ALLOC. */
export function hwQueueAllocIoctl(file: IommufdFile, ucmd: Ucmd): void {
  const cmd = ucmd.cmd;
  const type = cmd.get('type');
  const iova = cmd.get('nesting_parent_iova');
  const length = cmd.get('length');
  if (cmd.get('flags') !== 0n) fail('EOPNOTSUPP', `flags 0x${cmd.get('flags').toString(16)} are not zero`);
  if (type === HW_QUEUE_TYPES.default) fail('EOPNOTSUPP', 'type 0 is IOMMU_HW_QUEUE_TYPE_DEFAULT, which cannot be allocated');
  if (length === 0n) fail('EINVAL', 'length is 0');
  if (lastOf(iova, length) === undefined) fail('EOVERFLOW', `nesting_parent_iova ${hex(iova)} + length ${hex(length)} overflows`);
  const viommu = file.objects.get<Viommu>(cmd.get('viommu_id'), 'VIOMMU');
  const ops = viommu.driverOps;
  if (!ops.hwQueueSupported || !ops.hwQueueInit || !ops.hwQueueSupported(type)) {
    fail('EOPNOTSUPP', `vIOMMU ${viommu.id} has no HW queues of type 0x${type.toString(16)}`);
  }
  const queue = new HwQueue(file, viommu, iova, length);
  file.objects.reserve(queue);
  try {
    const { access, basePa } = allocPhys(file, viommu, iova, length);
    queue.access = access;
    queue.holdViommu();
    ops.hwQueueInit(queue, cmd.num('index'), basePa);
    queue.initialized = true;
  } catch (e) {
    file.objects.abortAndDestroy(queue);
    throw e;
  }
  cmd.set('out_hw_queue_id', queue.id);
  ucmd.respond();
  file.objects.finalize(queue);
}
