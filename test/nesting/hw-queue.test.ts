// IOMMU_HW_QUEUE_ALLOC (iommufd-reference §6.5): argument checks, the
// internal access that pins (and locks) the queue's pages, physical
// contiguity, and the mock's index order and dependencies.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { destroy, errnoOf, ioctl, mapFixed } from '../engine/machine-harness.js';
import { out, SELFTEST_HW_QUEUE, viommuFixture } from './nesting-harness.js';

const IOVA = 0x1000000n;

function queue(m: ReturnType<typeof viommuFixture>['m'], viommu: number, index: number, iova = IOVA, length = 0x1000n, type = SELFTEST_HW_QUEUE) {
  return ioctl(m, 'IOMMU_HW_QUEUE_ALLOC', { viommu_id: viommu, type, index, nesting_parent_iova: iova, length });
}

describe('HW_QUEUE_ALLOC', () => {
  it('checks flags and type, length and overflow, then the vIOMMU and its queue type, then the memory', () => {
    const { m, viommu } = viommuFixture();
    assert.equal(errnoOf(ioctl(m, 'IOMMU_HW_QUEUE_ALLOC', { viommu_id: 99, type: SELFTEST_HW_QUEUE, flags: 1, length: 0 })), 'EOPNOTSUPP');
    assert.equal(errnoOf(queue(m, 99, 0, IOVA, 0n, 0)), 'EOPNOTSUPP');
    assert.equal(errnoOf(queue(m, 99, 0, IOVA, 0n)), 'EINVAL');
    assert.equal(errnoOf(queue(m, 99, 0, (1n << 64n) - 0x800n, 0x1000n)), 'EOVERFLOW');
    assert.equal(errnoOf(queue(m, 99, 0)), 'ENOENT');
    assert.equal(errnoOf(queue(m, viommu, 0, IOVA, 0x1000n, 1)), 'EOPNOTSUPP');
    assert.equal(errnoOf(queue(m, viommu, 0)), 'ENOENT', 'nothing is mapped at the IOVA');
    assert.equal(m.users('iommufd', BigInt(viommu)), 1);
  });

  it('pins the page-rounded range with an internal access that takes the next id and locks it against unmap', () => {
    const { m, viommu, ioas } = viommuFixture();
    const buf = m.declareMemory('buf', 0x4000n, {});
    mapFixed(m, ioas, buf, 0x2000n, IOVA);
    const q = out(queue(m, viommu, 0, IOVA + 0x800n, 0x1000n), 'IOMMU_HW_QUEUE_ALLOC').num('out_hw_queue_id');
    assert.equal(q, 6);
    assert.equal(m.exists('iommufd', 7n), true, 'the internal access');
    assert.equal(m.users('iommufd', BigInt(ioas)), 4, 'table, two HWPTs, the access');
    assert.equal(errnoOf(ioctl(m, 'IOMMU_IOAS_UNMAP', { ioas_id: ioas, iova: IOVA + 0x1000n, length: 0x1000n })), 'EBUSY', 'the span crosses into the second page');
    assert.equal(destroy(m, 7), 'EBUSY', 'the access belongs to the queue');
    assert.equal(destroy(m, q), 'ok');
    assert.equal(m.exists('iommufd', 7n), false);
    assert.equal(errnoOf(ioctl(m, 'IOMMU_IOAS_UNMAP', { ioas_id: ioas, iova: IOVA, length: 0x2000n })), 'ok');
  });

  it('needs physically contiguous pages (EFAULT) and gives back both ids when it cannot have them', () => {
    const { m, viommu, ioas } = viommuFixture();
    const buf = m.declareMemory('buf', 0x4000n, {});
    // Touch the second page first: its frame comes before the first one's.
    m.cpuStore(buf + 0x1000n, 4, 1n);
    m.cpuStore(buf, 4, 1n);
    mapFixed(m, ioas, buf, 0x2000n, IOVA);
    assert.equal(errnoOf(queue(m, viommu, 0, IOVA, 0x2000n)), 'EFAULT');
    assert.equal(m.exists('iommufd', 7n), false);
    assert.equal(errnoOf(ioctl(m, 'IOMMU_IOAS_UNMAP', { ioas_id: ioas, iova: IOVA, length: 0x2000n })), 'ok', 'the pins were dropped');
  });

  it('mock: indexes in order (EIO without index-1, EINVAL past 1, EEXIST twice); a higher queue keeps the lower one busy', () => {
    const { m, viommu, ioas } = viommuFixture();
    const buf = m.declareMemory('buf', 0x1000n, {});
    mapFixed(m, ioas, buf, 0x1000n, IOVA);
    assert.equal(errnoOf(queue(m, viommu, 1)), 'EIO');
    assert.equal(errnoOf(queue(m, viommu, 2)), 'EINVAL');
    const q0 = out(queue(m, viommu, 0), 'IOMMU_HW_QUEUE_ALLOC').num('out_hw_queue_id');
    assert.equal(errnoOf(queue(m, viommu, 0)), 'EEXIST');
    const q1 = out(queue(m, viommu, 1), 'IOMMU_HW_QUEUE_ALLOC').num('out_hw_queue_id');
    assert.deepEqual([q0, q1], [6, 8]);
    assert.equal(m.users('iommufd', BigInt(viommu)), 3);
    assert.equal(destroy(m, viommu), 'EBUSY');
    assert.equal(destroy(m, q0), 'EBUSY');
    assert.equal(destroy(m, q1), 'ok');
    assert.equal(destroy(m, q0), 'ok');
    assert.equal(destroy(m, viommu), 'ok');
  });
});
