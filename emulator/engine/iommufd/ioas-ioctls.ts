// The IOAS ioctls of /dev/iommu (iommufd-reference §3.1-3.7, 3.10), each in
// the kernel's check order, plus the table of every handler this part of the
// engine provides (OPTION, VFIO_IOAS and TEST_CMD live in their own files).
import { IOMMU_CACHE, IOMMU_READ, IOMMU_WRITE } from '../core/domain.js';
import { fail } from '../errno.js';
import { IOAS_MAP_FLAGS } from '../uapi/iommufd.js';
import { readLE, writeLE } from '../uapi/layout.js';
import type { IommufdCtx } from './context.js';
import type { Interval } from './interval-list.js';
import { getIoas, Ioas } from './ioas.js';
import { IoPages } from './pages.js';
import { iommuOption } from './option.js';
import { iommuTestCmd } from './test-ops.js';
import { hex, lastOf, U64_MAX } from './u64.js';
import type { Ucmd } from './ucmd.js';
import { iommuVfioIoas } from './vfio-ioas.js';

export type IoasHandler = (ctx: IommufdCtx, ucmd: Ucmd) => void;

// MAP flags as numbers: the field is a __u32, read with `num`, so a MAP
// makes no BigInt for its flag tests.
const FIXED_IOVA = Number(IOAS_MAP_FLAGS.fixed_iova);
const WRITEABLE = Number(IOAS_MAP_FLAGS.writeable);
const READABLE = Number(IOAS_MAP_FLAGS.readable);
const MAP_FLAGS = FIXED_IOVA | WRITEABLE | READABLE;
/** sizeof(struct iommu_iova_range) */
const IOVA_RANGE_SIZE = 16;

function ioasAlloc(ctx: IommufdCtx, ucmd: Ucmd): void {
  const cmd = ucmd.cmd;
  if (cmd.get('flags') !== 0n) fail('EOPNOTSUPP', `unknown flags ${hex(cmd.get('flags'))}`);
  const ioas = new Ioas(ctx);
  ctx.objects.reserve(ioas);
  cmd.set('out_ioas_id', ioas.id);
  ucmd.respond();
  ctx.objects.finalize(ioas);
}

function ioasIovaRanges(ctx: IommufdCtx, ucmd: Ucmd): void {
  const cmd = ucmd.cmd;
  if (cmd.get('__reserved') !== 0n) fail('EOPNOTSUPP', '__reserved is not 0');
  const ioas = getIoas(ctx, cmd.get('ioas_id'));
  const max = cmd.num('num_iovas');
  const ptr = cmd.get('allowed_iovas');
  const ranges = ioas.iopt.iovaRanges();
  ranges.slice(0, max).forEach((r, i) => {
    const b = new Uint8Array(IOVA_RANGE_SIZE);
    writeLE(b, 0, 8, r.start);
    writeLE(b, 8, 8, r.last);
    ctx.process.write(ptr + BigInt(i * IOVA_RANGE_SIZE), b);
  });
  cmd.set('num_iovas', ranges.length);
  cmd.set('out_iova_alignment', ioas.iopt.iovaAlignment);
  // The count and alignment reach the caller even when the array was too small.
  ucmd.respond();
  if (ranges.length > max) fail('EMSGSIZE', `${ranges.length} ranges do not fit in num_iovas ${max}`);
}

function ioasAllowIovas(ctx: IommufdCtx, ucmd: Ucmd): void {
  const cmd = ucmd.cmd;
  if (cmd.get('__reserved') !== 0n) fail('EOPNOTSUPP', '__reserved is not 0');
  const ioas = getIoas(ctx, cmd.get('ioas_id'));
  const ptr = cmd.get('allowed_iovas');
  const list: Interval[] = [];
  for (let i = 0; i < cmd.num('num_iovas'); i++) {
    const b = ctx.process.read(ptr + BigInt(i * IOVA_RANGE_SIZE), IOVA_RANGE_SIZE);
    const r = { start: readLE(b, 0, 8), last: readLE(b, 8, 8) };
    if (r.start >= r.last) fail('EINVAL', `allowed range ${i} ${hex(r.start)}..${hex(r.last)} is empty or a single byte`);
    if (list.some((o) => o.start <= r.last && r.start <= o.last)) fail('EINVAL', `allowed range ${i} overlaps an earlier one`);
    list.push(r);
  }
  ioas.iopt.setAllowed(list);
}

/** The first check MAP, MAP_FILE and COPY make of each of their addresses and lengths. */
function checkBelowUlongMax(name: string, v: bigint): void {
  if (v >= U64_MAX) fail('EOVERFLOW', `${name} ${hex(v)} is not below ULONG_MAX`);
}

/** The IOMMU_* protection of MAP flags, which must ask for read or write (checked after the values). */
function mapProt(flags: number): number {
  if (!(flags & (WRITEABLE | READABLE))) fail('EINVAL', 'neither readable nor writeable');
  // No cache-maintenance uAPI exists, so every mapping is coherent (IOMMU_CACHE).
  let prot = IOMMU_CACHE;
  if (flags & WRITEABLE) prot |= IOMMU_WRITE;
  if (flags & READABLE) prot |= IOMMU_READ;
  return prot;
}

function fixedIova(flags: number, iova: bigint): bigint | undefined {
  return flags & FIXED_IOVA ? iova : undefined;
}

