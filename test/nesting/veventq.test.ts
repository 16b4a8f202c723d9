// IOMMU_VEVENTQ_ALLOC and the vEVENTQ fd (iommufd-reference §6.4): one queue
// per type, depth and the LOST_EVENTS header, sequence numbers, read() of
// whole records, and the fd's references.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Veventq, VEVENTQ_FLAG_LOST_EVENTS } from '../../emulator/engine/iommufd/veventq.js';
import type { Viommu } from '../../emulator/engine/iommufd/viommu.js';
import { attachOk, destroy, errnoOf, hwptAllocOk } from '../engine/machine-harness.js';
import { nestedData, out, triggerVevent, vdeviceAllocOk, veventqAlloc, viommuFixture } from './nesting-harness.js';

function withQueue(depth = 2) {
  const f = viommuFixture();
  const q = out(veventqAlloc(f.m, f.viommu, depth), 'IOMMU_VEVENTQ_ALLOC');
  return { ...f, q: q.num('out_veventq_id'), qfd: q.num('out_veventq_fd') };
}

describe('VEVENTQ_ALLOC', () => {
  it('checks flags, __reserved and type, then depth, then the vIOMMU; one queue per type', () => {
    const { m, viommu } = viommuFixture();
    assert.equal(errnoOf(veventqAlloc(m, 99, 0, { flags: 1 })), 'EOPNOTSUPP');
    assert.equal(errnoOf(veventqAlloc(m, 99, 0, { __reserved: 1 })), 'EOPNOTSUPP');
    assert.equal(errnoOf(veventqAlloc(m, 99, 0, { type: 0 })), 'EOPNOTSUPP');
    assert.equal(errnoOf(veventqAlloc(m, 99, 0)), 'EINVAL');
    assert.equal(errnoOf(veventqAlloc(m, 99, 1)), 'ENOENT');
    assert.equal(errnoOf(veventqAlloc(m, viommu, 1)), 'ok');
    assert.equal(errnoOf(veventqAlloc(m, viommu, 1)), 'EEXIST');
    assert.equal(errnoOf(veventqAlloc(m, viommu, 1, { type: 1 })), 'ok', 'another type gets its own queue');
  });

  it('its fd holds the queue and the iommufd; the queue holds the vIOMMU', () => {
    const { m, viommu, q, qfd } = withQueue();
    assert.equal(qfd, 4, 'the lowest free fd after the iommufd (3)');
    assert.equal(m.users('iommufd', BigInt(q)), 2);
    assert.equal(m.users('iommufd', BigInt(viommu)), 2);
    assert.equal(destroy(m, q), 'EBUSY');
    m.veventqClose('iommufd', BigInt(q));
    assert.equal(errnoOf(() => m.veventqRead('iommufd', BigInt(q), 64)), 'EBADF');
    assert.equal(errnoOf(() => m.veventqClose('iommufd', BigInt(q))), 'EBADF');
    assert.equal(destroy(m, q), 'ok');
    assert.equal(m.users('iommufd', BigInt(viommu)), 1);
  });
});

describe('vEVENTs', () => {
  it('TRIGGER_VEVENT reports the virt_id the device had when it attached to the vIOMMU-nested HWPT', () => {
    const { m, dev, viommu, ioas, q } = withQueue(4);
    const n = hwptAllocOk(m, dev, viommu, nestedData(m));
    assert.equal(errnoOf(triggerVevent(m, dev)), 'ENOENT', 'not on a vIOMMU-nested domain');
    const vd = vdeviceAllocOk(m, viommu, dev, 0x99);
    attachOk(m, 'm0', n);
    assert.equal(errnoOf(triggerVevent(m, dev)), 'ok');
    attachOk(m, 'm0', ioas);
    assert.equal(errnoOf(triggerVevent(m, dev)), 'ENOENT');
    destroy(m, vd);
    vdeviceAllocOk(m, viommu, dev, 0x88);
    attachOk(m, 'm0', n);
    assert.equal(errnoOf(triggerVevent(m, dev)), 'ok');
    const { type, events } = m.veventqRead('iommufd', BigInt(q), 64);
    assert.equal(type, 0xbeefbeefn);
    assert.deepEqual(events.map((e) => [e.flags, e.sequence, new DataView(e.data.buffer).getUint32(0, true)]), [[0, 0, 0x99], [0, 1, 0x88]]);
  });

  it('without a queue of its type the event is refused (EOPNOTSUPP)', () => {
    const { m, dev, viommu } = viommuFixture();
    const n = hwptAllocOk(m, dev, viommu, nestedData(m));
    vdeviceAllocOk(m, viommu, dev, 1);
    attachOk(m, 'm0', n);
    assert.equal(errnoOf(triggerVevent(m, dev)), 'EOPNOTSUPP');
  });

  it('read() returns whole records that fit; a too-small buffer reads nothing', () => {
    const { m, dev, viommu, q } = withQueue(4);
    const n = hwptAllocOk(m, dev, viommu, nestedData(m));
    vdeviceAllocOk(m, viommu, dev, 7);
    attachOk(m, 'm0', n);
    triggerVevent(m, dev);
    triggerVevent(m, dev);
    assert.equal(m.veventqRead('iommufd', BigInt(q), 11).events.length, 0);
    assert.equal(m.veventqRead('iommufd', BigInt(q), 23).events.length, 1);
    assert.equal(m.veventqRead('iommufd', BigInt(q), 100).events[0]!.sequence, 1);
    assert.equal(m.veventqRead('iommufd', BigInt(q), 100).events.length, 0);
  });
});

