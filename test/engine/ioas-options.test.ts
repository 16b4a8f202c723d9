// IOMMU_OPTION, IOMMU_VFIO_IOAS, IOMMU_TEST_CMD ADD_RESERVED (iommufd-reference
// §3.8, 3.9, 8), and the pins shared by COPY and released by destroy.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Ioas } from '../../emulator/engine/iommufd/ioas.js';
import { BUF, errnoOf, FakeDomain, FIXED_RW, hugepageSetup, ioasAlloc, map, MAX, ok, TestCtx } from './iommufd-fixture.js';

describe('IOMMU_OPTION', () => {
  it('checks __reserved before the option id, and rejects unknown options', () => {
    const ctx = new TestCtx();
    assert.equal(errnoOf(ctx, 'IOMMU_OPTION', { __reserved: 1, option_id: 9 }), 'EOPNOTSUPP');
    assert.equal(errnoOf(ctx, 'IOMMU_OPTION', { option_id: 9 }), 'EOPNOTSUPP');
  });

  it('RLIMIT_MODE: object_id, get, set rules (EPERM, EBUSY, EINVAL), unknown op', () => {
    const ctx = new TestCtx();
    assert.equal(errnoOf(ctx, 'IOMMU_OPTION', { option_id: 0, op: 1, object_id: 1 }), 'EOPNOTSUPP');
    assert.equal(ok(ctx, 'IOMMU_OPTION', { option_id: 0, op: 1, val64: 7n }).get('val64'), 0n);
    assert.equal(errnoOf(ctx, 'IOMMU_OPTION', { option_id: 0, op: 2 }), 'EOPNOTSUPP');
    assert.equal(errnoOf(ctx, 'IOMMU_OPTION', { option_id: 0, op: 0, val64: 2n }), 'EINVAL');
    ok(ctx, 'IOMMU_OPTION', { option_id: 0, op: 0, val64: 1n });
    assert.equal(ok(ctx, 'IOMMU_OPTION', { option_id: 0, op: 1 }).get('val64'), 1n);
    ctx.process.capSysResource = false;
    assert.equal(errnoOf(ctx, 'IOMMU_OPTION', { option_id: 0, op: 0, val64: 2n }), 'EPERM');
    ctx.process.capSysResource = true;
    ioasAlloc(ctx);
    assert.equal(errnoOf(ctx, 'IOMMU_OPTION', { option_id: 0, op: 0, val64: 2n }), 'EBUSY');
  });

  it('HUGE_PAGES: lookup, get/set, EINVAL for other values, alignment follows (selftest ioas_option_huge_pages)', () => {
    const ctx = new TestCtx();
    ctx.process.map('buf', 0x10000n, { at: BUF });
    const id = ioasAlloc(ctx);
    ctx.objects.get<Ioas>(id).iopt.addDomain(new FakeDomain(), {});
    assert.equal(errnoOf(ctx, 'IOMMU_OPTION', { option_id: 1, op: 1, object_id: 0 }), 'ENOENT');
    assert.equal(ok(ctx, 'IOMMU_OPTION', { option_id: 1, op: 1, object_id: id }).get('val64'), 1n);
    ok(ctx, 'IOMMU_OPTION', { option_id: 1, op: 0, object_id: id, val64: 0n });
    assert.equal(ok(ctx, 'IOMMU_OPTION', { option_id: 1, op: 1, object_id: id }).get('val64'), 0n);
    assert.equal(ok(ctx, 'IOMMU_IOAS_IOVA_RANGES', { ioas_id: id, num_iovas: 1, allowed_iovas: BUF }).get('out_iova_alignment'), 0x1000n);
    assert.equal(errnoOf(ctx, 'IOMMU_OPTION', { option_id: 1, op: 0, object_id: id, val64: 2n }), 'EINVAL');
    assert.equal(errnoOf(ctx, 'IOMMU_OPTION', { option_id: 1, op: 5, object_id: id }), 'EOPNOTSUPP');
    ok(ctx, 'IOMMU_OPTION', { option_id: 1, op: 0, object_id: id, val64: 1n });
    assert.equal(ok(ctx, 'IOMMU_IOAS_IOVA_RANGES', { ioas_id: id, num_iovas: 1, allowed_iovas: BUF }).get('out_iova_alignment'), 2048n);
  });
});

