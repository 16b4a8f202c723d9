// A machine with one mock device bound, attached to an IOAS, a nest-parent
// HWPT and a selftest vIOMMU on it (the kernel selftest's mock_viommu
// fixture), plus raw helpers for the vIOMMU-family ioctls.
import { ioctlDef, VIOMMU_TYPES } from '../../emulator/engine/uapi/iommufd.js';
import { StructView } from '../../emulator/engine/uapi/layout.js';
import type { DeviceOptions } from '../../emulator/engine/machine-api.js';
import { attachOk, bind, createMachine, hwptAllocOk, ioasAlloc, ioctl, ok, twoDevices, type Fields, type Machine } from '../engine/machine-harness.js';

export const SELFTEST_VIOMMU = Number(VIOMMU_TYPES.selftest);
export const SELFTEST_VEVENTQ = 0xbeefbeef;
export const SELFTEST_HW_QUEUE = 0xdeadbeef;
export const NEST_PARENT = 1;
export const FAULT_ID_VALID = 4;

export interface Fixture {
  m: Machine;
  ioas: number;
  dev: number;
  parent: number;
  viommu: number;
}

/** ioas=1, dev=2, auto hwpt=3, parent=4, viommu=5 on a fresh machine. */
export function viommuFixture(opts: DeviceOptions = {}): Fixture {
  const m = createMachine();
  m.declareDevice('m0', opts);
  const ioas = ioasAlloc(m);
  const dev = bind(m, 'm0');
  attachOk(m, 'm0', ioas);
  const parent = hwptAllocOk(m, dev, ioas, { flags: NEST_PARENT });
  const viommu = viommuAllocOk(m, dev, parent);
  return { m, ioas, dev, parent, viommu };
}

/** twoDevices behind two IOMMUs, with a nest parent and a vIOMMU for d0 (on IOMMU a). */
export function twoIommuFixture(): { m: Machine; ioas: number; d0: number; d1: number; parent: number; viommu: number } {
  const { m, ioas, d0, d1 } = twoDevices(true);
  const parent = hwptAllocOk(m, d0, ioas, { flags: NEST_PARENT });
  return { m, ioas, d0, d1, parent, viommu: viommuAllocOk(m, d0, parent) };
}

export function out(r: ReturnType<typeof ioctl>, name: string): StructView {
  return ok(r, ioctlDef(name));
}

export function viommuAlloc(m: Machine, dev: number, hwpt: number, fields: Fields = {}) {
  return ioctl(m, 'IOMMU_VIOMMU_ALLOC', { dev_id: dev, hwpt_id: hwpt, type: SELFTEST_VIOMMU, ...fields });
}

export function viommuAllocOk(m: Machine, dev: number, hwpt: number, fields: Fields = {}): number {
  return out(viommuAlloc(m, dev, hwpt, fields), 'IOMMU_VIOMMU_ALLOC').num('out_viommu_id');
}

export function vdeviceAlloc(m: Machine, viommu: number, dev: number, virtId: bigint | number, fd = 'iommufd') {
  return ioctl(m, 'IOMMU_VDEVICE_ALLOC', { viommu_id: viommu, dev_id: dev, virt_id: virtId }, fd);
}

export function vdeviceAllocOk(m: Machine, viommu: number, dev: number, virtId: bigint | number): number {
  return out(vdeviceAlloc(m, viommu, dev, virtId), 'IOMMU_VDEVICE_ALLOC').num('out_vdevice_id');
}

export function veventqAlloc(m: Machine, viommu: number, depth: number, fields: Fields = {}) {
  return ioctl(m, 'IOMMU_VEVENTQ_ALLOC', { viommu_id: viommu, type: SELFTEST_VEVENTQ, veventq_depth: depth, ...fields });
}

export function faultAlloc(m: Machine, fd = 'iommufd'): { id: number; fdNo: number } {
  const v = out(ioctl(m, 'IOMMU_FAULT_QUEUE_ALLOC', {}, fd), 'IOMMU_FAULT_QUEUE_ALLOC');
  return { id: v.num('out_fault_id'), fdNo: v.num('out_fault_fd') };
}

/** IOMMU_TEST_CMD op TRIGGER_IOPF { u32 dev_id, pasid, grpid, perm; u64 addr }. */
export function triggerIopf(m: Machine, dev: number, pasid: number, grpid: number, perm: number, addr: bigint) {
  return ioctl(m, 'IOMMU_TEST_CMD', {
    op: 15,
    a: BigInt(dev) | (BigInt(pasid) << 32n),
    b: BigInt(grpid) | (BigInt(perm) << 32n),
    c: addr,
  });
}

/** IOMMU_TEST_CMD op TRIGGER_VEVENT { u32 dev_id }. */
export function triggerVevent(m: Machine, dev: number) {
  return ioctl(m, 'IOMMU_TEST_CMD', { op: 17, a: dev });
}

/** HWPT_ALLOC of a selftest nested HWPT through the vIOMMU (or a nest parent). */
export function nestedData(m: Machine, iotlb = 0xbadbeef): Fields {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setUint32(0, iotlb, true);
  return { data_type: 0xdead, data_len: 8, data_uptr: m.userScratch(b) };
}
