// Drives the engine directly through MachineApi, one ioctl per call, as the
// runtime would after it has evaluated a statement: the scaling and
// translation benchmarks time the engine's own data structures, not the
// front end.
import type { IoctlDef } from '../emulator/engine/uapi/iommufd.js';
import { iommufdCmd, ioctlDef, IOAS_MAP_FLAGS } from '../emulator/engine/uapi/iommufd.js';
import { StructView } from '../emulator/engine/uapi/layout.js';
import { VFIO_DEVICE_ATTACH_IOMMUFD_PT, VFIO_DEVICE_BIND_IOMMUFD, VFIO_DEVICE_DETACH_IOMMUFD_PT } from '../emulator/engine/uapi/vfio.js';
import { createMachine, type Machine } from '../emulator/engine/machine.js';
import type { IommuModel } from '../emulator/engine/machine-api.js';

const FD = 'iommufd';
const MAP_RW_FIXED = IOAS_MAP_FLAGS.fixed_iova | IOAS_MAP_FLAGS.readable | IOAS_MAP_FLAGS.writeable;

export class EngineDriver {
  readonly machine: Machine = createMachine();

  constructor(model: IommuModel = 'smmuv3') {
    this.machine.declareIommu('iommu0', { model });
  }

  /** Issues `def` with `fields`; throws on an errno; returns the struct written back. */
  ioctl(def: IoctlDef, fields: Record<string, bigint>, device?: string): StructView {
    const view = StructView.zeroed(def.struct);
    view.set(def.struct.fields[0]!.name, BigInt(def.struct.size)); // size / argsz
    for (const [k, v] of Object.entries(fields)) view.set(k, v);
    const cmd = iommufdCmd(def.nr);
    const r = device === undefined ? this.machine.ioctl(FD, cmd, view.bytes) : this.machine.vfioIoctl(device, cmd, view.bytes);
    if (r.error) throw new Error(`${def.name}: ${r.error.errno} (${r.error.reason})`);
    return new StructView(def.struct, r.arg!);
  }

  ioasAlloc(): bigint {
    return this.ioctl(ioctlDef('IOMMU_IOAS_ALLOC'), {}).get('out_ioas_id');
  }

  map(ioas: bigint, userVa: bigint, length: bigint, iova: bigint): void {
    this.ioctl(ioctlDef('IOMMU_IOAS_MAP'), { ioas_id: ioas, user_va: userVa, length, iova, flags: MAP_RW_FIXED });
  }

  unmap(ioas: bigint, iova: bigint, length: bigint): void {
    this.ioctl(ioctlDef('IOMMU_IOAS_UNMAP'), { ioas_id: ioas, iova, length });
  }

  destroy(id: bigint): void {
    this.ioctl(ioctlDef('IOMMU_DESTROY'), { id });
  }

  /** Declares the device and binds it; returns its dev_id. */
  bind(device: string): bigint {
    this.machine.declareDevice(device, {});
    return this.ioctl(VFIO_DEVICE_BIND_IOMMUFD, { iommufd: BigInt(this.machine.fdNumber(FD)) }, device).get('out_devid');
  }

  attach(device: string, ptId: bigint): bigint {
    return this.ioctl(VFIO_DEVICE_ATTACH_IOMMUFD_PT, { pt_id: ptId }, device).get('pt_id');
  }

  detach(device: string): void {
    this.ioctl(VFIO_DEVICE_DETACH_IOMMUFD_PT, {}, device);
  }
}
