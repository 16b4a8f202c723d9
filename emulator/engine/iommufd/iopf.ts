// I/O page faults on their way to user space (iommu_report_device_fault and
// find_fault_handler of io-pgfault.c, iommufd-reference §6.6): a page
// request finds the attachment at its PASID (or, for drivers with a
// user-managed PASID table, the nested HWPT at the RID) and is queued in
// that HWPT's FAULT object. Sources: the selftest's TRIGGER_IOPF, and DMA
// faults of `pri` devices; stage-1 faults under a vIOMMU-nested HWPT become
// vEVENTs instead when the device has no fault queue to ask.
import type { Device } from '../core/device.js';
import { KernelError } from '../errno.js';
import type { FaultRecord } from '../machine-api.js';
import { PGFAULT_FLAGS, PGFAULT_PERMS } from '../uapi/iommufd.js';
import { IommufdDevice } from './device.js';
import { Fault, type PageRequest } from './fault.js';
import { HwptNested, type Hwpt } from './hwpt.js';
import type { Attachment, Pasid } from './igroup.js';
import { IommufdFile } from './iommufd-file.js';
import type { TestOp } from './test-ops.js';
import { Viommu } from './viommu.js';

/** IOMMU_TEST_OP_TRIGGER_IOPF */
export const IOMMU_TEST_OP_TRIGGER_IOPF = 15;
/** A page request names a 4 KiB page. */
const PRI_PAGE_MASK = ~0xfffn;
/** PCI PRI's Page Request Group Index is 9 bits. */
const PRG_INDEX_LIMIT = 512;

/** find_fault_handler: the attachment whose HWPT handles a request at `pasid` (undefined: the RID). */
function faultAttachment(idev: IommufdDevice, pasid: Pasid): { att: Attachment; at: Pasid } | undefined {
  const ig = idev.igroup;
  const att = ig.attachments.get(pasid);
  if (att) return { att, at: pasid };
  const rid = ig.attachments.get(undefined);
  if (pasid !== undefined && idev.dev.iommu.driver.userPasidTable && rid?.hwpt.type === 'HWPT_NESTED') return { att: rid, at: undefined };
  return undefined;
}

/** iommu_report_device_fault for a page request: queued (true) or dropped (no handler, no fault queue). */
export function reportPageRequest(idev: IommufdDevice, req: PageRequest): boolean {
  const pasid = req.flags & Number(PGFAULT_FLAGS.pasid_valid) ? req.pasid : undefined;
  const found = faultAttachment(idev, pasid);
  const fault = found?.att.hwpt.fault;
  if (!found || !(fault instanceof Fault)) return false;
  // Every source sets LAST_PAGE, so each request is a complete group of one.
  fault.enqueue({ faults: [req], idev, handle: { igroup: idev.igroup, pasid: found.at, hwpt: found.att.hwpt }, cookie: 0 });
  return true;
}

/** TRIGGER_IOPF { u32 dev_id, pasid, grpid, perm; u64 addr }: always LAST_PAGE, PASID_VALID unless pasid is 0. */
export const triggerIopfOp: TestOp = (ctx, ucmd) => {
  const a = ucmd.cmd.get('a');
  const b = ucmd.cmd.get('b');
  const idev = ctx.objects.get<IommufdDevice>(a & 0xffffffffn, 'DEVICE');
  const pasid = Number(a >> 32n);
  const flags = PGFAULT_FLAGS.last_page | (pasid !== 0 ? PGFAULT_FLAGS.pasid_valid : 0n);
  // The kernel drops a request nobody handles without telling the caller.
  reportPageRequest(idev, { flags: Number(flags), pasid, grpid: Number(b & 0xffffffffn), perm: Number(b >> 32n), addr: ucmd.cmd.get('c') });
};

/** The bound device behind a machine device: the group's owner is the iommufd it was bound through. */
function boundDevice(dev: Device): IommufdDevice | undefined {
  const owner = dev.group.owner;
  if (!(owner instanceof IommufdFile)) return undefined;
  return owner.objects.live().find((o): o is IommufdDevice => o instanceof IommufdDevice && o.dev === dev);
}

/** Where a DMA fault goes besides the device's record: a page request, a vEVENT, or nowhere. */
export function routeDmaFault(dev: Device, fault: FaultRecord): void {
  const idev = boundDevice(dev);
  if (!idev) return;
  const found = faultAttachment(idev, fault.pasid);
  if (dev.pri && found?.att.hwpt.fault && (fault.kind === 'translation' || fault.kind === 'permission')) {
    const grpid = dev.nextGrpid;
    dev.nextGrpid = (grpid + 1) % PRG_INDEX_LIMIT;
    const flags = PGFAULT_FLAGS.last_page | (fault.pasid !== undefined ? PGFAULT_FLAGS.pasid_valid : 0n);
    const perm = PGFAULT_PERMS.read | (fault.write ? PGFAULT_PERMS.write : 0n);
    reportPageRequest(idev, { flags: Number(flags), pasid: fault.pasid ?? 0, grpid, perm: Number(perm), addr: fault.addr & PRI_PAGE_MASK });
    return;
  }
  if (found && fault.stage === 1) reportStage1Event(found.att.hwpt, dev, fault);
}

/** A stage-1 fault of a vIOMMU-nested HWPT, reported to the vIOMMU's vEVENTQ of the driver's type. */
function reportStage1Event(hwpt: Hwpt, dev: Device, fault: FaultRecord): void {
  const viommu = hwpt instanceof HwptNested ? hwpt.viommu : undefined;
  if (!(viommu instanceof Viommu)) return;
  const ev = viommu.ops?.stage1Event?.({ dev, addr: fault.addr, write: fault.write, pasid: fault.pasid, level: fault.level, record: fault });
  if (!ev) return;
  try {
    viommu.reportEvent(ev.type, ev.data);
  } catch (e) {
    // No vEVENTQ of that type: the event is lost, the fault stays recorded.
    if (!(e instanceof KernelError)) throw e;
  }
}
