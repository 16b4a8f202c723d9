// A small iommufd context for calling the IOAS handlers directly: a process
// with memory, the ioctl structs built with StructView, and a fake paging
// domain that records its mappings in a map (granule and aperture chosen by
// the test, mock-like by default).
import { IOMMU_WRITE, type PagingDomain } from '../../emulator/engine/core/domain.js';
import { fail, KernelError } from '../../emulator/engine/errno.js';
import type { IommufdCtx } from '../../emulator/engine/iommufd/context.js';
import type { Ioas } from '../../emulator/engine/iommufd/ioas.js';
import { IOAS_HANDLERS } from '../../emulator/engine/iommufd/ioas-ioctls.js';
import { ObjectTable } from '../../emulator/engine/iommufd/object-table.js';
import { Ucmd } from '../../emulator/engine/iommufd/ucmd.js';
import { PhysMem } from '../../emulator/engine/memory/physmem.js';
import { Process } from '../../emulator/engine/memory/process.js';
import { ioctlDef } from '../../emulator/engine/uapi/iommufd.js';
import { StructView } from '../../emulator/engine/uapi/layout.js';

export const MAX = (1n << 64n) - 1n;
/** Where the tests' 64 KiB VMM buffer `buf` is mapped. */
export const BUF = 0x40000000n;
export const RW = 6n; // writeable | readable
export const FIXED_RW = 7n;

export class TestCtx implements IommufdCtx {
  readonly name = 'iommufd';
  readonly objects = new ObjectTable();
  readonly phys = new PhysMem();
  process = new Process('vmm', this.phys);
  compatIoas?: IommufdCtx['compatIoas'];
  accountMode?: 'user' | 'mm';
}

export type Fields = Record<string, bigint | number>;

/** Runs handler `name` on a struct built from `fields`; returns the output fields or the errno name. */
export function call(ctx: IommufdCtx, name: string, fields: Fields = {}): { errno?: string; reason?: string; out: StructView } {
  const view = StructView.zeroed(ioctlDef(name).struct);
  view.set('size', view.def.size);
  for (const [k, v] of Object.entries(fields)) view.set(k, v);
  const ucmd = new Ucmd(view, view.def.size);
  try {
    IOAS_HANDLERS[name]!(ctx, ucmd);
    return { out: view };
  } catch (e) {
    if (e instanceof KernelError) return { errno: e.errno, reason: e.reason, out: view };
    throw e;
  }
}

/** Like call(), but the errno (or 'ok') only. */
export function errnoOf(ctx: IommufdCtx, name: string, fields: Fields = {}): string {
  return call(ctx, name, fields).errno ?? 'ok';
}

/** Calls a handler that must succeed; returns its outputs. */
export function ok(ctx: IommufdCtx, name: string, fields: Fields = {}): StructView {
  const r = call(ctx, name, fields);
  if (r.errno) throw new Error(`${name} failed: ${r.errno} (${r.reason})`);
  return r.out;
}

/** A context with the 64 KiB buffer at BUF and one IOAS. */
export function ioasSetup(): { ctx: TestCtx; id: number; ioas: Ioas } {
  const ctx = new TestCtx();
  ctx.process.map('buf', 0x10000n, { at: BUF });
  const id = ioasAlloc(ctx);
  return { ctx, id, ioas: ctx.objects.get<Ioas>(id) };
}

/** A context with 2 MiB of 2 MiB-hugepage memory at 0x40000000 and one IOAS with a FakeDomain added. */
export function hugepageSetup(): { ctx: TestCtx; id: number; ioas: Ioas; d: FakeDomain } {
  const ctx = new TestCtx();
  ctx.process.map('huge', 2n << 20n, { at: 0x40000000n, hugepage: 2n << 20n });
  const id = ioasAlloc(ctx);
  const ioas = ctx.objects.get<Ioas>(id);
  const d = new FakeDomain();
  ioas.iopt.addDomain(d, {});
  return { ctx, id, ioas, d };
}

export function ioasAlloc(ctx: IommufdCtx): number {
  return ok(ctx, 'IOMMU_IOAS_ALLOC').num('out_ioas_id');
}

export function map(ctx: IommufdCtx, ioas: number, userVa: bigint, length: bigint, iova?: bigint, flags?: bigint): bigint {
  const f = flags ?? (iova === undefined ? RW : FIXED_RW);
  return ok(ctx, 'IOMMU_IOAS_MAP', { ioas_id: ioas, user_va: userVa, length, iova: iova ?? 0n, flags: f }).get('iova');
}

/** A paging domain that keeps its translations in a map of granule-sized pages. */
export class FakeDomain implements PagingDomain {
  readonly pte = new Map<bigint, { pa: bigint; prot: number }>();
  mapCalls = 0;
  /** Makes map() fail with ENOMEM once this many more calls have succeeded. */
  failAfter?: number;

  constructor(
    readonly granule = 2048n,
    readonly aperture = { start: 0x1000000n, last: 0x7fffffffn },
  ) {}

  get pgsizeBitmap(): bigint {
    return this.granule;
  }

  map(iova: bigint, pa: bigint, size: bigint, prot: number): void {
    if (this.failAfter !== undefined && this.failAfter-- <= 0) fail('ENOMEM', 'fake domain out of memory');
    if (iova % this.granule || pa % this.granule || size % this.granule) throw new Error('unaligned domain map');
    this.mapCalls++;
    for (let o = 0n; o < size; o += this.granule) {
      if (this.pte.has(iova + o)) throw new Error(`double map at ${iova + o}`);
      this.pte.set(iova + o, { pa: pa + o, prot });
    }
  }

  unmap(iova: bigint, size: bigint): bigint {
    let n = 0n;
    for (let o = 0n; o < size; o += this.granule) if (this.pte.delete(iova + o)) n += this.granule;
    return n;
  }

  iovaToPhys(iova: bigint): bigint | undefined {
    const e = this.pte.get(iova - (iova % this.granule));
    return e && e.pa + (iova % this.granule);
  }

  writable(iova: bigint): boolean {
    return ((this.pte.get(iova - (iova % this.granule))?.prot ?? 0) & IOMMU_WRITE) !== 0;
  }
}
