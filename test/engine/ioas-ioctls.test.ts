// IOAS ioctls (iommufd-reference §3.1-3.7, 3.10): every errno rule and its
// place in the check order, called directly on the handlers.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Ioas } from '../../emulator/engine/iommufd/ioas.js';
import { Process } from '../../emulator/engine/memory/process.js';
import { BUF, call, errnoOf, FIXED_RW, ioasAlloc, map, MAX, ok, RW, TestCtx } from './iommufd-fixture.js';

function setup(): { ctx: TestCtx; ioas: number } {
  const ctx = new TestCtx();
  ctx.process.map('buf', 0x10000n, { at: BUF });
  return { ctx, ioas: ioasAlloc(ctx) };
}

describe('IOMMU_IOAS_ALLOC', () => {
  it('returns the lowest free id and rejects flags', () => {
    const ctx = new TestCtx();
    assert.equal(errnoOf(ctx, 'IOMMU_IOAS_ALLOC', { flags: 1 }), 'EOPNOTSUPP');
    assert.equal(ioasAlloc(ctx), 1);
    assert.equal(ioasAlloc(ctx), 2);
    assert.equal(ctx.objects.get(1).users, 1);
  });
});

describe('IOMMU_IOAS_IOVA_RANGES', () => {
  it('reports one range and alignment 1 for a fresh IOAS', () => {
    const { ctx, ioas } = setup();
    const out = ok(ctx, 'IOMMU_IOAS_IOVA_RANGES', { ioas_id: ioas, num_iovas: 4, allowed_iovas: BUF });
    assert.equal(out.num('num_iovas'), 1);
    assert.equal(out.get('out_iova_alignment'), 1n);
    assert.deepEqual(readRanges(ctx, 1), [[0n, MAX]]);
  });

  it('checks __reserved before the id, writes back the total on EMSGSIZE and only the entries that fit', () => {
    const { ctx, ioas } = setup();
    assert.equal(errnoOf(ctx, 'IOMMU_IOAS_IOVA_RANGES', { ioas_id: 99, __reserved: 1 }), 'EOPNOTSUPP');
    assert.equal(errnoOf(ctx, 'IOMMU_IOAS_IOVA_RANGES', { ioas_id: 99 }), 'ENOENT');
    ok(ctx, 'IOMMU_TEST_CMD', { op: 1, id: ioas, a: 0x1000n, b: 0x1000n });
    ctx.process.write(BUF + 16n, new Uint8Array(16).fill(0xee));
    const r = call(ctx, 'IOMMU_IOAS_IOVA_RANGES', { ioas_id: ioas, num_iovas: 1, allowed_iovas: BUF });
    assert.equal(r.errno, 'EMSGSIZE');
    assert.equal(r.out.num('num_iovas'), 2);
    assert.deepEqual(readRanges(ctx, 1), [[0n, 0xfffn]]);
    assert.equal(ctx.process.read(BUF + 16n, 1)[0], 0xee);
  });

  it('fails with EFAULT on an unmapped array', () => {
    const { ctx, ioas } = setup();
    assert.equal(errnoOf(ctx, 'IOMMU_IOAS_IOVA_RANGES', { ioas_id: ioas, num_iovas: 1, allowed_iovas: 0x1000n }), 'EFAULT');
  });
});

function writeRanges(ctx: TestCtx, ranges: [bigint, bigint][]): void {
  const b = new Uint8Array(16 * ranges.length);
  const v = new DataView(b.buffer);
  ranges.forEach(([s, l], i) => {
    v.setBigUint64(i * 16, s, true);
    v.setBigUint64(i * 16 + 8, l, true);
  });
  ctx.process.write(BUF, b);
}

function readRanges(ctx: TestCtx, n: number): [bigint, bigint][] {
  const v = new DataView(ctx.process.read(BUF, 16 * n).buffer);
  return Array.from({ length: n }, (_, i) => [v.getBigUint64(i * 16, true), v.getBigUint64(i * 16 + 8, true)]);
}

