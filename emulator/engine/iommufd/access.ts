// ACCESS objects (struct iommufd_access, iommufd-reference §5.6): in-kernel
// CPU users of an IOAS. External ones model the selftest's access driver
// (an mdev-style device): it pins ranges as items, and its unmap callback
// drops every item an IOAS_UNMAP touches. Internal ones (HW queues) lock the
// areas they pin, so UNMAP fails with EBUSY instead.
//
// The functions take the fd's context and mirror MachineApi's access* methods.
import { fail } from '../errno.js';
import { ACCESS_CREATE_FLAGS, ACCESS_RW_FLAGS } from '../uapi/iommufd.js';
import { IOMMU_READ, IOMMU_WRITE } from '../core/domain.js';
import type { IommufdCtx } from './context.js';
import type { ContigPiece, IoptAccess } from './io-pagetable.js';
import { getIoas, type Ioas } from './ioas.js';
import { IommufdObject } from './object.js';
import { PAGE } from './pages.js';
import { hex, lastOf, U64_MAX } from './u64.js';

/** The selftest's ACCESS_RW flags: WRITE, and SLOW_PATH (an internal switch with no visible effect). */
const RW_FLAGS = ACCESS_RW_FLAGS.write | 4n;

/** A pinned range as the driver remembers it (selftest_access_item). */
interface PinItem {
  iova: bigint;
  length: bigint;
}

export class Access extends IommufdObject implements IoptAccess {
  readonly type = 'ACCESS' as const;
  ioas: Ioas | undefined;
  readonly iovaAlignment: bigint;
  private readonly items: PinItem[] = [];

  constructor(
    /** Set for accesses that pin pages (ops->needs_pin_pages). */
    readonly needsPinPages: boolean,
    /** Internal accesses (HW queues) lock what they pin. */
    readonly internal: boolean,
  ) {
    super();
    // The driver that created the access holds a reference until it destroys it.
    this.users++;
    this.iovaAlignment = needsPinPages ? PAGE : 1n;
  }

  /** iommufd_access_change_ioas: moves the access to `ioas` (or detaches it). */
  changeIoas(ioas: Ioas | undefined): void {
    const cur = this.ioas;
    if (cur === ioas) return;
    if (ioas) {
      ioas.iopt.addAccess(this);
      ioas.users++;
    }
    if (cur) {
      // The old IOAS is unmapped from the driver's point of view first.
      this.notifyUnmap(0n, U64_MAX);
      cur.iopt.removeAccess(this);
      cur.users--;
    }
    this.ioas = ioas;
  }

  /** Pins [iova, iova + length) and remembers it as an item (the driver's ACCESS_PAGES). */
  pin(iova: bigint, length: bigint, write: boolean): void {
    this.pinPages(iova, length, write);
    this.items.push({ iova, length });
  }

  /** Unpins the item that pinned exactly [iova, iova + length). */
  unpin(iova: bigint, length: bigint): void {
    const i = this.items.findIndex((it) => it.iova === iova && it.length === length);
    if (i < 0) fail('ENOENT', `access ${this.id} has no pin of ${hex(iova)}+${hex(length)}`);
    this.items.splice(i, 1);
    this.unpinPages(iova, length);
  }

  /** The driver's unmap callback: drops every item intersecting the range. */
  notifyUnmap(iova: bigint, length: bigint): void {
    const last = iova + length - 1n;
    for (const it of [...this.items]) {
      if (iova > it.iova + it.length - 1n || last < it.iova) continue;
      this.items.splice(this.items.indexOf(it), 1);
      this.unpinPages(it.iova, it.length);
    }
  }

  /**
   * iommufd_access_rw: copies `data.length` bytes at `iova` out of the IOAS
   * (or into it with `write`), byte-granular, through pinned or user pages.
   * Not atomic: a write covers the mapped prefix before ENOENT.
   */
  rw(iova: bigint, data: Uint8Array, write: boolean): void {
    const pieces = this.pieces(iova, BigInt(data.length));
    let done = 0;
    for (const p of pieces.pieces) {
      checkProt(p, write);
      const n = Number(p.last - p.cur + 1n);
      p.area.pages.rw(p.area.byteOf(p.cur), data.subarray(done, done + n), write);
      done += n;
    }
    if (!pieces.done) fail('ENOENT', `${hex(iova)}+${hex(data.length)} is not completely mapped`);
  }

  destroy(): void {
    this.changeIoas(undefined);
  }

  /** iommufd_access_pin_pages: all-or-nothing. */
  private pinPages(iova: bigint, length: bigint, write: boolean): void {
    const { pieces, done } = this.pieces(iova, length);
    const pinned: ContigPiece[] = [];
    try {
      pieces.forEach((p, i) => {
        const last = i === pieces.length - 1 && done;
        // Pins are whole CPU pages: each piece must start on a page and, unless it ends the range, end on one.
        if (p.area.byteOf(p.cur) % PAGE !== 0n || (!last && p.area.byteOf(p.area.last) % PAGE !== PAGE - 1n)) {
          fail('EINVAL', `${hex(p.cur)} is not page aligned in its backing pages`);
        }
        checkProt(p, write);
        p.area.pages.addAccess(p.area.indexOf(p.cur), p.area.indexOf(p.last));
        this.countPin(p, 1);
        pinned.push(p);
      });
      if (!done) fail('ENOENT', `${hex(iova)}+${hex(length)} is not completely mapped`);
    } catch (e) {
      for (const p of pinned) this.dropPin(p);
      throw e;
    }
  }

