// Drives a Machine through raw ioctls, as a VMM would: structs are built as
// bytes (StructView.zeroed), payloads go through the VMM's scratch area.
import assert from 'node:assert/strict';
import { createMachine, type Machine } from '../../emulator/engine/machine.js';
import type { IoctlResult } from '../../emulator/engine/machine-api.js';
import { ioctlDef, iommufdCmd, type IoctlDef } from '../../emulator/engine/uapi/iommufd.js';
import { StructView } from '../../emulator/engine/uapi/layout.js';
import { thrownErrno } from './thrown-errno.js';
import { VFIO_DEVICE_ATTACH_IOMMUFD_PT, VFIO_DEVICE_BIND_IOMMUFD, VFIO_DEVICE_DETACH_IOMMUFD_PT } from '../../emulator/engine/uapi/vfio.js';

export type Fields = Record<string, bigint | number>;

export { createMachine, type Machine };

/** The errno of a result or a thrown KernelError, else 'ok'. */
export function errnoOf(r: IoctlResult | (() => unknown)): string {
  if (typeof r === 'function') return thrownErrno(r);
  return r.error?.errno ?? 'ok';
}

function build(def: IoctlDef, fields: Fields): Uint8Array {
  const v = StructView.zeroed(def.struct);
  if (def.struct.fields[0]!.name === 'size') v.set('size', def.struct.size);
  else v.set('argsz', def.struct.size);
  for (const [k, val] of Object.entries(fields)) v.set(k, val);
  return v.bytes;
}

/** A raw iommufd ioctl by uAPI name. */
export function ioctl(m: Machine, name: string, fields: Fields = {}, fd = 'iommufd'): IoctlResult {
  const def = ioctlDef(name);
  return m.ioctl(fd, iommufdCmd(def.nr), build(def, fields));
}

/** The outputs of a successful ioctl. */
export function ok(r: IoctlResult, def: IoctlDef): StructView {
  assert.equal(r.error, undefined, r.error?.message);
  return new StructView(def.struct, r.arg!);
}

export function ioasAlloc(m: Machine, fd = 'iommufd'): number {
  return ok(ioctl(m, 'IOMMU_IOAS_ALLOC', {}, fd), ioctlDef('IOMMU_IOAS_ALLOC')).num('out_ioas_id');
}

export function vfio(m: Machine, device: string, def: IoctlDef, fields: Fields): IoctlResult {
  return m.vfioIoctl(device, iommufdCmd(def.nr), build(def, fields));
}

/**
 * A fresh machine with mock devices m0 and m1 bound after one IOAS (ioas=1,
 * d0=2, d1=3); `separateIommus` puts them behind two mock IOMMUs, a and b.
 */
export function twoDevices(separateIommus = false): { m: Machine; ioas: number; d0: number; d1: number } {
  const m = createMachine();
  if (separateIommus) {
    m.declareIommu('a', { model: 'mock' });
    m.declareIommu('b', { model: 'mock' });
  }
  m.declareDevice('m0', separateIommus ? { iommu: 'a' } : {});
  m.declareDevice('m1', separateIommus ? { iommu: 'b' } : {});
  const ioas = ioasAlloc(m);
  return { m, ioas, d0: bind(m, 'm0'), d1: bind(m, 'm1') };
}

/** VFIO_DEVICE_BIND_IOMMUFD; returns the DEVICE id. */
export function bind(m: Machine, device: string, fd = 'iommufd'): number {
  const r = vfio(m, device, VFIO_DEVICE_BIND_IOMMUFD, { iommufd: m.fdNumber(fd) });
  return ok(r, VFIO_DEVICE_BIND_IOMMUFD).num('out_devid');
}

/** VFIO_DEVICE_ATTACH_IOMMUFD_PT; the result's pt_id is the HWPT used. */
export function attach(m: Machine, device: string, ptId: number, pasid?: number): IoctlResult {
  return vfio(m, device, VFIO_DEVICE_ATTACH_IOMMUFD_PT, pasid === undefined ? { pt_id: ptId } : { pt_id: ptId, flags: 1, pasid });
}

export function attachOk(m: Machine, device: string, ptId: number, pasid?: number): number {
  return ok(attach(m, device, ptId, pasid), VFIO_DEVICE_ATTACH_IOMMUFD_PT).num('pt_id');
}

export function detach(m: Machine, device: string, pasid?: number): IoctlResult {
  return vfio(m, device, VFIO_DEVICE_DETACH_IOMMUFD_PT, pasid === undefined ? {} : { flags: 1, pasid });
}

export function hwptAlloc(m: Machine, devId: number, ptId: number, fields: Fields = {}): IoctlResult {
  return ioctl(m, 'IOMMU_HWPT_ALLOC', { dev_id: devId, pt_id: ptId, ...fields });
}

export function hwptAllocOk(m: Machine, devId: number, ptId: number, fields: Fields = {}): number {
  return ok(hwptAlloc(m, devId, ptId, fields), ioctlDef('IOMMU_HWPT_ALLOC')).num('out_hwpt_id');
}

/** HWPT_ALLOC with the selftest's data {iotlb, pagetable_type}. */
export function selftestData(m: Machine, iotlb = 0xbadbeefn, len = 8): Fields {
  const b = new Uint8Array(len);
  new DataView(b.buffer).setUint32(0, Number(iotlb), true);
  return { data_type: 0xdead, data_len: len, data_uptr: m.userScratch(b) };
}

/** IOAS_MAP with fixed iova, read+write. */
export function mapFixed(m: Machine, ioas: number, va: bigint, length: bigint, iova: bigint, flags = 7): IoctlResult {
  return ioctl(m, 'IOMMU_IOAS_MAP', { ioas_id: ioas, user_va: va, length, iova, flags });
}

export function destroy(m: Machine, id: number, fd = 'iommufd'): string {
  return errnoOf(ioctl(m, 'IOMMU_DESTROY', { id }, fd));
}
