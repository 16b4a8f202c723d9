// The calls the fail_nth test fails at each of their allocation points, one
// or more per ioctl the engine implements (as the kernel's
// iommufd_fail_nth.c does for its own list). Each case builds its state on
// the test machine (ioctl-ops.ts: mock devices m0 and m1 sharing a group,
// PASID-capable m2, a 16-page buffer at BUF), prepares the payloads in the
// VMM's memory, and returns the one call under test.
import assert from 'node:assert/strict';
import { KernelError } from '../../emulator/engine/errno.js';
import type { IoctlResult } from '../../emulator/engine/machine-api.js';
import { ioctlDef } from '../../emulator/engine/uapi/iommufd.js';
import { VFIO_DEVICE_BIND_IOMMUFD } from '../../emulator/engine/uapi/vfio.js';
import { attach, attachOk, bind, detach, hwptAllocOk, ioasAlloc, ioctl, mapFixed, ok, selftestData, vfio, type Fields, type Machine } from '../engine/machine-harness.js';
import { NEST_PARENT, SELFTEST_HW_QUEUE, SELFTEST_VEVENTQ, viommuAllocOk, vdeviceAllocOk } from '../nesting/nesting-harness.js';
import { BUF } from './ioctl-ops.js';

/** What the test's drivers hold outside the iommufd, to release at the end. */
export interface Holdings {
  accesses: Set<number>;
  svaHandles: number[];
}

export interface Outcome {
  errno: string;
  reason?: string;
}

export interface FailNthCase {
  /** The ioctl (or driver call) and the state it meets. */
  name: string;
  /** Builds the state and the payloads; returns the call (run once per fail_nth). */
  prepare(m: Machine, held: Holdings): () => Outcome;
}

const PAGE = 0x1000n;
/** Past the mock IOMMU's reserved 0..16M, so attached IOASes take it. */
const IOVA = 0x100_0000n;
const DIRTY_TRACKING = 2;
const PASID_FLAG = 8;
const FAULT_ID_VALID = 4;
const MEMFD = 'memfd0';

function of(r: IoctlResult): Outcome {
  return { errno: r.error?.errno ?? 'ok', reason: r.error?.reason };
}

/** The outcome of a driver-side call that throws a KernelError on failure. */
function call(fn: () => unknown): Outcome {
  try {
    fn();
    return { errno: 'ok' };
  } catch (e) {
    if (e instanceof KernelError) return { errno: e.errno, reason: e.reason };
    throw e;
  }
}

function io(m: Machine, name: string, fields: Fields): () => Outcome {
  return () => of(ioctl(m, name, fields));
}

function expectOk(r: IoctlResult, what: string): void {
  assert.equal(r.error, undefined, `setup ${what}: ${r.error?.message}`);
}

/** IOAS 1 with m0 and m2 bound (ids 2 and 3). */
function base(m: Machine): { ioas: number; d0: number; d2: number } {
  return { ioas: ioasAlloc(m), d0: bind(m, 'm0'), d2: bind(m, 'm2') };
}

/** Two areas of the buffer mapped at IOVA and IOVA + 16 pages. */
function mapTwo(m: Machine, ioas: number): void {
  expectOk(mapFixed(m, ioas, BUF, 4n * PAGE, IOVA), 'map');
  expectOk(mapFixed(m, ioas, BUF + 8n * PAGE, 2n * PAGE, IOVA + 16n * PAGE), 'map');
}

/** The base with m0 on an automatic domain of IOAS 1 (hwpt 4), two areas mapped. */
function attachedBase(m: Machine): { ioas: number; d0: number; d2: number; hwpt: number } {
  const b = base(m);
  mapTwo(m, b.ioas);
  return { ...b, hwpt: attachOk(m, 'm0', b.ioas) };
}

/** A nest parent on IOAS 1 (mapped) and a selftest vIOMMU on it, for m0. */
function viommuBase(m: Machine): { ioas: number; d0: number; d2: number; parent: number; viommu: number } {
  const b = base(m);
  mapTwo(m, b.ioas);
  const parent = hwptAllocOk(m, b.d0, b.ioas, { flags: NEST_PARENT });
  return { ...b, parent, viommu: viommuAllocOk(m, b.d0, parent) };
}

function ranges(m: Machine, list: [bigint, bigint][]): bigint {
  const b = new Uint8Array(16 * list.length);
  const v = new DataView(b.buffer);
  list.forEach(([start, last], i) => {
    v.setBigUint64(16 * i, start, true);
    v.setBigUint64(16 * i + 8, last, true);
  });
  return m.userScratch(b);
}

