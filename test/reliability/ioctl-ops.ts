// Random ioctl sequences for the engine's invariant properties: what a VMM
// (or a hostile trace) can do to one iommufd through raw ioctls, the VFIO
// device files, and the selftest's access driver. Ids and addresses are
// drawn from small ranges so that most calls name real objects and real
// memory, and many still fail (wrong type, busy, unaligned, overlapping).
import fc from 'fast-check';
import { KernelError } from '../../emulator/engine/errno.js';
import type { MockDriver } from '../../emulator/engine/drivers/mock/mock-driver.js';
import type { IommufdFile } from '../../emulator/engine/iommufd/iommufd-file.js';
import type { ObjectType } from '../../emulator/engine/iommufd/object.js';
import { VFIO_DEVICE_BIND_IOMMUFD } from '../../emulator/engine/uapi/vfio.js';
import { StructView } from '../../emulator/engine/uapi/layout.js';
import { attach, createMachine, detach, ioctl, selftestData, vfio, type Fields, type Machine } from '../engine/machine-harness.js';

/** The devices of the test machine: m0 and m1 share a group; m2 is alone and PASID-capable. */
export const DEVICES = ['m0', 'm1', 'm2'] as const;
export type DeviceName = (typeof DEVICES)[number];

/** The VMM buffer every map draws its user_va from. */
export const BUF = 0x4000_0000n;
export const BUF_PAGES = 16n;
const PAGE = 0x1000n;

export type Op =
  | { op: 'ioas_alloc' }
  | { op: 'map'; ioas: number; page: bigint; pages: bigint; iova: bigint | undefined; flags: number }
  | { op: 'unmap'; ioas: number; iova: bigint; length: bigint }
  | { op: 'copy'; dst: number; src: number; srcIova: bigint; dstIova: bigint | undefined; length: bigint }
  | { op: 'allow_iovas'; ioas: number; start: bigint; last: bigint }
  | { op: 'destroy'; id: number }
  | { op: 'bind'; dev: DeviceName }
  | { op: 'vfio_close'; dev: DeviceName }
  | { op: 'attach'; dev: DeviceName; pt: number; pasid: number | undefined }
  | { op: 'detach'; dev: DeviceName; pasid: number | undefined }
  | { op: 'hwpt_alloc'; devId: number; pt: number; flags: number; nested: boolean; faultId: number }
  | { op: 'fault_alloc' }
  | { op: 'fault_close'; id: number }
  | { op: 'viommu_alloc'; devId: number; hwpt: number }
  | { op: 'vdevice_alloc'; viommu: number; devId: number; virtId: bigint }
  | { op: 'access_create'; ioas: number; pin: boolean }
  | { op: 'access_pin'; id: number; iova: bigint; length: bigint; write: boolean }
  | { op: 'access_unpin'; id: number; iova: bigint; length: bigint }
  | { op: 'access_replace'; id: number; ioas: number }
  | { op: 'access_destroy'; id: number };

/**
 * An object reference: below RAW it picks one of the live objects of the
 * type the field wants (so most calls reach the checks past the lookup), at
 * or above it names the raw id `n - RAW` (0, freed, or of the wrong type).
 */
const RAW = 90;
const id = fc.oneof({ weight: 5, arbitrary: fc.integer({ min: 0, max: RAW - 1 }) }, { weight: 1, arbitrary: fc.integer({ min: RAW, max: RAW + 8 }) });
const dev = fc.constantFrom(...DEVICES);
const pageAddr = (max: number) => fc.integer({ min: 0, max }).map((n) => BigInt(n) * PAGE);
/** Mostly whole pages, sometimes an odd byte count (EINVAL paths). */
const length = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 1, max: 6 }).map((n) => BigInt(n) * PAGE) },
  { weight: 1, arbitrary: fc.constantFrom(0n, 0x800n, 1n << 63n, (1n << 64n) - 1n) },
);
/** IOVAs past the mock IOMMU's reserved 0..16M (attached IOASes refuse it), and a few that are not. */
const IOVA_BASE = 0x100_0000n;
const iova = fc.oneof(
  { weight: 8, arbitrary: pageAddr(24).map((a) => IOVA_BASE + a) },
  { weight: 1, arbitrary: fc.constantFrom(0n, 0x10n, (1n << 64n) - PAGE) },
);
const pasid = fc.option(fc.constantFrom(1, 5), { freq: 3, nil: undefined });

