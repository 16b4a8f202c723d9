// The fds of event queues (trace-language §3, §7): read() and write() on a
// FAULT's fd, read() on a VEVENTQ's, and closing either. The statement
// names the queue by its object id; results are lists of records, one per
// `struct iommu_hwpt_pgfault` or vEVENT.
import { fail } from '../../engine/errno.js';
import type { PageFaultMessage, VeventMessage } from '../../engine/machine-api.js';
import { PAGE_RESPONSE_CODES, VEVENTQ_TYPES } from '../../engine/uapi/iommufd.js';
import type { StructDef } from '../../engine/uapi/layout.js';
import { struct } from '../../engine/uapi/layout.js';
import { decodeFields } from '../marshal.js';
import { bytes, list, record, type Value } from '../values.js';
import { ok, type CommandContext, type CommandHandler } from './context.js';

/** sizeof(struct iommu_hwpt_pgfault) */
const PGFAULT_SIZE = 40n;
/** Without `count`, read() asks for this many records' worth. */
const DEFAULT_READ_RECORDS = 256n;
/** Without `count`, a vEVENTQ read() asks for this many bytes. */
const DEFAULT_VEVENT_BYTES = 4096n;

/** The vEVENT payloads that `.data` decodes into fields, by queue type. */
const VEVENT_DATA: ReadonlyMap<bigint, StructDef> = new Map([
  [VEVENTQ_TYPES.selftest, struct('iommu_viommu_event_selftest', [['virt_id', 4]])],
  // The raw 32-byte SMMUv3 event record, its StreamID the guest's vSID.
  [VEVENTQ_TYPES.arm_smmuv3, struct('iommu_vevent_arm_smmuv3', [['evt0', 8], ['evt1', 8], ['evt2', 8], ['evt3', 8]])],
]);

/** The queue a statement names, in the iommufd its ids resolve in (the fd outlives a closed iommufd). */
function queue(ctx: CommandContext, key: string): { fd: string; id: bigint } {
  const fd = ctx.args.word('iommufd') ?? ctx.machine.queryIommufd() ?? fail('EBADF', 'no iommufd was ever opened');
  return { fd, id: ctx.args.required(key) };
}

function faultRecord(f: PageFaultMessage): Value {
  return record([
    ['flags', BigInt(f.flags)],
    ['dev_id', BigInt(f.devId)],
    ['pasid', BigInt(f.pasid)],
    ['grpid', BigInt(f.grpid)],
    ['perm', BigInt(f.perm)],
    ['addr', f.addr],
    ['length', BigInt(f.length)],
    ['cookie', BigInt(f.cookie)],
  ]);
}

function veventRecord(type: bigint, ev: VeventMessage): Value {
  const fields: [string, Value][] = [['flags', BigInt(ev.flags)], ['sequence', BigInt(ev.sequence)]];
  if (ev.data.length > 0) {
    const layout = VEVENT_DATA.get(type);
    fields.push(['data', layout ? record(decodeFields(layout, ev.data)) : bytes(ev.data)]);
  }
  return record(fields);
}

const faultRead: CommandHandler = (ctx) => {
  const { fd, id } = queue(ctx, 'fault_id');
  const count = ctx.args.int('count') ?? PGFAULT_SIZE * DEFAULT_READ_RECORDS;
  return ok(list(ctx.machine.faultRead(fd, id, Number(count)).map(faultRecord)));
};

/** One `struct iommu_hwpt_page_response {cookie, code}` written (code default success). */
const faultRespond: CommandHandler = (ctx) => {
  const { fd, id } = queue(ctx, 'fault_id');
  const response = { cookie: ctx.args.required('cookie'), code: ctx.args.int('code') ?? PAGE_RESPONSE_CODES.success };
  ctx.machine.faultRespond(fd, id, [response]);
  return ok();
};

const faultClose: CommandHandler = (ctx) => {
  const { fd, id } = queue(ctx, 'fault_id');
  ctx.machine.faultClose(fd, id);
  return ok();
};

const veventqRead: CommandHandler = (ctx) => {
  const { fd, id } = queue(ctx, 'veventq_id');
  const count = ctx.args.int('count') ?? DEFAULT_VEVENT_BYTES;
  const { type, events } = ctx.machine.veventqRead(fd, id, Number(count));
  return ok(list(events.map((ev) => veventRecord(type, ev))));
};

const veventqClose: CommandHandler = (ctx) => {
  const { fd, id } = queue(ctx, 'veventq_id');
  ctx.machine.veventqClose(fd, id);
  return ok();
};

export const EVENT_COMMANDS: Record<string, CommandHandler> = {
  fault_read: faultRead,
  fault_respond: faultRespond,
  fault_close: faultClose,
  veventq_read: veventqRead,
  veventq_close: veventqClose,
};