export const FAIL_NTH_CASES: FailNthCase[] = [
  { name: 'IOMMU_IOAS_ALLOC', prepare: (m) => io(m, 'IOMMU_IOAS_ALLOC', {}) },
  {
    name: 'IOMMU_IOAS_MAP into an IOAS without domains',
    prepare: (m) => io(m, 'IOMMU_IOAS_MAP', { ioas_id: base(m).ioas, user_va: BUF, length: 4n * PAGE, flags: 6 }),
  },
  {
    name: 'IOMMU_IOAS_MAP into an IOAS mirrored by two domains, across a leaf-table boundary',
    prepare: (m) => {
      const b = attachedBase(m);
      hwptAllocOk(m, b.d2, b.ioas);
      // The mock's leaf tables cover 1 MiB: the map needs a new one half-way, so a table allocation fails mid-map.
      return io(m, 'IOMMU_IOAS_MAP', { ioas_id: b.ioas, user_va: BUF + 4n * PAGE, length: 4n * PAGE, iova: IOVA + 0xfen * PAGE, flags: 7 });
    },
  },
  {
    name: 'IOMMU_IOAS_MAP_FILE into an attached IOAS',
    prepare: (m) => {
      m.declareMemory(MEMFD, 8n * PAGE, { memfd: true });
      const b = attachedBase(m);
      return io(m, 'IOMMU_IOAS_MAP_FILE', { ioas_id: b.ioas, fd: m.fdNumber(MEMFD), start: PAGE, length: 4n * PAGE, flags: 6 });
    },
  },
  {
    name: 'IOMMU_IOAS_COPY of two areas into another attached IOAS',
    prepare: (m) => {
      const b = attachedBase(m);
      const dst = ioasAlloc(m);
      hwptAllocOk(m, b.d2, dst);
      expectOk(mapFixed(m, b.ioas, BUF + 12n * PAGE, 4n * PAGE, IOVA + 4n * PAGE), 'map');
      return io(m, 'IOMMU_IOAS_COPY', { dst_ioas_id: dst, src_ioas_id: b.ioas, src_iova: IOVA, length: 8n * PAGE, flags: 6 });
    },
  },
  {
    name: 'IOMMU_IOAS_UNMAP of everything in an attached IOAS',
    prepare: (m) => io(m, 'IOMMU_IOAS_UNMAP', { ioas_id: attachedBase(m).ioas, iova: 0n, length: (1n << 64n) - 1n }),
  },
  {
    name: 'IOMMU_IOAS_IOVA_RANGES',
    prepare: (m) => {
      const b = attachedBase(m);
      return io(m, 'IOMMU_IOAS_IOVA_RANGES', { ioas_id: b.ioas, num_iovas: 4, allowed_iovas: m.userScratch(new Uint8Array(64)) });
    },
  },
  {
    name: 'IOMMU_IOAS_ALLOW_IOVAS of two ranges',
    prepare: (m) => {
      const b = base(m);
      const list = ranges(m, [
        [IOVA, IOVA + 0x100n * PAGE - 1n],
        [IOVA + 0x200n * PAGE, IOVA + 0x300n * PAGE - 1n],
      ]);
      return io(m, 'IOMMU_IOAS_ALLOW_IOVAS', { ioas_id: b.ioas, num_iovas: 2, allowed_iovas: list });
    },
  },
  {
    name: 'IOMMU_OPTION HUGE_PAGES off on an IOAS',
    prepare: (m) => io(m, 'IOMMU_OPTION', { option_id: 1, op: 0, object_id: base(m).ioas, val64: 0n }),
  },
  {
    name: 'VFIO_DEVICE_BIND_IOMMUFD (the first device of its group)',
    prepare: (m) => {
      ioasAlloc(m);
      return () => of(vfio(m, 'm0', VFIO_DEVICE_BIND_IOMMUFD, { iommufd: m.fdNumber('iommufd') }));
    },
  },
  {
    name: 'VFIO_DEVICE_ATTACH_IOMMUFD_PT to an IOAS (a new automatic domain filled with two areas)',
    prepare: (m) => {
      const b = base(m);
      mapTwo(m, b.ioas);
      return () => of(attach(m, 'm0', b.ioas));
    },
  },
  {
    name: 'VFIO_DEVICE_ATTACH_IOMMUFD_PT of a second group device to its group\'s domain',
    prepare: (m) => {
      const b = attachedBase(m);
      bind(m, 'm1');
      return () => of(attach(m, 'm1', b.hwpt));
    },
  },
  {
    name: 'VFIO_DEVICE_ATTACH_IOMMUFD_PT replacing a HWPT by one on another IOAS',
    prepare: (m) => {
      const b = attachedBase(m);
      const other = ioasAlloc(m);
      mapTwo(m, other);
      const hwpt = hwptAllocOk(m, b.d0, other);
      return () => of(attach(m, 'm0', hwpt));
    },
  },
  {
    name: 'VFIO_DEVICE_ATTACH_IOMMUFD_PT replacing a HWPT by a new automatic domain',
    prepare: (m) => {
      attachedBase(m);
      const other = ioasAlloc(m);
      mapTwo(m, other);
      return () => of(attach(m, 'm0', other));
    },
  },
  {
    name: 'VFIO_DEVICE_ATTACH_IOMMUFD_PT at a PASID',
    prepare: (m) => {
      const b = attachedBase(m);
      const hwpt = hwptAllocOk(m, b.d2, b.ioas, { flags: PASID_FLAG });
      return () => of(attach(m, 'm2', hwpt, 5));
    },
  },
  {
    name: 'VFIO_DEVICE_DETACH_IOMMUFD_PT (the automatic domain goes)',
    prepare: (m) => {
      attachedBase(m);
      return () => of(detach(m, 'm0'));
    },
  },
  {
    name: 'IOMMU_HWPT_ALLOC paging on a mapped IOAS',
    prepare: (m) => {
      const b = attachedBase(m);
      return io(m, 'IOMMU_HWPT_ALLOC', { dev_id: b.d2, pt_id: b.ioas });
    },
  },
  {
    name: 'IOMMU_HWPT_ALLOC paging with dirty tracking and a fault queue',
    prepare: (m) => {
      const b = attachedBase(m);
      const fault = ok(ioctl(m, 'IOMMU_FAULT_QUEUE_ALLOC', {}), ioctlDef('IOMMU_FAULT_QUEUE_ALLOC')).num('out_fault_id');
      return io(m, 'IOMMU_HWPT_ALLOC', { dev_id: b.d0, pt_id: b.ioas, flags: DIRTY_TRACKING | FAULT_ID_VALID, fault_id: fault });
    },
  },
  {
    name: 'IOMMU_HWPT_ALLOC nested on a nest parent',
    prepare: (m) => {
      const b = attachedBase(m);
      const parent = hwptAllocOk(m, b.d0, b.ioas, { flags: NEST_PARENT });
      return io(m, 'IOMMU_HWPT_ALLOC', { dev_id: b.d0, pt_id: parent, ...selftestData(m) });
    },
  },
  {
    name: 'IOMMU_HWPT_ALLOC nested through a vIOMMU',
    prepare: (m) => {
      const b = viommuBase(m);
      return io(m, 'IOMMU_HWPT_ALLOC', { dev_id: b.d0, pt_id: b.viommu, ...selftestData(m) });
    },
  },
  {
    name: 'IOMMU_HWPT_INVALIDATE of a nested HWPT',
    prepare: (m) => {
      const b = attachedBase(m);
      const parent = hwptAllocOk(m, b.d0, b.ioas, { flags: NEST_PARENT });
      const nested = hwptAllocOk(m, b.d0, parent, selftestData(m));
      const entry = new Uint8Array(8);
      entry[0] = 1; // IOMMU_TEST_INVALIDATE_FLAG_ALL
      return io(m, 'IOMMU_HWPT_INVALIDATE', { hwpt_id: nested, data_uptr: m.userScratch(entry), entry_len: 8, entry_num: 1, data_type: 0xdeadbeef });
    },
  },
  {
    name: 'IOMMU_HWPT_SET_DIRTY_TRACKING on',
    prepare: (m) => {
      const b = attachedBase(m);
      const hwpt = hwptAllocOk(m, b.d2, b.ioas, { flags: DIRTY_TRACKING });
      return io(m, 'IOMMU_HWPT_SET_DIRTY_TRACKING', { hwpt_id: hwpt, flags: 1 });
    },
  },
  {
    name: 'IOMMU_HWPT_GET_DIRTY_BITMAP',
    prepare: (m) => {
      const b = attachedBase(m);
      const hwpt = hwptAllocOk(m, b.d2, b.ioas, { flags: DIRTY_TRACKING });
      expectOk(ioctl(m, 'IOMMU_HWPT_SET_DIRTY_TRACKING', { hwpt_id: hwpt, flags: 1 }), 'dirty tracking');
      return io(m, 'IOMMU_HWPT_GET_DIRTY_BITMAP', { hwpt_id: hwpt, iova: IOVA, length: 4n * PAGE, page_size: PAGE, data: m.userScratch(new Uint8Array(8)) });
    },
  },
  {
    name: 'IOMMU_FAULT_QUEUE_ALLOC',
    prepare: (m) => io(m, 'IOMMU_FAULT_QUEUE_ALLOC', {}),
  },
  {
    name: 'IOMMU_VIOMMU_ALLOC',
    prepare: (m) => {
      const b = attachedBase(m);
      const parent = hwptAllocOk(m, b.d0, b.ioas, { flags: NEST_PARENT });
      return io(m, 'IOMMU_VIOMMU_ALLOC', { dev_id: b.d0, hwpt_id: parent, type: 0xdeadbeef });
    },
  },
  {
    name: 'IOMMU_VDEVICE_ALLOC',
    prepare: (m) => {
      const b = viommuBase(m);
      return io(m, 'IOMMU_VDEVICE_ALLOC', { viommu_id: b.viommu, dev_id: b.d0, virt_id: 7 });
    },
  },
  {
    name: 'IOMMU_VEVENTQ_ALLOC',
    prepare: (m) => {
      const b = viommuBase(m);
      return io(m, 'IOMMU_VEVENTQ_ALLOC', { viommu_id: b.viommu, type: SELFTEST_VEVENTQ, veventq_depth: 4 });
    },
  },
  {
    name: 'IOMMU_HW_QUEUE_ALLOC (an internal access pins the queue)',
    prepare: (m) => {
      const b = viommuBase(m);
      vdeviceAllocOk(m, b.viommu, b.d0, 1);
      return io(m, 'IOMMU_HW_QUEUE_ALLOC', { viommu_id: b.viommu, type: SELFTEST_HW_QUEUE, index: 0, nesting_parent_iova: IOVA, length: PAGE });
    },
  },
  {
    name: 'IOMMU_DESTROY of a HWPT',
    prepare: (m) => {
      const b = attachedBase(m);
      const hwpt = hwptAllocOk(m, b.d2, b.ioas);
      return io(m, 'IOMMU_DESTROY', { id: hwpt });
    },
  },
  {
    name: 'access create with needs_pin_pages',
    prepare: (m, held) => {
      const b = attachedBase(m);
      return () => call(() => held.accesses.add(m.accessCreate('iommufd', BigInt(b.ioas), 1n)));
    },
  },
  {
    name: 'access pin across two areas',
    prepare: (m, held) => {
      const b = base(m);
      expectOk(mapFixed(m, b.ioas, BUF, 2n * PAGE, IOVA), 'map');
      expectOk(mapFixed(m, b.ioas, BUF + 4n * PAGE, 2n * PAGE, IOVA + 2n * PAGE), 'map');
      attachOk(m, 'm0', b.ioas);
      const a = m.accessCreate('iommufd', BigInt(b.ioas), 1n);
      held.accesses.add(a);
      return () => call(() => m.accessPin('iommufd', BigInt(a), IOVA + PAGE, 2n * PAGE, 1n));
    },
  },
  {
    name: 'access rw',
    prepare: (m, held) => {
      const b = attachedBase(m);
      const a = m.accessCreate('iommufd', BigInt(b.ioas), 0n);
      held.accesses.add(a);
      return () => call(() => m.accessRw('iommufd', BigInt(a), IOVA + 0x10n, 64n, 1n, new Uint8Array(64).fill(7)));
    },
  },
  {
    name: 'access replace onto another IOAS',
    prepare: (m, held) => {
      const b = attachedBase(m);
      const a = m.accessCreate('iommufd', BigInt(b.ioas), 1n);
      held.accesses.add(a);
      const other = ioasAlloc(m);
      return () => call(() => m.accessReplace('iommufd', BigInt(a), BigInt(other)));
    },
  },
  {
    name: 'sva_bind of a PASID-capable device to a process',
    prepare: (m, held) => {
      m.declareProcess('app');
      // The mm gets its PASID on the first bind and keeps it (the kernel's
      // iommu_mm lives as long as the mm): bind once before, so the call
      // under test meets an mm that already has one.
      m.svaUnbind(m.svaBind('m2', 'app').handle);
      return () => call(() => held.svaHandles.push(m.svaBind('m2', 'app').handle));
    },
  },
];