describe('IOMMU_IOAS_ALLOW_IOVAS', () => {
  it('rejects __reserved, a one-byte range, overlaps and bad pointers', () => {
    const { ctx, ioas } = setup();
    assert.equal(errnoOf(ctx, 'IOMMU_IOAS_ALLOW_IOVAS', { ioas_id: 99, __reserved: 1 }), 'EOPNOTSUPP');
    assert.equal(errnoOf(ctx, 'IOMMU_IOAS_ALLOW_IOVAS', { ioas_id: 99 }), 'ENOENT');
    writeRanges(ctx, [[0x1000n, 0x1000n]]);
    assert.equal(errnoOf(ctx, 'IOMMU_IOAS_ALLOW_IOVAS', { ioas_id: ioas, num_iovas: 1, allowed_iovas: BUF }), 'EINVAL');
    writeRanges(ctx, [[0x1000n, 0x2fffn], [0x2000n, 0x4000n]]);
    assert.equal(errnoOf(ctx, 'IOMMU_IOAS_ALLOW_IOVAS', { ioas_id: ioas, num_iovas: 2, allowed_iovas: BUF }), 'EINVAL');
    assert.equal(errnoOf(ctx, 'IOMMU_IOAS_ALLOW_IOVAS', { ioas_id: ioas, num_iovas: 1, allowed_iovas: 0x1000n }), 'EFAULT');
  });

  it('keeps the old list when a new range hits a reservation, and clears with num_iovas 0', () => {
    const { ctx, ioas } = setup();
    writeRanges(ctx, [[0n, 0x258000n]]);
    ok(ctx, 'IOMMU_IOAS_ALLOW_IOVAS', { ioas_id: ioas, num_iovas: 1, allowed_iovas: BUF });
    assert.equal(errnoOf(ctx, 'IOMMU_TEST_CMD', { op: 1, id: ioas, a: 0x1000n, b: 0x1000n }), 'EADDRINUSE');
    ok(ctx, 'IOMMU_IOAS_ALLOW_IOVAS', { ioas_id: ioas, num_iovas: 0 });
    ok(ctx, 'IOMMU_TEST_CMD', { op: 1, id: ioas, a: 0x1000n, b: 0x1000n });
    writeRanges(ctx, [[0x100000n, 0x1fffffn]]);
    ok(ctx, 'IOMMU_IOAS_ALLOW_IOVAS', { ioas_id: ioas, num_iovas: 1, allowed_iovas: BUF });
    writeRanges(ctx, [[0n, 0x258000n]]);
    assert.equal(errnoOf(ctx, 'IOMMU_IOAS_ALLOW_IOVAS', { ioas_id: ioas, num_iovas: 1, allowed_iovas: BUF }), 'EADDRINUSE');
    // The previous list still steers automatic allocation.
    assert.equal(map(ctx, ioas, BUF, 0x1000n), 0x100000n);
  });
});