/** A reference model of the queue: the rules of §6.4 written plainly. */
class ModelQueue {
  records: { lost: boolean; seq: number }[] = [];
  seq = 0;
  constructor(readonly depth: number) {}
  report(): void {
    const normal = this.records.filter((r) => !r.lost).length;
    if (this.records.at(-1)?.lost) this.records.pop();
    this.records.push({ lost: normal === this.depth, seq: this.seq });
    this.seq = (this.seq + 1) & 0x7fffffff;
  }
  read(count: number): { lost: boolean; seq: number }[] {
    let used = 0;
    let n = 0;
    for (const r of this.records) {
      const size = r.lost ? 8 : 12;
      if (used + size > count) break;
      used += size;
      n++;
    }
    return this.records.splice(0, n);
  }
}

describe('vEVENTQ sequence and release', () => {
  it('sequence numbers wrap from INT_MAX to 0', () => {
    const q = new Veventq({} as never, { veventqs: [], users: 1 } as unknown as Viommu, 1n, 4);
    Object.defineProperty(q, 'fd', { value: { checkOpen() {} } });
    (q as unknown as { sequence: number }).sequence = 0x7fffffff;
    q.report(new Uint8Array(4));
    q.report(new Uint8Array(4));
    assert.deepEqual(q.read(100).map((e) => e.sequence), [0x7fffffff, 0]);
  });

  it('an open vEVENTQ fd keeps a closed iommufd\'s objects alive; closing it runs the release', () => {
    const { m, viommu, q } = withQueue();
    m.closeIommufd('iommufd');
    assert.equal(errnoOf(() => m.veventqRead('iommufd', BigInt(q), 64)), 'ok', 'the queue\'s own fd still works');
    assert.equal(m.exists('iommufd', BigInt(viommu)), true);
    m.veventqClose('iommufd', BigInt(q));
    assert.equal(m.exists('iommufd', BigInt(viommu)), true, 'the bound device still holds the file');
    m.vfioClose('m0');
    assert.equal(m.exists('iommufd', BigInt(viommu)), false);
  });
});

describe('vEVENTQ property', () => {
  it('never holds more than depth events plus one LOST_EVENTS header, which only ever stands last', () => {
    const fakeViommu = { veventqs: [], users: 1 } as unknown as Viommu;
    const fakeFd = { checkOpen() {} };
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.array(fc.oneof(fc.constant(-1), fc.integer({ min: 0, max: 40 })), { maxLength: 60 }), (depth, ops) => {
        const q = new Veventq({} as never, fakeViommu, 1n, depth);
        Object.defineProperty(q, 'fd', { value: fakeFd });
        const model = new ModelQueue(depth);
        for (const op of ops) {
          if (op < 0) {
            q.report(new Uint8Array(4));
            model.report();
          } else {
            const got = q.read(op).map((e) => ({ lost: (e.flags & VEVENTQ_FLAG_LOST_EVENTS) !== 0, seq: e.sequence }));
            assert.deepEqual(got, model.read(op));
          }
          assert.ok(q.pending <= depth + 1);
        }
      }),
    );
  });
});