describe('IOMMU_VFIO_IOAS', () => {
  it('get/set/clear (selftest vfio_ioas), __reserved and unknown op', () => {
    const ctx = new TestCtx();
    assert.equal(errnoOf(ctx, 'IOMMU_VFIO_IOAS', { op: 0 }), 'ENODEV');
    assert.equal(errnoOf(ctx, 'IOMMU_VFIO_IOAS', { op: 1, ioas_id: 0 }), 'ENOENT');
    const id = ioasAlloc(ctx);
    ok(ctx, 'IOMMU_VFIO_IOAS', { op: 1, ioas_id: id });
    assert.equal(ok(ctx, 'IOMMU_VFIO_IOAS', { op: 0 }).num('ioas_id'), id);
    ok(ctx, 'IOMMU_VFIO_IOAS', { op: 2 });
    assert.equal(errnoOf(ctx, 'IOMMU_VFIO_IOAS', { op: 0 }), 'ENODEV');
    assert.ok(ctx.objects.find(id));
    assert.equal(errnoOf(ctx, 'IOMMU_VFIO_IOAS', { op: 3 }), 'EOPNOTSUPP');
    assert.equal(errnoOf(ctx, 'IOMMU_VFIO_IOAS', { op: 0, __reserved: 1 }), 'EOPNOTSUPP');
  });

  it('destroying the compat IOAS forgets it', () => {
    const ctx = new TestCtx();
    const id = ioasAlloc(ctx);
    ok(ctx, 'IOMMU_VFIO_IOAS', { op: 1, ioas_id: id });
    ctx.objects.destroyByUser(id);
    assert.equal(errnoOf(ctx, 'IOMMU_VFIO_IOAS', { op: 0 }), 'ENODEV');
  });
});

describe('IOMMU_TEST_CMD', () => {
  it('ADD_RESERVED: length 0, overflow, the id, conflicts; unknown ops', () => {
    const ctx = new TestCtx();
    ctx.process.map('buf', 0x10000n, { at: BUF });
    assert.equal(errnoOf(ctx, 'IOMMU_TEST_CMD', { op: 1, id: 99, a: 0x1000n, b: 0n }), 'EINVAL');
    assert.equal(errnoOf(ctx, 'IOMMU_TEST_CMD', { op: 1, id: 99, a: 2n, b: MAX }), 'EOVERFLOW');
    assert.equal(errnoOf(ctx, 'IOMMU_TEST_CMD', { op: 1, id: 99, a: 0x1000n, b: 1n }), 'ENOENT');
    const id = ioasAlloc(ctx);
    map(ctx, id, BUF, 0x1000n, 0x1000n);
    assert.equal(errnoOf(ctx, 'IOMMU_TEST_CMD', { op: 1, id, a: 0x1fffn, b: 1n }), 'EADDRINUSE');
    ok(ctx, 'IOMMU_TEST_CMD', { op: 1, id, a: 0x2000n, b: 1n });
    assert.equal(errnoOf(ctx, 'IOMMU_TEST_CMD', { op: 77 }), 'EOPNOTSUPP');
  });
});

describe('pins of IO page sets', () => {
  it('COPY shares the source pages: one pin however many copies (selftest copy_area)', () => {
    const ctx = new TestCtx();
    ctx.process.map('buf', 0x10000n, { at: BUF });
    const id = ioasAlloc(ctx);
    const d = new FakeDomain();
    ctx.objects.get<Ioas>(id).iopt.addDomain(d, {});
    map(ctx, id, BUF, 0x1000n, 0x1000000n);
    ok(ctx, 'IOMMU_IOAS_COPY', { dst_ioas_id: id, src_ioas_id: id, src_iova: 0x1000000n, length: 0x1000n, dst_iova: 0x1001000n, flags: FIXED_RW });
    assert.equal(d.iovaToPhys(0x1001000n), ctx.process.translate(BUF));
    const id2 = ioasAlloc(ctx);
    assert.equal(ok(ctx, 'IOMMU_IOAS_COPY', { dst_ioas_id: id2, src_ioas_id: id, src_iova: 0x1000000n, length: 0x1000n, dst_iova: 0n, flags: FIXED_RW }).get('dst_iova'), 0n);
    const pa = ctx.process.translate(BUF)!;
    assert.equal(ctx.phys.pinned(pa), 1);
    // A second MAP of the same memory is a second IO page set: a second pin.
    map(ctx, id, BUF, 0x1000n, 0x1002000n);
    assert.equal(ctx.phys.pinned(pa), 2);
    ok(ctx, 'IOMMU_IOAS_UNMAP', { ioas_id: id, iova: 0n, length: MAX });
    assert.equal(ctx.phys.pinned(pa), 0);
  });

  it('destroying an IOAS releases its pins; hugepage memory counts per 4 KiB page', () => {
    const { ctx, id, ioas, d } = hugepageSetup();
    map(ctx, id, 0x40001000n, 0x1000n, 0x1000000n);
    assert.equal(ctx.phys.pinned(ctx.process.translate(0x40001800n)!), 1);
    assert.equal(ctx.phys.pinned(ctx.process.translate(0x40002000n)!), 0);
    ioas.iopt.removeDomain(d);
    map(ctx, id, 0x40001000n, 0x1000n, 0x2000000n);
    ioas.iopt.addDomain(d, {});
    assert.equal(ctx.phys.pinned(ctx.process.translate(0x40001000n)!), 2);
    ioas.iopt.removeDomain(d);
    ctx.objects.destroyByUser(id);
    assert.equal(ctx.phys.pinned(ctx.process.translate(0x40001000n)!), 0);
  });
});