describe('IOMMU_IOAS_MAP', () => {
  it('checks flags and __reserved first, then overflow, then prot, then the id', () => {
    const { ctx, ioas } = setup();
    const base = { ioas_id: ioas, user_va: BUF, length: 0x1000n, flags: RW };
    assert.equal(errnoOf(ctx, 'IOMMU_IOAS_MAP', { ...base, flags: 8n | RW, length: 0n }), 'EOPNOTSUPP');
    assert.equal(errnoOf(ctx, 'IOMMU_IOAS_MAP', { ...base, __reserved: 1, length: MAX }), 'EOPNOTSUPP');
    assert.equal(errnoOf(ctx, 'IOMMU_IOAS_MAP', { ...base, iova: MAX, flags: 0n }), 'EOVERFLOW');
    assert.equal(errnoOf(ctx, 'IOMMU_IOAS_MAP', { ...base, length: MAX, ioas_id: 99 }), 'EOVERFLOW');
    assert.equal(errnoOf(ctx, 'IOMMU_IOAS_MAP', { ...base, flags: 1n, ioas_id: 99 }), 'EINVAL');
    assert.equal(errnoOf(ctx, 'IOMMU_IOAS_MAP', { ...base, ioas_id: 99, length: 0n }), 'ENOENT');
    assert.equal(errnoOf(ctx, 'IOMMU_IOAS_MAP', { ...base, user_va: MAX - 0xfffn }), 'EOVERFLOW');
    assert.equal(errnoOf(ctx, 'IOMMU_IOAS_MAP', { ...base, length: 0n }), 'EINVAL');
    assert.equal(errnoOf(ctx, 'IOMMU_IOAS_MAP', { ...base, length: MAX - 0xfffn, user_va: 0n }), 'EINVAL');
  });

  it('FIXED_IOVA: alignment, overflow, reserved (EINVAL) and existing areas (EEXIST)', () => {
    const { ctx, ioas } = setup();
    map(ctx, ioas, BUF, 0x2000n, 0x10000n);
    const f = { ioas_id: ioas, user_va: BUF, flags: FIXED_RW };
    assert.equal(errnoOf(ctx, 'IOMMU_IOAS_MAP', { ...f, length: 0x2000n, iova: MAX - 0x1000n }), 'EOVERFLOW');
    ok(ctx, 'IOMMU_TEST_CMD', { op: 1, id: ioas, a: 0x20000n, b: 0x1000n });
    assert.equal(errnoOf(ctx, 'IOMMU_IOAS_MAP', { ...f, length: 0x2000n, iova: 0x1f000n }), 'EINVAL');
    for (const [iova, length] of [[0x10000n, 0x2000n], [0x11000n, 0x1000n], [0xf000n, 0x2000n], [0xf000n, 0x3000n]]) {
      assert.equal(errnoOf(ctx, 'IOMMU_IOAS_MAP', { ...f, length, iova }), 'EEXIST');
    }
    // IOVA 0 is a legal FIXED_IOVA.
    assert.equal(map(ctx, ioas, BUF, 0x1000n, 0n), 0n);
  });

  it('maps lazily: unmapped user memory is accepted while no domain exists', () => {
    const { ctx, ioas } = setup();
    assert.equal(map(ctx, ioas, 0x80000000n, 0x1000n), 0x1000n);
    assert.equal(ctx.phys.touchedFrames, 0);
  });

  it('a 1 TiB lazy map costs nothing', () => {
    const { ctx, ioas } = setup();
    assert.equal(map(ctx, ioas, 0x100000000000n, 1n << 40n, 0x100000000000n), 0x100000000000n);
    assert.equal(ctx.phys.touchedFrames, 0);
  });

  it('EPERM does not exist for MAP itself: a read-only mapping is fine', () => {
    const { ctx, ioas } = setup();
    assert.equal(map(ctx, ioas, BUF, 0x1000n, undefined, 4n), 0x1000n);
  });
});

describe('IOMMU_IOAS_MAP_FILE', () => {
  function fileSetup(): { ctx: TestCtx; ioas: number } {
    const s = setup();
    const r = s.ctx.process.map('mfd', 0x4000n, { memfd: true });
    s.ctx.process.files.set(5, r.file!);
    return s;
  }

  it('checks flags, overflow, prot, id, length, start overflow, then the fd', () => {
    const { ctx, ioas } = fileSetup();
    const base = { ioas_id: ioas, fd: 5, start: 0n, length: 0x1000n, flags: RW };
    assert.equal(errnoOf(ctx, 'IOMMU_IOAS_MAP_FILE', { ...base, flags: 0x10n, length: MAX }), 'EOPNOTSUPP');
    assert.equal(errnoOf(ctx, 'IOMMU_IOAS_MAP_FILE', { ...base, length: MAX, flags: 0n }), 'EOVERFLOW');
    assert.equal(errnoOf(ctx, 'IOMMU_IOAS_MAP_FILE', { ...base, flags: 1n, ioas_id: 99 }), 'EINVAL');
    assert.equal(errnoOf(ctx, 'IOMMU_IOAS_MAP_FILE', { ...base, ioas_id: 99, length: 0n }), 'ENOENT');
    assert.equal(errnoOf(ctx, 'IOMMU_IOAS_MAP_FILE', { ...base, length: 0n, fd: 9 }), 'EINVAL');
    assert.equal(errnoOf(ctx, 'IOMMU_IOAS_MAP_FILE', { ...base, start: MAX - 0xffen, fd: 9 }), 'EOVERFLOW');
    assert.equal(errnoOf(ctx, 'IOMMU_IOAS_MAP_FILE', { ...base, fd: 9 }), 'EBADF');
  });

  it('maps a file range; pinning past the end of the file is EINVAL', () => {
    const { ctx, ioas } = fileSetup();
    const out = ok(ctx, 'IOMMU_IOAS_MAP_FILE', { ioas_id: ioas, fd: 5, start: 0x1000n, length: 0x2000n, flags: RW });
    assert.equal(out.get('iova'), 0x1000n); // alignment limited by the file offset, not 8K
    // Lazy: a range past the end is accepted until something pins it.
    ok(ctx, 'IOMMU_IOAS_MAP_FILE', { ioas_id: ioas, fd: 5, start: 0x3000n, length: 0x2000n, iova: 0x100000n, flags: FIXED_RW });
  });
});