function ioasMap(ctx: IommufdCtx, ucmd: Ucmd): void {
  const cmd = ucmd.cmd;
  const flags = cmd.num('flags');
  if (flags & ~MAP_FLAGS || cmd.num('__reserved') !== 0) fail('EOPNOTSUPP', `unknown flags ${hex(flags)} or __reserved is not 0`);
  const length = cmd.get('length');
  const iova = cmd.get('iova');
  checkBelowUlongMax('iova', iova);
  checkBelowUlongMax('length', length);
  const prot = mapProt(flags);
  const ioas = getIoas(ctx, cmd.num('ioas_id'));
  const uptr = cmd.get('user_va');
  const pages = IoPages.user(ctx.phys, ctx.process, uptr, length, (prot & IOMMU_WRITE) !== 0);
  cmd.set('iova', ioas.iopt.mapSet(pages, length, fixedIova(flags, iova), prot));
  ucmd.respond();
}

function ioasMapFile(ctx: IommufdCtx, ucmd: Ucmd): void {
  const cmd = ucmd.cmd;
  const flags = cmd.num('flags');
  if (flags & ~MAP_FLAGS) fail('EOPNOTSUPP', `unknown flags ${hex(flags)}`);
  const length = cmd.get('length');
  checkBelowUlongMax('iova', cmd.get('iova'));
  checkBelowUlongMax('length', length);
  const prot = mapProt(flags);
  const ioas = getIoas(ctx, cmd.get('ioas_id'));
  const start = cmd.get('start');
  if (length === 0n) fail('EINVAL', 'length is 0');
  if (lastOf(start, length) === undefined) fail('EOVERFLOW', `start ${hex(start)} + length ${hex(length)} overflows`);
  const fd = cmd.num('fd');
  const file = ctx.process.files.get(fd);
  if (!file) fail('EBADF', `fd ${fd} is not an open memfd of process ${ctx.process.name}`);
  const pages = IoPages.file(ctx.phys, ctx.process, file, start, length, (prot & IOMMU_WRITE) !== 0);
  cmd.set('iova', ioas.iopt.mapSet(pages, length, fixedIova(flags, cmd.get('iova')), prot));
  ucmd.respond();
}

function ioasCopy(ctx: IommufdCtx, ucmd: Ucmd): void {
  const cmd = ucmd.cmd;
  const flags = cmd.num('flags');
  if (flags & ~MAP_FLAGS) fail('EOPNOTSUPP', `unknown flags ${hex(flags)}`);
  const length = cmd.get('length');
  checkBelowUlongMax('length', length);
  checkBelowUlongMax('src_iova', cmd.get('src_iova'));
  checkBelowUlongMax('dst_iova', cmd.get('dst_iova'));
  const prot = mapProt(flags);
  const src = getIoas(ctx, cmd.get('src_ioas_id'));
  // The destination shares the source's page sets: nothing is pinned twice.
  const slices = src.iopt.getPages(cmd.get('src_iova'), length);
  const dst = getIoas(ctx, cmd.get('dst_ioas_id'));
  cmd.set('dst_iova', dst.iopt.mapPages(slices, length, fixedIova(flags, cmd.get('dst_iova')), prot));
  ucmd.respond();
}

function ioasUnmap(ctx: IommufdCtx, ucmd: Ucmd): void {
  const cmd = ucmd.cmd;
  const ioas = getIoas(ctx, cmd.num('ioas_id'));
  const iova = cmd.get('iova');
  const length = cmd.get('length');
  let unmapped: bigint;
  if (iova === 0n && length === U64_MAX) {
    unmapped = ioas.iopt.unmapAll();
  } else {
    if (iova >= U64_MAX || length >= U64_MAX) fail('EOVERFLOW', 'iova or length is not below ULONG_MAX');
    if (length === 0n) fail('EINVAL', 'length is 0');
    const last = lastOf(iova, length);
    if (last === undefined) fail('EOVERFLOW', `iova ${hex(iova)} + length ${hex(length)} overflows`);
    unmapped = ioas.iopt.unmapRange(iova, last);
    if (unmapped === 0n) fail('ENOENT', `nothing is mapped in ${hex(iova)}..${hex(last)}`);
  }
  cmd.set('length', unmapped);
  ucmd.respond();
}

function ioasChangeProcess(ctx: IommufdCtx, ucmd: Ucmd): void {
  if (ucmd.cmd.get('__reserved') !== 0n) fail('EOPNOTSUPP', '__reserved is not 0');
  const areas = ctx.objects
    .live()
    .filter((o): o is Ioas => o instanceof Ioas)
    .flatMap((ioas) => ioas.iopt.areas.all().map((area) => ({ ioas, area })));
  const user = areas.find(({ area }) => !area.pages.isFile);
  if (user) fail('EINVAL', `IOAS ${user.ioas.id} maps ${hex(user.area.start)} from user memory, not a memfd`);
  // The caller has no RLIMIT_MEMLOCK limit (trace-language §5): the re-charge cannot fail.
  for (const { area } of areas) area.pages.owner = ctx.process;
}

/** Every ioctl handler of this part of the engine, by uAPI name. */
export const IOAS_HANDLERS: Record<string, IoasHandler> = {
  IOMMU_IOAS_ALLOC: ioasAlloc,
  IOMMU_IOAS_ALLOW_IOVAS: ioasAllowIovas,
  IOMMU_IOAS_COPY: ioasCopy,
  IOMMU_IOAS_IOVA_RANGES: ioasIovaRanges,
  IOMMU_IOAS_MAP: ioasMap,
  IOMMU_IOAS_MAP_FILE: ioasMapFile,
  IOMMU_IOAS_UNMAP: ioasUnmap,
  IOMMU_IOAS_CHANGE_PROCESS: ioasChangeProcess,
  IOMMU_OPTION: iommuOption,
  IOMMU_VFIO_IOAS: iommuVfioIoas,
  IOMMU_TEST_CMD: iommuTestCmd,
};
