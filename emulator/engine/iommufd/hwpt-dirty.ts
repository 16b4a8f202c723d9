// IOMMU_HWPT_SET_DIRTY_TRACKING and IOMMU_HWPT_GET_DIRTY_BITMAP
// (iommufd-reference §3.13-3.14): dirty tracking of a paging HWPT's domain.
import { domainGranule } from '../core/domain.js';
import { MockPagingDomain } from '../drivers/mock/mock-paging-domain.js';
import { fail } from '../errno.js';
import { DIRTY_TRACKING_FLAGS, GET_DIRTY_BITMAP_FLAGS } from '../uapi/iommufd.js';
import { readLE, writeLE } from '../uapi/layout.js';
import type { IommufdCtx } from './context.js';
import type { HwptPaging } from './hwpt.js';
import type { IommufdFile } from './iommufd-file.js';
import type { Ucmd } from './ucmd.js';

const U64 = 1n << 64n;

function hex(v: bigint): string {
  return `0x${v.toString(16)}`;
}

export function setDirtyTrackingIoctl(file: IommufdFile, ucmd: Ucmd): void {
  const cmd = ucmd.cmd;
  const flags = cmd.get('flags');
  if (flags & ~DIRTY_TRACKING_FLAGS.enable) fail('EOPNOTSUPP', `unknown flags ${hex(flags & ~DIRTY_TRACKING_FLAGS.enable)}`);
  const hwpt = file.objects.get<HwptPaging>(cmd.get('hwpt_id'), 'HWPT_PAGING');
  if (!hwpt.domain.dirtyOps) fail('EOPNOTSUPP', `HWPT ${hwpt.id} was not allocated with dirty_tracking`);
  hwpt.domain.setDirtyTracking((flags & DIRTY_TRACKING_FLAGS.enable) !== 0n);
}

export function getDirtyBitmapIoctl(file: IommufdFile, ucmd: Ucmd): void {
  const cmd = ucmd.cmd;
  const flags = cmd.get('flags');
  if (flags & ~GET_DIRTY_BITMAP_FLAGS.no_clear) fail('EOPNOTSUPP', `unknown flags ${hex(flags & ~GET_DIRTY_BITMAP_FLAGS.no_clear)}`);
  if (cmd.get('__reserved') !== 0n) fail('EOPNOTSUPP', '__reserved is not zero');
  const hwpt = file.objects.get<HwptPaging>(cmd.get('hwpt_id'), 'HWPT_PAGING');
  const iova = cmd.get('iova');
  const length = cmd.get('length');
  const pageSize = cmd.get('page_size');
  const last = iova + ((length - 1n + U64) % U64);
  if (last >= U64) fail('EOVERFLOW', `iova ${hex(iova)} + length ${hex(length)} overflows`);
  const align = hwpt.ioas.iopt.iovaAlignment;
  if (iova % align !== 0n || (last + 1n) % align !== 0n) fail('EINVAL', `the range is not aligned to the IOAS alignment ${hex(align)}`);
  if (pageSize === 0n) fail('EINVAL', 'page_size is 0');
  if (iova % pageSize !== 0n || (last + 1n) % pageSize !== 0n) fail('EINVAL', `the range is not aligned to page_size ${hex(pageSize)}`);
  const domain = hwpt.domain;
  if (!domain.dirtyOps) fail('EOPNOTSUPP', `HWPT ${hwpt.id} was not allocated with dirty_tracking`);

  const keep = (flags & GET_DIRTY_BITMAP_FLAGS.no_clear) !== 0n;
  const granule = domainGranule(domain);
  const bits = (last - iova + 1n) / pageSize;
  const words = Number((bits + 63n) / 64n);
  // The kernel only sets bits in the caller's buffer (iova_bitmap): others keep their value.
  const addr = cmd.get('data');
  const bitmap = file.process.read(addr, words * 8);
  file.phys.faults.check('dirty bitmap allocation');
  for (const d of domain.readAndClearDirty(iova, last - iova + 1n, keep)) {
    const first = (d < iova ? 0n : d - iova) / pageSize;
    const end = d + granule - 1n > last ? last : d + granule - 1n;
    for (let b = first; b <= (end - iova) / pageSize; b++) {
      const w = Number(b / 64n);
      writeLE(bitmap, w * 8, 8, readLE(bitmap, w * 8, 8) | (1n << (b % 64n)));
    }
  }
  file.process.write(addr, bitmap);
}

/** IOMMU_TEST_OP_DIRTY (iommufd_test.h) */
export const IOMMU_TEST_OP_DIRTY = 13;

/**
 * The selftest's DIRTY op: `id` = a mock HWPT_PAGING with tracking on; the
 * union holds {flags, iova (b), length (c), page_size (d), uptr (e),
 * out_nr_dirty (f)}. Marks the leaf at the start of every page whose bit is
 * set in the user bitmap, as a device write would.
 */
export function testDirtyOp(ctx: IommufdCtx, ucmd: Ucmd): void {
  const cmd = ucmd.cmd;
  const iova = cmd.get('b');
  const length = cmd.get('c');
  const pageSize = cmd.get('d');
  const uptr = cmd.get('e');
  if (pageSize === 0n || length === 0n || iova % pageSize !== 0n || length % pageSize !== 0n || uptr === 0n) {
    fail('EINVAL', 'page_size, length and the bitmap must be non-zero and iova/length multiples of page_size');
  }
  const hwpt = ctx.objects.get<HwptPaging>(cmd.get('id'), 'HWPT_PAGING');
  const domain = hwpt.domain;
  if (!(domain instanceof MockPagingDomain)) fail('EINVAL', `HWPT ${hwpt.id} is not a mock paging domain`);
  if (!domain.dirtyTracking) fail('EINVAL', `dirty tracking is not enabled on HWPT ${hwpt.id}`);
  const pages = length / pageSize;
  const bitmap = ctx.process.read(uptr, Number((pages + 7n) / 8n));
  let count = 0;
  for (let i = 0n; i < pages; i++) {
    if ((bitmap[Number(i / 8n)]! & (1 << Number(i % 8n))) === 0) continue;
    domain.markDirty(iova + i * pageSize);
    count++;
  }
  cmd.set('f', count);
  ucmd.respond();
}