describe('IOMMU_IOAS_COPY', () => {
  it('checks flags, overflow of each field, prot, the source id and coverage, then the destination id', () => {
    const { ctx, ioas } = setup();
    map(ctx, ioas, BUF, 0x4000n, 0x10000n);
    const base = { src_ioas_id: ioas, dst_ioas_id: ioas, src_iova: 0x10000n, length: 0x1000n, dst_iova: 0x40000n, flags: FIXED_RW };
    assert.equal(errnoOf(ctx, 'IOMMU_IOAS_COPY', { ...base, flags: 0x8n | FIXED_RW, length: MAX }), 'EOPNOTSUPP');
    for (const k of ['length', 'src_iova', 'dst_iova']) {
      assert.equal(errnoOf(ctx, 'IOMMU_IOAS_COPY', { ...base, [k]: MAX, flags: 1n }), 'EOVERFLOW');
    }
    assert.equal(errnoOf(ctx, 'IOMMU_IOAS_COPY', { ...base, flags: 1n, src_ioas_id: 99 }), 'EINVAL');
    assert.equal(errnoOf(ctx, 'IOMMU_IOAS_COPY', { ...base, src_ioas_id: 99, length: 0n }), 'ENOENT');
    assert.equal(errnoOf(ctx, 'IOMMU_IOAS_COPY', { ...base, length: 0n, dst_ioas_id: 99 }), 'EINVAL');
    assert.equal(errnoOf(ctx, 'IOMMU_IOAS_COPY', { ...base, src_iova: 0xf000n, dst_ioas_id: 99 }), 'ENOENT');
    assert.equal(errnoOf(ctx, 'IOMMU_IOAS_COPY', { ...base, dst_ioas_id: 99 }), 'ENOENT');
    assert.equal(errnoOf(ctx, 'IOMMU_IOAS_COPY', { ...base, dst_iova: 0x10000n }), 'EEXIST');
  });

  it('copies any byte-granular covered sub-range, across contiguous areas', () => {
    const { ctx, ioas } = setup();
    map(ctx, ioas, BUF, 0x1000n, 0x10000n);
    map(ctx, ioas, BUF + 0x1000n, 0x1000n, 0x11000n);
    const dst = ioasAlloc(ctx);
    const out = ok(ctx, 'IOMMU_IOAS_COPY', { src_ioas_id: ioas, dst_ioas_id: dst, src_iova: 0x10803n, length: 0x1000n, dst_iova: 0x803n, flags: FIXED_RW });
    assert.equal(out.get('dst_iova'), 0x803n);
    const io = ctx.objects.get<Ioas>(dst).iopt;
    assert.equal(io.areas.size, 2);
    assert.ok(io.isMapped(0x1802n));
    assert.ok(!io.isMapped(0x1803n));
  });

  it('refuses WRITEABLE on read-only source pages with EPERM', () => {
    const { ctx, ioas } = setup();
    map(ctx, ioas, BUF, 0x1000n, 0x10000n, 5n);
    const base = { src_ioas_id: ioas, dst_ioas_id: ioas, src_iova: 0x10000n, length: 0x1000n, dst_iova: 0x20000n };
    assert.equal(errnoOf(ctx, 'IOMMU_IOAS_COPY', { ...base, flags: FIXED_RW }), 'EPERM');
    ok(ctx, 'IOMMU_IOAS_COPY', { ...base, flags: 5n });
  });
});