  /** iommufd_access_unpin_pages. */
  private unpinPages(iova: bigint, length: bigint): void {
    if (!this.ioas) return;
    for (const p of this.ioas.iopt.contig(iova, iova + length - 1n).pieces) this.dropPin(p);
  }

  private dropPin(p: ContigPiece): void {
    p.area.pages.removeAccess(p.area.indexOf(p.cur), p.area.indexOf(p.last));
    this.countPin(p, -1);
  }

  private countPin(p: ContigPiece, delta: number): void {
    p.area.numAccesses += delta;
    if (this.internal) p.area.numLocks += delta;
  }

  /** The common checks of pin and rw: length, overflow, an attached IOAS. */
  private pieces(iova: bigint, length: bigint): ReturnType<Ioas['iopt']['contig']> {
    if (length === 0n) fail('EINVAL', 'length is 0');
    const last = lastOf(iova, length);
    if (last === undefined) fail('EOVERFLOW', `iova ${hex(iova)} + length ${hex(length)} overflows`);
    if (!this.ioas) fail('ENOENT', `access ${this.id} is not attached to an IOAS`);
    return this.ioas.iopt.contig(iova, last);
  }
}

function checkProt(p: ContigPiece, write: boolean): void {
  const need = write ? IOMMU_WRITE : IOMMU_READ;
  if ((p.area.prot & need) === 0) {
    fail('EPERM', `area ${hex(p.area.start)}..${hex(p.area.last)} is not ${write ? 'writeable' : 'readable'}`);
  }
}

function getAccess(ctx: IommufdCtx, id: bigint): Access {
  return ctx.objects.get<Access>(id, 'ACCESS');
}

/**
 * Creates an access on IOAS `ioasId` (the selftest's CREATE_ACCESS; flags:
 * needs_pin_pages). The access takes an object id; returns it.
 */
export function accessCreate(ctx: IommufdCtx, ioasId: bigint, flags: bigint): number {
  if (flags & ~ACCESS_CREATE_FLAGS.needs_pin_pages) fail('EOPNOTSUPP', `unknown access flags ${hex(flags)}`);
  const access = new Access((flags & ACCESS_CREATE_FLAGS.needs_pin_pages) !== 0n, false);
  attachNew(ctx, access, () => getIoas(ctx, ioasId));
  return access.id;
}

/**
 * An internal access on `ioas` (iommufd_access_create_internal, for HW
 * queues): it takes an object id, pins with Access.pin and locks what it
 * pins. Destroy it with accessDestroy.
 */
export function createInternalAccess(ctx: IommufdCtx, ioas: Ioas): Access {
  const access = new Access(true, true);
  attachNew(ctx, access, () => ioas);
  return access;
}

/** Finalizes `access` then attaches it; a failed attach destroys it and frees its id. */
function attachNew(ctx: IommufdCtx, access: Access, ioas: () => Ioas): void {
  ctx.objects.add(access);
  try {
    access.changeIoas(ioas());
  } catch (e) {
    ctx.objects.removeByKernel(access);
    throw e;
  }
}

/** The selftest's ACCESS_PAGES: flags `write`; a non-pinning access cannot pin (EOPNOTSUPP). */
export function accessPin(ctx: IommufdCtx, accessId: bigint, iova: bigint, length: bigint, flags: bigint): void {
  if (flags & ~ACCESS_RW_FLAGS.write) fail('EOPNOTSUPP', `unknown pin flags ${hex(flags)}`);
  const access = getAccess(ctx, accessId);
  if (!access.needsPinPages) fail('EOPNOTSUPP', `access ${access.id} was not created with needs_pin_pages`);
  access.pin(iova, length, (flags & ACCESS_RW_FLAGS.write) !== 0n);
}

/** The selftest's DESTROY_ACCESS_PAGES, naming the pin by its range (ENOENT if no such pin). */
export function accessUnpin(ctx: IommufdCtx, accessId: bigint, iova: bigint, length: bigint): void {
  getAccess(ctx, accessId).unpin(iova, length);
}

/**
 * The selftest's ACCESS_RW: returns the bytes read, or with flag `write`
 * stores `data` (zero-padded or cut to `length`) and returns what was written.
 */
export function accessRw(ctx: IommufdCtx, accessId: bigint, iova: bigint, length: bigint, flags: bigint, data?: Uint8Array): Uint8Array {
  if (flags & ~RW_FLAGS) fail('EOPNOTSUPP', `unknown access_rw flags ${hex(flags)}`);
  const access = getAccess(ctx, accessId);
  const buf = new Uint8Array(Number(length));
  if (data) buf.set(data.subarray(0, buf.length));
  access.rw(iova, buf, (flags & ACCESS_RW_FLAGS.write) !== 0n);
  return buf;
}

/** iommufd_access_replace: the old IOAS's unmap callback runs first (ENOENT if detached). */
export function accessReplace(ctx: IommufdCtx, accessId: bigint, ioasId: bigint): void {
  const access = getAccess(ctx, accessId);
  if (!access.ioas) fail('ENOENT', `access ${access.id} is not attached to an IOAS`);
  access.changeIoas(getIoas(ctx, ioasId));
}

/** The driver goes away: its pins are dropped and the object destroyed. */
export function accessDestroy(ctx: IommufdCtx, accessId: bigint): void {
  ctx.objects.removeByKernel(getAccess(ctx, accessId));
}
