// The domain side of an io_pagetable (iommufd-reference §5.2, 5.4, 5.5):
// adding and removing paging domains, reservations, lazy pinning, mapping
// into domains with a granule smaller than the CPU page.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BUF, call, errnoOf, FakeDomain, FIXED_RW, hugepageSetup, ioasSetup as setup, map, MAX, ok } from './iommufd-fixture.js';
import { thrownErrno as errnoOfCall } from './thrown-errno.js';

describe('addDomain', () => {
  it('reserves outside the aperture, raises the alignment and narrows IOVA_RANGES', () => {
    const { ctx, id, ioas } = setup();
    const owner = {};
    ioas.iopt.addDomain(new FakeDomain(), owner);
    assert.equal(ioas.iopt.iovaAlignment, 2048n);
    const r = call(ctx, 'IOMMU_IOAS_IOVA_RANGES', { ioas_id: id, num_iovas: 0 });
    assert.equal(r.errno, 'EMSGSIZE');
    assert.equal(r.out.num('num_iovas'), 1);
    assert.equal(r.out.get('out_iova_alignment'), 2048n);
    assert.deepEqual(ioas.iopt.iovaRanges(), [{ start: 0x1000000n, last: 0x7fffffffn }]);
    assert.deepEqual(ioas.iopt.reserved.all().map((r) => r.owner), [owner, owner]);
    assert.equal(map(ctx, id, BUF, 0x1000n), 0x1000000n);
  });

  it('refuses a granule above PAGE_SIZE with EINVAL', () => {
    const { ioas } = setup();
    assert.equal(errnoOfCall(() => ioas.iopt.addDomain(new FakeDomain(0x2000n), {})), 'EINVAL');
    assert.equal(ioas.iopt.reserved.size, 0);
  });

  it('refuses with EADDRINUSE when an area breaks the new alignment', () => {
    const { ctx, id, ioas } = setup();
    map(ctx, id, BUF, 0x801n, 0x1000000n);
    assert.equal(errnoOfCall(() => ioas.iopt.addDomain(new FakeDomain(), {})), 'EADDRINUSE');
    assert.equal(ioas.iopt.iovaAlignment, 1n);
  });

  it('refuses with EADDRINUSE when the aperture reservation hits an area or an allowed range', () => {
    const { ctx, id, ioas } = setup();
    map(ctx, id, BUF, 0x1000n, 0x1000n);
    assert.equal(errnoOfCall(() => ioas.iopt.addDomain(new FakeDomain(), {})), 'EADDRINUSE');
    assert.equal(ioas.iopt.reserved.size, 0);
    ok(ctx, 'IOMMU_IOAS_UNMAP', { ioas_id: id, iova: 0n, length: MAX });
    ioas.iopt.setAllowed([{ start: 0x80000000n, last: 0x80001000n }]);
    assert.equal(errnoOfCall(() => ioas.iopt.addDomain(new FakeDomain(), {})), 'EADDRINUSE');
    assert.equal(ioas.iopt.reserved.size, 0);
  });

  it('pins and maps every existing area; EFAULT when the memory is gone, leaving nothing behind', () => {
    const { ctx, id, ioas } = setup();
    map(ctx, id, BUF, 0x2000n, 0x1000000n);
    map(ctx, id, 0x80000000n, 0x1000n, 0x1100000n); // never mapped in the process
    const d = new FakeDomain();
    assert.equal(errnoOfCall(() => ioas.iopt.addDomain(d, {})), 'EFAULT');
    assert.equal(d.pte.size, 0);
    assert.equal(ctx.phys.pinned(ctx.process.translate(BUF)!), 0);
    assert.equal(ioas.iopt.domainCount, 0);
    assert.equal(ioas.iopt.reserved.size, 0);
    ok(ctx, 'IOMMU_IOAS_UNMAP', { ioas_id: id, iova: 0x1100000n, length: 0x1000n });
    ioas.iopt.addDomain(d, {});
    assert.equal(d.iovaToPhys(0x1001804n), ctx.process.translate(BUF + 0x1804n));
    assert.equal(ctx.phys.pinned(ctx.process.translate(BUF + 0x1000n)!), 1);
  });

  it('rolls back a failed domain map (ENOMEM) completely', () => {
    const { ctx, id, ioas } = setup();
    map(ctx, id, BUF, 0x1000n, 0x1000000n);
    map(ctx, id, BUF + 0x2000n, 0x1000n, 0x1100000n);
    const d = new FakeDomain();
    d.failAfter = 1;
    assert.equal(errnoOfCall(() => ioas.iopt.addDomain(d, {})), 'ENOMEM');
    assert.equal(d.pte.size, 0);
    assert.equal(ctx.phys.pinned(ctx.process.translate(BUF)!), 0);
    assert.equal(ioas.iopt.iovaAlignment, 1n);
  });

  it('fills a second domain from the pins of the first, without pinning twice', () => {
    const { ctx, id, ioas } = setup();
    map(ctx, id, BUF, 0x4000n, 0x1000000n);
    const d1 = new FakeDomain();
    const d2 = new FakeDomain(0x1000n);
    ioas.iopt.addDomain(d1, {});
    ioas.iopt.addDomain(d2, {});
    assert.equal(ioas.iopt.iovaAlignment, 0x1000n);
    assert.equal(d2.iovaToPhys(0x1003000n), ctx.process.translate(BUF + 0x3000n));
    assert.equal(ctx.phys.pinned(ctx.process.translate(BUF)!), 1);
    ioas.iopt.removeDomain(d2);
    assert.equal(ioas.iopt.iovaAlignment, 2048n);
    assert.equal(d2.pte.size, 0);
    assert.equal(ctx.phys.pinned(ctx.process.translate(BUF)!), 1);
    ioas.iopt.removeDomain(d1);
    assert.equal(ioas.iopt.iovaAlignment, 1n);
    assert.equal(ioas.iopt.reserved.size, 0);
    assert.equal(ctx.phys.pinned(ctx.process.translate(BUF)!), 0);
  });

  it('maps physically contiguous runs in one call (hugepage memory)', () => {
    const { ctx, id, d } = hugepageSetup();
    map(ctx, id, 0x40000000n, 2n << 20n, 0x1000000n);
    assert.equal(d.mapCalls, 1);
    assert.equal(d.iovaToPhys(0x11ff800n), ctx.process.translate(0x401ff800n));
  });
});