export const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ op: 'ioas_alloc' as const }) },
  {
    weight: 6,
    arbitrary: fc.record({
      op: fc.constant('map' as const),
      ioas: id,
      page: fc.integer({ min: 0, max: 18 }).map(BigInt),
      pages: fc.integer({ min: 0, max: 6 }).map(BigInt),
      iova: fc.option(iova, { freq: 3, nil: undefined }),
      flags: fc.oneof({ weight: 6, arbitrary: fc.constantFrom(6, 4, 2) }, { weight: 1, arbitrary: fc.constantFrom(0, 0x80) }),
    }),
  },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('unmap' as const), ioas: id, iova, length: fc.oneof(length, fc.constant(0n)) }) },
  {
    weight: 2,
    arbitrary: fc.record({ op: fc.constant('copy' as const), dst: id, src: id, srcIova: iova, dstIova: fc.option(iova, { freq: 2, nil: undefined }), length }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('allow_iovas' as const), ioas: id, start: pageAddr(8).map((a) => IOVA_BASE + a), last: pageAddr(32).map((a) => IOVA_BASE + a + PAGE - 1n) }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('destroy' as const), id }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('bind' as const), dev }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('vfio_close' as const), dev }) },
  { weight: 5, arbitrary: fc.record({ op: fc.constant('attach' as const), dev, pt: id, pasid }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('detach' as const), dev, pasid }) },
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant('hwpt_alloc' as const),
      devId: id,
      pt: id,
      flags: fc.constantFrom(0, 1, 8, 4, 2, 0x10),
      nested: fc.boolean(),
      faultId: id,
    }),
  },
  { weight: 1, arbitrary: fc.constant({ op: 'fault_alloc' as const }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('fault_close' as const), id }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('viommu_alloc' as const), devId: id, hwpt: id }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('vdevice_alloc' as const), viommu: id, devId: id, virtId: fc.constantFrom(0n, 1n, 7n) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('access_create' as const), ioas: id, pin: fc.boolean() }) },
  { weight: 6, arbitrary: fc.record({ op: fc.constant('access_pin' as const), id, iova, length, write: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('access_unpin' as const), id, iova, length }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('access_replace' as const), id, ioas: id }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('access_destroy' as const), id }) },
);

/** A machine with the test topology: three mock devices and a 16-page buffer (mapped past its end fails). */
export function testMachine(): Machine {
  const m = createMachine();
  m.declareDevice('m0', { group: 1 });
  m.declareDevice('m1', { group: 1 });
  m.declareDevice('m2', { pasidBits: 8 });
  m.declareMemory('buf', BUF_PAGES * PAGE, { at: BUF });
  // The mock driver makes its per-device state on first use; make it now, so
  // that a failed call's first use does not read as a change of state.
  const driver = m.host.iommus.get('iommu0')!.driver as MockDriver;
  for (const d of DEVICES) driver.mdev(m.host.device(d));
  return m;
}

/** What the test driver holds outside the iommufd: its bound devices and live accesses (both hold users). */
export interface DriverState {
  bound: Map<DeviceName, number>;
  accesses: Set<number>;
}

export interface OpOutcome {
  errno: string;
  /** The KernelError's reason, for failure messages. */
  reason?: string;
  /**
   * True when the kernel makes this call all-or-nothing, so a failure must
   * leave the state as it was. UNMAP is not: it unmaps area by area and can
   * stop with EBUSY half-way.
   */
  atomic: boolean;
}

/**
 * What the VMM does before the call, ahead of the state snapshot: the
 * payloads in its scratch memory and the device file it opens.
 */
export function preparePayload(m: Machine, op: Op): Fields {
  // Opening the device file is the VMM's doing too (the first VFIO ioctl
  // opens it in the machine); an unknown ioctl number only opens it.
  if ('dev' in op) m.vfioIoctl(op.dev, 0, null);
  if (op.op === 'hwpt_alloc' && op.nested) return selftestData(m);
  if (op.op === 'allow_iovas') {
    const b = new Uint8Array(16);
    const v = new DataView(b.buffer);
    v.setBigUint64(0, op.start, true);
    v.setBigUint64(8, op.last, true);
    return { num_iovas: 1, allowed_iovas: m.userScratch(b) };
  }
  return {};
}

const outcome = (r: { error?: KernelError }, atomic = true): OpOutcome => ({ errno: r.error?.errno ?? 'ok', reason: r.error?.reason, atomic });

type Want = ObjectType | ObjectType[] | 'any';

/** The id a reference `n` names now (see RAW). */
function resolve(file: IommufdFile, want: Want, n: number): number {
  if (n >= RAW) return n - RAW;
  const fits = file.objects.live().filter((o) => want === 'any' || (Array.isArray(want) ? want.includes(o.type) : o.type === want));
  return fits.length > 0 ? fits[n % fits.length]!.id : n % 8;
}

/** The iommufd the ops act on. */
export function iommufdFile(m: Machine): IommufdFile {
  for (const e of m.host.fds.values()) if (e.kind === 'iommufd') return e.file;
  throw new Error('the test machine has no iommufd open');
}