describe('IOMMU_IOAS_UNMAP', () => {
  it('checks the id first, then overflow, length 0, end overflow', () => {
    const { ctx, ioas } = setup();
    assert.equal(errnoOf(ctx, 'IOMMU_IOAS_UNMAP', { ioas_id: 99, iova: MAX }), 'ENOENT');
    assert.equal(errnoOf(ctx, 'IOMMU_IOAS_UNMAP', { ioas_id: ioas, iova: MAX, length: 0n }), 'EOVERFLOW');
    assert.equal(errnoOf(ctx, 'IOMMU_IOAS_UNMAP', { ioas_id: ioas, iova: 1n, length: MAX }), 'EOVERFLOW');
    assert.equal(errnoOf(ctx, 'IOMMU_IOAS_UNMAP', { ioas_id: ioas, iova: 1n, length: 0n }), 'EINVAL');
    assert.equal(errnoOf(ctx, 'IOMMU_IOAS_UNMAP', { ioas_id: ioas, iova: 3n, length: MAX - 1n }), 'EOVERFLOW');
    assert.equal(errnoOf(ctx, 'IOMMU_IOAS_UNMAP', { ioas_id: ioas, iova: 0x1000n, length: 0x1000n }), 'ENOENT');
  });

  it('unmap-all succeeds on an empty IOAS and reports the bytes removed', () => {
    const { ctx, ioas } = setup();
    assert.equal(ok(ctx, 'IOMMU_IOAS_UNMAP', { ioas_id: ioas, iova: 0n, length: MAX }).get('length'), 0n);
    map(ctx, ioas, BUF, 0x3000n, 0x10000n);
    map(ctx, ioas, BUF, 0x1000n, 0x20000n);
    assert.equal(ok(ctx, 'IOMMU_IOAS_UNMAP', { ioas_id: ioas, iova: 0n, length: MAX }).get('length'), 0x4000n);
  });

  it('never splits an area, counts only removed areas, and is not atomic', () => {
    const { ctx, ioas } = setup();
    for (let i = 0n; i < 4n; i++) map(ctx, ioas, BUF, 0x8000n, 0x1004000n + i * 0x10000n);
    assert.equal(errnoOf(ctx, 'IOMMU_IOAS_UNMAP', { ioas_id: ioas, iova: 0x1000000n, length: 0x8000n }), 'ENOENT');
    assert.equal(ok(ctx, 'IOMMU_IOAS_UNMAP', { ioas_id: ioas, iova: 0x1000000n, length: 0x3c000n }).get('length'), 0x20000n);
    map(ctx, ioas, BUF, 0x1000n, 0x10000n);
    map(ctx, ioas, BUF, 0x2000n, 0x20000n);
    // The first area goes, the second is only half covered: ENOENT, and the first stays gone.
    assert.equal(errnoOf(ctx, 'IOMMU_IOAS_UNMAP', { ioas_id: ioas, iova: 0x10000n, length: 0x11000n }), 'ENOENT');
    const io = ctx.objects.get<Ioas>(ioas).iopt;
    assert.ok(!io.isMapped(0x10000n));
    assert.ok(io.isMapped(0x20000n));
  });
});

describe('IOMMU_IOAS_CHANGE_PROCESS', () => {
  it('rejects __reserved and user-memory areas, and re-owns memfd pages', () => {
    const { ctx, ioas } = setup();
    const r = ctx.process.map('mfd', 0x4000n, { memfd: true });
    ctx.process.files.set(5, r.file!);
    assert.equal(errnoOf(ctx, 'IOMMU_IOAS_CHANGE_PROCESS', { __reserved: 1 }), 'EOPNOTSUPP');
    ok(ctx, 'IOMMU_IOAS_CHANGE_PROCESS');
    ok(ctx, 'IOMMU_IOAS_MAP_FILE', { ioas_id: ioas, fd: 5, length: 0x1000n, flags: RW });
    const io = ctx.objects.get<Ioas>(ioas).iopt;
    const other = new Process('other', ctx.phys);
    const old = ctx.process;
    ctx.process = other;
    ok(ctx, 'IOMMU_IOAS_CHANGE_PROCESS');
    assert.equal(io.areas.all()[0]!.pages.owner, other);
    ctx.process = old;
    map(ctx, ioas, BUF, 0x1000n);
    assert.equal(errnoOf(ctx, 'IOMMU_IOAS_CHANGE_PROCESS'), 'EINVAL');
    assert.equal(io.areas.all()[0]!.pages.owner, other);
  });
});