describe('MAP with domains', () => {
  it('pins immediately, maps into every domain, and an area may start at a 2 KiB offset', () => {
    const { ctx, id, ioas } = setup();
    const d = new FakeDomain();
    ioas.iopt.addDomain(d, {});
    const iova = map(ctx, id, BUF + 0x800n, 0x1000n);
    assert.equal(iova, 0x1000800n); // the sub-page offset is kept
    assert.equal(d.iovaToPhys(0x1000800n), ctx.process.translate(BUF + 0x800n));
    assert.equal(d.iovaToPhys(0x1001000n), ctx.process.translate(BUF + 0x1000n));
    assert.equal(d.pte.size, 2);
  });

  it('refuses a sub-page offset below the alignment (EINVAL) and fails with EFAULT on unmapped memory, leaving no area', () => {
    const { ctx, id, ioas } = setup();
    ioas.iopt.addDomain(new FakeDomain(), {});
    assert.equal(errnoOf(ctx, 'IOMMU_IOAS_MAP', { ioas_id: id, user_va: BUF + 0x400n, length: 0x800n, flags: 6n }), 'EINVAL');
    assert.equal(errnoOf(ctx, 'IOMMU_IOAS_MAP', { ioas_id: id, user_va: BUF, length: 0x400n, flags: 6n }), 'EINVAL');
    assert.equal(errnoOf(ctx, 'IOMMU_IOAS_MAP', { ioas_id: id, user_va: 0x80000000n, length: 0x1000n, flags: 6n }), 'EFAULT');
    assert.equal(errnoOf(ctx, 'IOMMU_IOAS_MAP', { ioas_id: id, user_va: BUF, length: 0x1000n, iova: 0x1000400n, flags: FIXED_RW }), 'EINVAL');
    assert.equal(ioas.iopt.areas.size, 0);
  });

  it('automatic allocation below the IOAS alignment is EINVAL', () => {
    const { ctx, id, ioas } = setup();
    ioas.iopt.addDomain(new FakeDomain(0x1000n), {});
    // A 0x800-aligned source limits the alignment to 0x800, below the IOAS's 0x1000.
    const r = call(ctx, 'IOMMU_IOAS_MAP', { ioas_id: id, user_va: BUF + 0x800n, length: 0x1000n, flags: 6n });
    assert.equal(r.errno, 'EINVAL');
    assert.match(r.reason!, /source alignment 0x800/);
  });

  it('unmap removes the translation from every domain and drops the pins', () => {
    const { ctx, id, ioas } = setup();
    const d = new FakeDomain();
    ioas.iopt.addDomain(d, {});
    map(ctx, id, BUF, 0x2000n, 0x1000000n);
    assert.equal(ctx.phys.pinned(ctx.process.translate(BUF)!), 1);
    ok(ctx, 'IOMMU_IOAS_UNMAP', { ioas_id: id, iova: 0x1000000n, length: 0x2000n });
    assert.equal(d.pte.size, 0);
    assert.equal(ctx.phys.pinned(ctx.process.translate(BUF)!), 0);
  });

  it('a failed domain map rolls the MAP back (ENOMEM)', () => {
    const { ctx, id, ioas } = setup();
    const d1 = new FakeDomain();
    const d2 = new FakeDomain();
    ioas.iopt.addDomain(d1, {});
    ioas.iopt.addDomain(d2, {});
    d2.failAfter = 0;
    assert.equal(errnoOf(ctx, 'IOMMU_IOAS_MAP', { ioas_id: id, user_va: BUF, length: 0x1000n, flags: 6n }), 'ENOMEM');
    assert.equal(d1.pte.size, 0);
    assert.equal(ioas.iopt.areas.size, 0);
    assert.equal(ctx.phys.pinned(ctx.process.translate(BUF)!), 0);
  });
});

