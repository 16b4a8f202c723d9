// The VFIO device cdev (/dev/vfio/devices/vfioN) ioctls that connect a
// device to iommufd (drivers/vfio/device_cdev.c, iommufd-reference §4.1-4.2):
// BIND_IOMMUFD, ATTACH_IOMMUFD_PT (a replace when already attached) and
// DETACH_IOMMUFD_PT; closing the file detaches everything, then unbinds.
import type { Device } from './core/device.js';
import { KernelError, fail } from './errno.js';
import { bindDevice, unbindDevice, type IommufdDevice } from './iommufd/device.js';
import { deviceAttach, deviceDetach, deviceReplace } from './iommufd/device-attach.js';
import type { IommufdFile } from './iommufd/iommufd-file.js';
import type { IoctlResult } from './machine-api.js';
import { iommufdCmd, type IoctlDef } from './uapi/iommufd.js';
import { StructView, field } from './uapi/layout.js';
import { VFIO_DEVICE_ATTACH_IOMMUFD_PT, VFIO_DEVICE_BIND_IOMMUFD, VFIO_DEVICE_DETACH_IOMMUFD_PT, VFIO_DEVICE_PASID_FLAG } from './uapi/vfio.js';

/** What an fd number of the VMM is, as far as BIND_IOMMUFD cares. */
export type FdLookup = (fd: number) => IommufdFile | 'not-iommufd' | undefined;

/** One open VFIO device file. */
export class VfioDeviceFile {
  /** Set by a successful BIND_IOMMUFD (df->access_granted). */
  idev?: IommufdDevice;

  constructor(readonly dev: Device) {}

  ioctl(cmd: number, arg: Uint8Array | null, lookupFd: FdLookup): IoctlResult {
    try {
      switch (cmd) {
        case iommufdCmd(VFIO_DEVICE_BIND_IOMMUFD.nr):
          return { arg: this.bind(arg, lookupFd) };
        case iommufdCmd(VFIO_DEVICE_ATTACH_IOMMUFD_PT.nr):
          return { arg: this.attach(arg) };
        case iommufdCmd(VFIO_DEVICE_DETACH_IOMMUFD_PT.nr):
          return { arg: this.detach(arg) };
        default:
          fail('ENOTTY', `0x${cmd.toString(16)} is not a VFIO device ioctl`);
      }
    } catch (e) {
      if (e instanceof KernelError) return { error: e, arg };
      throw e;
    }
  }

  /** Closing the file: every PASID, then the RID, is detached, then the device unbound. */
  close(): void {
    const idev = this.idev;
    if (!idev) return;
    const pasids = [...idev.igroup.attachments.keys()]
      .filter((p): p is number => p !== undefined && idev.igroup.isAttached(idev, p))
      .sort((a, b) => a - b);
    for (const p of pasids) deviceDetach(idev, p);
    if (idev.igroup.isAttached(idev, undefined)) deviceDetach(idev, undefined);
    this.idev = undefined;
    unbindDevice(idev);
  }

  private bind(arg: Uint8Array | null, lookupFd: FdLookup): Uint8Array {
    const s = copyIn(VFIO_DEVICE_BIND_IOMMUFD, arg, 'out_devid');
    if (s.num('argsz') < s.def.size) fail('EINVAL', `argsz ${s.num('argsz')} is below ${s.def.size}`);
    if (s.get('flags') !== 0n) fail('EINVAL', `flags 0x${s.get('flags').toString(16)} must be 0`);
    const fd = BigInt.asIntN(32, s.get('iommufd'));
    if (fd < 0n) fail('EINVAL', `iommufd ${fd} is negative`);
    if (this.idev) fail('EINVAL', `device ${this.dev.name} is already bound through this file`);
    const file = lookupFd(Number(fd));
    if (file === undefined) fail('EBADF', `fd ${fd} is not open`);
    if (file === 'not-iommufd') fail('EBADFD', `fd ${fd} is not an iommufd`);
    this.idev = bindDevice(file, this.dev);
    return copyOut(arg!, s, 'out_devid', BigInt(this.idev.id));
  }

  private attach(arg: Uint8Array | null): Uint8Array {
    const idev = this.bound();
    const s = copyIn(VFIO_DEVICE_ATTACH_IOMMUFD_PT, arg, 'pt_id');
    const pasid = this.pasidArg(s, VFIO_DEVICE_ATTACH_IOMMUFD_PT, arg!, 'pt_id');
    const ptId = s.get('pt_id');
    const id = idev.igroup.isAttached(idev, pasid) ? deviceReplace(idev, pasid, ptId) : deviceAttach(idev, pasid, ptId);
    return copyOut(arg!, s, 'pt_id', BigInt(id));
  }

  private detach(arg: Uint8Array | null): Uint8Array {
    const idev = this.bound();
    const s = copyIn(VFIO_DEVICE_DETACH_IOMMUFD_PT, arg, 'flags');
    const pasid = this.pasidArg(s, VFIO_DEVICE_DETACH_IOMMUFD_PT, arg!, 'flags');
    // Detaching what is not attached is silently nothing.
    if (idev.igroup.isAttached(idev, pasid)) deviceDetach(idev, pasid);
    return arg!;
  }

  private bound(): IommufdDevice {
    if (!this.idev) fail('EINVAL', `device ${this.dev.name} is not bound to an iommufd`);
    return this.idev;
  }

  /** The checks shared by ATTACH and DETACH: flags, then the PASID extension's argsz. */
  private pasidArg(s: StructView, def: IoctlDef, arg: Uint8Array, minLast: string): number | undefined {
    const minsz = end(def, minLast);
    if (s.num('argsz') < minsz) fail('EINVAL', `argsz ${s.num('argsz')} is below ${minsz}`);
    const flags = s.get('flags');
    if (flags & ~VFIO_DEVICE_PASID_FLAG) fail('EINVAL', `unknown flags 0x${(flags & ~VFIO_DEVICE_PASID_FLAG).toString(16)}`);
    if (!(flags & VFIO_DEVICE_PASID_FLAG)) return undefined;
    const xend = end(def, 'pasid');
    if (s.num('argsz') < xend) fail('EINVAL', `argsz ${s.num('argsz')} is below ${xend}, which the PASID flag needs`);
    if (arg.length < xend) fail('EFAULT', 'the pasid field is past the end of the argument');
    s.bytes.set(arg.subarray(minsz, xend), minsz);
    return s.num('pasid');
  }
}

function end(def: IoctlDef, name: string): number {
  const f = field(def.struct, name);
  return f.offset + f.size;
}

/** copy_from_user of the struct up to `minLast` (EFAULT if the buffer is shorter). */
function copyIn(def: IoctlDef, arg: Uint8Array | null, minLast: string): StructView {
  const minsz = end(def, minLast);
  if (arg === null || arg.length < minsz) fail('EFAULT', `the ${def.struct.name} argument is not readable`);
  const s = StructView.zeroed(def.struct);
  s.bytes.set(arg.subarray(0, minsz));
  return s;
}

/** copy_to_user of one output field into the caller's struct: the rest of it is untouched. */
function copyOut(arg: Uint8Array, s: StructView, name: string, value: bigint): Uint8Array {
  s.set(name, value);
  const f = field(s.def, name);
  arg.set(s.bytes.subarray(f.offset, f.offset + f.size), f.offset);
  return arg;
}