/** Runs `op`; a KernelError is an outcome, any other exception escapes (a bug). */
export function applyOp(m: Machine, driver: DriverState, op: Op, payload: Fields): OpOutcome {
  const file = iommufdFile(m);
  const ref = (want: Want, n: number): number => resolve(file, want, n);
  const PT: ObjectType[] = ['IOAS', 'HWPT_PAGING', 'HWPT_NESTED'];
  const io = (name: string, fields: Fields): OpOutcome => outcome(ioctl(m, name, fields));
  const call = (fn: () => void, atomic = true): OpOutcome => {
    try {
      fn();
      return { errno: 'ok', atomic };
    } catch (e) {
      if (e instanceof KernelError) return outcome({ error: e }, atomic);
      throw e;
    }
  };
  switch (op.op) {
    case 'ioas_alloc':
      return io('IOMMU_IOAS_ALLOC', {});
    case 'map':
      return io('IOMMU_IOAS_MAP', {
        ioas_id: ref('IOAS', op.ioas),
        user_va: BUF + op.page * PAGE,
        length: op.pages * PAGE,
        iova: op.iova ?? 0n,
        flags: op.flags | (op.iova !== undefined ? 1 : 0),
      });
    case 'unmap':
      return outcome(ioctl(m, 'IOMMU_IOAS_UNMAP', { ioas_id: ref('IOAS', op.ioas), iova: op.iova, length: op.length }), false);
    case 'copy':
      return io('IOMMU_IOAS_COPY', {
        dst_ioas_id: ref('IOAS', op.dst),
        src_ioas_id: ref('IOAS', op.src),
        src_iova: op.srcIova,
        dst_iova: op.dstIova ?? 0n,
        length: op.length,
        flags: 6 | (op.dstIova !== undefined ? 1 : 0),
      });
    case 'allow_iovas':
      return io('IOMMU_IOAS_ALLOW_IOVAS', { ioas_id: ref('IOAS', op.ioas), ...payload });
    case 'destroy':
      return io('IOMMU_DESTROY', { id: ref('any', op.id) });
    case 'bind': {
      const r = vfio(m, op.dev, VFIO_DEVICE_BIND_IOMMUFD, { iommufd: m.fdNumber('iommufd') });
      if (!r.error) driver.bound.set(op.dev, new StructView(VFIO_DEVICE_BIND_IOMMUFD.struct, r.arg!).num('out_devid'));
      return outcome(r);
    }
    case 'vfio_close':
      return call(() => {
        m.vfioClose(op.dev);
        driver.bound.delete(op.dev);
      });
    case 'attach':
      return outcome(attach(m, op.dev, ref(PT, op.pt), op.pasid));
    case 'detach':
      return outcome(detach(m, op.dev, op.pasid));
    case 'hwpt_alloc':
      return io('IOMMU_HWPT_ALLOC', { dev_id: ref('DEVICE', op.devId), pt_id: ref([...PT, 'VIOMMU'], op.pt), flags: op.flags, fault_id: ref('FAULT', op.faultId), ...payload });
    case 'fault_alloc':
      return io('IOMMU_FAULT_QUEUE_ALLOC', {});
    case 'fault_close':
      return call(() => m.faultClose('iommufd', BigInt(ref('FAULT', op.id))));
    case 'viommu_alloc':
      return io('IOMMU_VIOMMU_ALLOC', { dev_id: ref('DEVICE', op.devId), hwpt_id: ref('HWPT_PAGING', op.hwpt), type: 0xdeadbeefn });
    case 'vdevice_alloc':
      return io('IOMMU_VDEVICE_ALLOC', { viommu_id: ref('VIOMMU', op.viommu), dev_id: ref('DEVICE', op.devId), virt_id: op.virtId });
    case 'access_create':
      return call(() => driver.accesses.add(m.accessCreate('iommufd', BigInt(ref('IOAS', op.ioas)), op.pin ? 1n : 0n)));
    case 'access_pin':
      return call(() => m.accessPin('iommufd', BigInt(ref('ACCESS', op.id)), op.iova, op.length, op.write ? 1n : 0n));
    case 'access_unpin':
      return call(() => m.accessUnpin('iommufd', BigInt(ref('ACCESS', op.id)), op.iova, op.length));
    case 'access_replace':
      return call(() => m.accessReplace('iommufd', BigInt(ref('ACCESS', op.id)), BigInt(ref('IOAS', op.ioas))));
    case 'access_destroy':
      return call(() => {
        const access = ref('ACCESS', op.id);
        m.accessDestroy('iommufd', BigInt(access));
        driver.accesses.delete(access);
      });
  }
}


/** The setup every sequence starts with, so most calls find something to act on: an IOAS and two bound devices. */
const SETUP: Op[] = [{ op: 'ioas_alloc' }, { op: 'bind', dev: 'm0' }, { op: 'bind', dev: 'm2' }];

export const sequenceArbitrary = (maxLength: number): fc.Arbitrary<Op[]> =>
  fc.array(opArbitrary, { minLength: 1, maxLength }).map((ops) => [...SETUP, ...ops]);
