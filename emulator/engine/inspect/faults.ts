// The event queues user space reads as plain data: every FAULT object's
// page-request groups (queued, not read yet; and outstanding, read and
// waiting for a response under their cookie) and every vEVENTQ's queued
// vEVENTs. Read without consuming anything.
import { Fault, type IopfGroup, type PageRequest } from '../iommufd/fault.js';
import { Veventq, VEVENTQ_FLAG_LOST_EVENTS } from '../iommufd/veventq.js';
import type { Machine } from '../machine.js';
import { openIommufds } from './files.js';

export interface FaultGroupInfo {
  /** 0 while queued: a cookie is given when the group is read. */
  cookie: number;
  /** The DEVICE object that raised it. */
  device: number;
  /** The attachment it came through: its HWPT and PASID (undefined: the RID). */
  hwpt: number;
  pasid?: number;
  faults: PageRequest[];
}

export interface FaultQueueInfo {
  fd: string;
  id: number;
  queued: FaultGroupInfo[];
  /** In cookie order. */
  outstanding: FaultGroupInfo[];
}

export interface VeventInfo {
  sequence: number;
  /** The LOST_EVENTS header that stands in for events that did not fit. */
  lost: boolean;
  /** The driver's payload bytes (a plain array, so a snapshot is plain JSON). */
  bytes: number[];
}

export interface VeventqInfo {
  fd: string;
  id: number;
  viommu: number;
  eventType: bigint;
  depth: number;
  queued: VeventInfo[];
}

function groupInfo(g: IopfGroup): FaultGroupInfo {
  const info: FaultGroupInfo = { cookie: g.cookie, device: g.idev.id, hwpt: g.handle.hwpt.id, faults: g.faults.map((f) => ({ ...f })) };
  if (g.handle.pasid !== undefined) info.pasid = g.handle.pasid;
  return info;
}

export function inspectFaultQueues(machine: Machine): FaultQueueInfo[] {
  return openIommufds(machine).flatMap(({ name, file }) =>
    file.objects.live().flatMap((o) => (o instanceof Fault
      ? [{
        fd: name, id: o.id, queued: o.queued.map(groupInfo),
        outstanding: [...o.outstanding].sort(([a], [b]) => a - b).map(([, g]) => groupInfo(g)),
      }]
      : [])));
}

export function inspectVeventqs(machine: Machine): VeventqInfo[] {
  return openIommufds(machine).flatMap(({ name, file }) =>
    file.objects.live().flatMap((o) => (o instanceof Veventq
      ? [{
        fd: name, id: o.id, viommu: o.viommu.id, eventType: o.eventType, depth: o.depth,
        queued: o.queued.map((ev) => ({ sequence: ev.sequence, lost: (ev.flags & VEVENTQ_FLAG_LOST_EVENTS) !== 0, bytes: [...ev.data] })),
      }]
      : [])));
}
