// The FAULT object (struct iommufd_fault, iommufd-reference §3.16, §6.6): a
// queue of I/O page-fault groups that HWPTs allocated with FAULT_ID_VALID
// report into, read and answered through its own fd. A group read gets a
// cookie (lowest free, from 1) and waits for its response; detaching the
// attachment it came from, or destroying the queue, answers it INVALID.
import { fail } from '../errno.js';
import { PAGE_RESPONSE_CODES } from '../uapi/iommufd.js';
import { struct } from '../uapi/layout.js';
import { EventFd, publishWithFd } from './event-fd.js';
import type { IommufdDevice } from './device.js';
import type { Hwpt } from './hwpt.js';
import type { IommufdGroup, Pasid } from './igroup.js';
import type { IommufdFile } from './iommufd-file.js';
import { IommufdObject } from './object.js';
import type { Ucmd } from './ucmd.js';

/** struct iommu_hwpt_pgfault (40 bytes) */
export const HWPT_PGFAULT = struct('iommu_hwpt_pgfault', [
  ['flags', 4], ['dev_id', 4], ['pasid', 4], ['grpid', 4], ['perm', 4], ['__reserved', 4], ['addr', 8], ['length', 4], ['cookie', 4],
]);
/** struct iommu_hwpt_page_response { __u32 cookie; __u32 code; } */
export const PAGE_RESPONSE_SIZE = 8;

/** One page request (struct iommu_fault_page_request). */
export interface PageRequest {
  flags: number;
  pasid: number;
  grpid: number;
  perm: number;
  addr: bigint;
}

/** The attachment a group came through (its attach handle): group, PASID and HWPT. */
export interface FaultHandle {
  igroup: IommufdGroup;
  pasid: Pasid;
  hwpt: Hwpt;
}

/** struct iopf_group: the faults of one request group, up to its LAST_PAGE. */
export interface IopfGroup {
  faults: PageRequest[];
  idev: IommufdDevice;
  handle: FaultHandle;
  cookie: number;
}

/** What read() returns per fault: every field of struct iommu_hwpt_pgfault. */
export interface PgfaultMessage extends PageRequest {
  devId: number;
  length: number;
  cookie: number;
}

export class Fault extends IommufdObject {
  readonly type = 'FAULT';
  readonly fd: EventFd;
  /** fault->common.deliver: groups not read yet, oldest first. */
  private readonly deliver: IopfGroup[] = [];
  /** fault->response: groups read and waiting for their answer, by cookie. */
  private readonly response = new Map<number, IopfGroup>();

  constructor(file: IommufdFile) {
    super();
    this.fd = new EventFd(file, this, '[iommufd-pgfault]');
  }

  /** The groups not read yet, oldest first (for inspection). */
  get queued(): readonly IopfGroup[] {
    return this.deliver;
  }

  /** The groups read and not answered yet, by cookie (for inspection). */
  get outstanding(): ReadonlyMap<number, IopfGroup> {
    return this.response;
  }

  /** iommufd_fault_iopf_handler: a complete group arrives. */
  enqueue(group: IopfGroup): void {
    this.deliver.push(group);
  }

  /** read(): ESPIPE unless `count` is a multiple of 40; whole groups that fit, each getting a cookie. */
  read(count: number): PgfaultMessage[] {
    this.fd.checkOpen();
    if (count % HWPT_PGFAULT.size !== 0) fail('ESPIPE', `count ${count} is not a multiple of ${HWPT_PGFAULT.size}`);
    const out: PgfaultMessage[] = [];
    while (this.deliver.length > 0) {
      const group = this.deliver[0]!;
      if ((out.length + group.faults.length) * HWPT_PGFAULT.size > count) break;
      this.deliver.shift();
      group.cookie = this.freeCookie();
      this.response.set(group.cookie, group);
      for (const f of group.faults) out.push({ ...f, devId: group.idev.id, length: 0, cookie: group.cookie });
    }
    return out;
  }

  /**
   * write(): responses in order, stopping at the first bad one (a code other
   * than SUCCESS or INVALID, an unknown cookie); returns the bytes consumed,
   * or that error when none was.
   */
  write(responses: readonly { cookie: bigint; code: bigint }[]): number {
    this.fd.checkOpen();
    let done = 0;
    for (const r of responses) {
      const problem =
        r.code !== PAGE_RESPONSE_CODES.success && r.code !== PAGE_RESPONSE_CODES.invalid
          ? `response code ${r.code} is neither SUCCESS (0) nor INVALID (1)`
          : !this.response.has(Number(r.cookie))
            ? `no fault group waits for cookie ${r.cookie}`
            : undefined;
      if (problem) {
        if (done === 0) fail('EINVAL', problem);
        break;
      }
      this.response.delete(Number(r.cookie));
      done += PAGE_RESPONSE_SIZE;
    }
    return done;
  }

  /** iommufd_auto_response_faults: every group of `handle`, read or not, is answered INVALID. */
  respondInvalid(matches: (h: FaultHandle) => boolean): void {
    for (let i = this.deliver.length - 1; i >= 0; i--) if (matches(this.deliver[i]!.handle)) this.deliver.splice(i, 1);
    for (const [cookie, g] of [...this.response]) if (matches(g.handle)) this.response.delete(cookie);
  }

  override destroy(): void {
    this.deliver.length = 0;
    this.response.clear();
  }

  /** xa_alloc with XA_FLAGS_ALLOC1: the lowest free cookie from 1. */
  private freeCookie(): number {
    let c = 1;
    while (this.response.has(c)) c++;
    return c;
  }
}

/** IOMMU_FAULT_QUEUE_ALLOC. */
export function faultQueueAllocIoctl(file: IommufdFile, ucmd: Ucmd): void {
  const cmd = ucmd.cmd;
  if (cmd.get('flags') !== 0n) fail('EOPNOTSUPP', `flags 0x${cmd.get('flags').toString(16)} are not zero`);
  const fault = new Fault(file);
  file.objects.reserve(fault);
  publishWithFd(file, ucmd, fault, 'out_fault_id', 'out_fault_fd');
}

/**
 * Detach (or replace) left the attachment `handle`: the groups it raised in
 * `hwpt`'s fault queue are answered INVALID. Replace passes the new HWPT
 * with the old handle, as the kernel does (its quirk, §4.2).
 */
export function autoRespondFaults(hwpt: Hwpt, handle: FaultHandle): void {
  if (!(hwpt.fault instanceof Fault)) return;
  hwpt.fault.respondInvalid((h) => h.igroup === handle.igroup && h.pasid === handle.pasid && h.hwpt === handle.hwpt);
}
