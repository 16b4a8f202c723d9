// The VEVENTQ object (struct iommufd_veventq, iommufd-reference §6.4): a
// vIOMMU's queue of one event type, read through its own fd. At most
// `depth` events wait; past that a single LOST_EVENTS header stands at the
// tail. Every queued record, the header included, takes the next sequence
// number (wrapping from INT_MAX to 0).
import { fail } from '../errno.js';
import { VEVENTQ_TYPES } from '../uapi/iommufd.js';
import { EventFd, publishWithFd } from './event-fd.js';
import type { IommufdFile } from './iommufd-file.js';
import { IommufdObject } from './object.js';
import type { Ucmd } from './ucmd.js';
import type { Viommu } from './viommu.js';

/** IOMMU_VEVENTQ_FLAG_LOST_EVENTS */
export const VEVENTQ_FLAG_LOST_EVENTS = 1;
/** struct iommufd_vevent_header { __u32 flags; __u32 sequence; } */
export const VEVENT_HEADER_SIZE = 8;
const INT_MAX = 0x7fffffff;

export interface Vevent {
  flags: number;
  sequence: number;
  /** The driver's payload; empty for the LOST_EVENTS header. */
  data: Uint8Array;
}

export class Veventq extends IommufdObject {
  readonly type = 'VEVENTQ';
  readonly fd: EventFd;
  /** eventq->deliver, oldest first. */
  private readonly deliver: Vevent[] = [];
  /** Normal events queued (the lost-events header does not count). */
  private numEvents = 0;
  private sequence = 0;

  constructor(
    file: IommufdFile,
    readonly viommu: Viommu,
    readonly eventType: bigint,
    readonly depth: number,
  ) {
    super();
    this.fd = new EventFd(file, this, '[iommufd-viommu-event]');
  }

  /** iommufd_viommu_report_event into this queue. */
  report(data: Uint8Array): void {
    const full = this.numEvents === this.depth;
    // The lost-events header only ever stands last: a new record replaces it there.
    const last = this.deliver.at(-1);
    if (last && last.flags & VEVENTQ_FLAG_LOST_EVENTS) this.deliver.pop();
    if (!full) this.numEvents++;
    this.deliver.push({ flags: full ? VEVENTQ_FLAG_LOST_EVENTS : 0, sequence: this.sequence, data: full ? new Uint8Array(0) : data.slice() });
    this.sequence = (this.sequence + 1) & INT_MAX;
  }

  /** read(): whole records that fit in `count` bytes, oldest first; 0 records is not an error. */
  read(count: number): Vevent[] {
    this.fd.checkOpen();
    const out: Vevent[] = [];
    let done = 0;
    for (const ev of this.deliver) {
      if (VEVENT_HEADER_SIZE + ev.data.length > count - done) break;
      out.push(ev);
      done += VEVENT_HEADER_SIZE + ev.data.length;
    }
    this.deliver.splice(0, out.length);
    this.numEvents -= out.filter((ev) => (ev.flags & VEVENTQ_FLAG_LOST_EVENTS) === 0).length;
    return out;
  }

  /** The records waiting to be read, oldest first (for inspection). */
  get queued(): readonly Vevent[] {
    return this.deliver;
  }

  get pending(): number {
    return this.deliver.length;
  }

  override destroy(): void {
    this.viommu.veventqs.splice(this.viommu.veventqs.indexOf(this), 1);
    this.deliver.length = 0;
    this.viommu.users--;
  }
}

/** IOMMU_VEVENTQ_ALLOC. */
export function veventqAllocIoctl(file: IommufdFile, ucmd: Ucmd): void {
  const cmd = ucmd.cmd;
  const type = cmd.get('type');
  if (cmd.get('flags') !== 0n || cmd.get('__reserved') !== 0n) fail('EOPNOTSUPP', 'flags or __reserved is not zero');
  if (type === VEVENTQ_TYPES.default) fail('EOPNOTSUPP', 'type 0 is IOMMU_VEVENTQ_TYPE_DEFAULT, which cannot be allocated');
  const depth = cmd.num('veventq_depth');
  if (depth === 0) fail('EINVAL', 'veventq_depth is 0');
  const viommu = file.objects.get<Viommu>(cmd.get('viommu_id'), 'VIOMMU');
  const other = viommu.veventqs.find((q) => q.eventType === type);
  if (other) fail('EEXIST', `vIOMMU ${viommu.id} already has VEVENTQ ${other.id} of type 0x${type.toString(16)}`);
  const q = new Veventq(file, viommu, type, depth);
  file.objects.reserve(q);
  viommu.users++;
  viommu.veventqs.push(q);
  publishWithFd(file, ucmd, q, 'out_veventq_id', 'out_veventq_fd');
}
