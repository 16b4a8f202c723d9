// Automatic IOVA allocation (iommufd-reference §5.3).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { KernelError } from '../../emulator/engine/errno.js';
import type { Ioas } from '../../emulator/engine/iommufd/ioas.js';
import { allocIova } from '../../emulator/engine/iommufd/iova-alloc.js';
import { BUF, call, FakeDomain, ioasSetup as setup, map, MAX, ok } from './iommufd-fixture.js';

describe('allocIova', () => {
  it('starts at PAGE_SIZE, never at 0', () => {
    const { ctx, id } = setup();
    for (let i = 1n; i <= 10n; i++) assert.equal(map(ctx, id, BUF, 0x1000n), i * 0x1000n);
  });

  it('aligns to the length rounded up to a power of two (selftest area_auto_iova)', () => {
    const { ctx, id } = setup();
    const got = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((n) => map(ctx, id, 0x80000000n, BigInt(n) * 0x1000n));
    assert.deepEqual(got, [0x1000n, 0x2000n, 0x4000n, 0x8000n, 0x10000n, 0x18000n, 0x20000n, 0x28000n, 0x30000n, 0x40000n]);
  });

  it('starts at the aperture with a mock-like domain', () => {
    const { ctx, id, ioas } = setup();
    ioas.iopt.addDomain(new FakeDomain(), {});
    const got = [1, 2, 3, 4].map((n) => map(ctx, id, BUF, BigInt(n) * 0x1000n));
    assert.deepEqual(got, [0x1000000n, 0x1002000n, 0x1004000n, 0x1008000n]);
  });

  it('is limited by the lowest set bit of the source and keeps its page offset', () => {
    const { ctx, id } = setup();
    assert.equal(map(ctx, id, BUF + 0x1000n, 0x4000n), 0x1000n);
    assert.equal(map(ctx, id, BUF + 0x123n, 0x100n), 0x5123n); // alignment 1, offset 0x123 OR-ed in after the first area
  });

  it('caps the alignment at 2 MiB', () => {
    const { ctx, id } = setup();
    map(ctx, id, 0n, 0x1000n, 0x200000n);
    assert.equal(map(ctx, id, 0x80000000n, 0x10000000n), 0x400000n);
  });

  it('uses only the allowed ranges when there are some', () => {
    const { ctx, id, ioas } = setup();
    ioas.iopt.setAllowed([{ start: 0x3000n, last: 0x3fffn }, { start: 0x10000n, last: 0x1ffffn }]);
    assert.equal(map(ctx, id, BUF, 0x1000n), 0x3000n);
    assert.equal(map(ctx, id, BUF, 0x2000n), 0x10000n);
    assert.equal(map(ctx, id, BUF, 0x1000n), 0x12000n);
  });

  it('fails with ENOSPC instead of wrapping past the top (selftest reserved_overflow)', () => {
    const { ctx, id } = setup();
    ok(ctx, 'IOMMU_TEST_CMD', { op: 1, id, a: 6n, b: 0xffffffffffff8001n });
    assert.equal(call(ctx, 'IOMMU_IOAS_MAP', { ioas_id: id, user_va: BUF, length: 0x5000n, flags: 6n }).errno, 'ENOSPC');
    assert.deepEqual(
      ctx.objects.get<Ioas>(id).iopt.iovaRanges(),
      [{ start: 0n, last: 5n }, { start: 0xffffffffffff8007n, last: MAX }],
    );
  });

  it('rejects lengths of ULONG_MAX/2 and more with EOVERFLOW', () => {
    const { ioas } = setup();
    assert.throws(() => allocIova(ioas.iopt, 0n, MAX / 2n), (e: unknown) => e instanceof KernelError && e.errno === 'EOVERFLOW');
  });

  it('property: the first fit is free, aligned, in the window, and no lower aligned start is free', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ start: fc.bigInt(0n, 0x80000n), len: fc.bigInt(1n, 0x8000n) }), { maxLength: 8 }),
        fc.bigInt(2n, 0x6000n),
        (resv, length) => {
          const { ioas } = setup();
          ioas.iopt.reserve(0x100000n, MAX, null);
          for (const r of resv) ioas.iopt.reserve(r.start, r.start + r.len - 1n, null);
          let align = 1n;
          while (align < length) align <<= 1n;
          const free = (c: bigint) => c >= 0x1000n && ioas.iopt.reserved.first(c, c + length - 1n) === undefined;
          let expected: bigint | undefined;
          for (let c = 0n; c + length - 1n < 0x100000n; c += align) {
            if (free(c)) {
              expected = c;
              break;
            }
          }
          let got: bigint | string;
          try {
            got = allocIova(ioas.iopt, 0n, length);
          } catch (e) {
            got = (e as KernelError).errno;
          }
          assert.equal(got, expected ?? 'ENOSPC');
        },
      ),
      { numRuns: 200 },
    );
  });
});