describe('reserved regions of devices', () => {
  it('EADDRINUSE on an area; a failure removes every region of that owner', () => {
    const { ctx, id, ioas } = setup();
    map(ctx, id, BUF, 0x1000n, 0x5000n);
    const dev = {};
    assert.equal(
      errnoOfCall(() => ioas.iopt.reserveRegions(dev, [{ start: 0x100000n, last: 0x1fffffn }, { start: 0x5000n, last: 0x5fffn }])),
      'EADDRINUSE',
    );
    assert.equal(ioas.iopt.reserved.size, 0);
    ioas.iopt.reserveRegions(dev, [{ start: 0x100000n, last: 0x1fffffn }]);
    assert.equal(errnoOf(ctx, 'IOMMU_IOAS_MAP', { ioas_id: id, user_va: BUF, length: 0x1000n, iova: 0x100000n, flags: FIXED_RW }), 'EINVAL');
    ioas.iopt.releaseRegions(dev);
    map(ctx, id, BUF, 0x1000n, 0x100000n);
  });
});

describe('huge pages option on the io_pagetable', () => {
  it('disabling needs no domain with areas (EINVAL) and aligned areas (EADDRINUSE, reverted)', () => {
    const { ctx, id, ioas } = setup();
    map(ctx, id, BUF + 0x800n, 0x800n, 0x800n);
    assert.equal(errnoOfCall(() => ioas.iopt.setLargePages(false)), 'EADDRINUSE');
    assert.equal(ioas.iopt.disableLargePages, false);
    ok(ctx, 'IOMMU_IOAS_UNMAP', { ioas_id: id, iova: 0n, length: MAX });
    ioas.iopt.setLargePages(false);
    assert.equal(ioas.iopt.iovaAlignment, 0x1000n);
    ioas.iopt.setLargePages(true);
    assert.equal(ioas.iopt.iovaAlignment, 1n);
    ioas.iopt.addDomain(new FakeDomain(), {});
    map(ctx, id, BUF, 0x1000n);
    assert.equal(errnoOfCall(() => ioas.iopt.setLargePages(false)), 'EINVAL');
  });
});
