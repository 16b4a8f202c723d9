// The ioctl framework of /dev/iommu (iommufd-reference §1.1): numbers, the
// size protocol and the order of its errnos, before any handler runs.
import { KernelError, fail } from '../errno.js';
import type { IoctlResult } from '../machine-api.js';
import { IOCTLS_BY_NR, IOMMUFD_CMD_BASE, IOMMUFD_CMD_END, iommufdCmd, type IoctlDef } from '../uapi/iommufd.js';
import { copyBytes } from '../memory/copy-bytes.js';
import { StructView } from '../uapi/layout.js';
import { Ucmd } from './ucmd.js';

export type IoctlHandler = (ucmd: Ucmd) => void;

/**
 * Runs one ioctl. `lookup` finds the handler for an ioctl (undefined: the
 * slot is empty in this build). `compat` handles the VFIO compatibility
 * range (nr < 0x80 or past the table) and throws ENOTTY for what it does not know.
 */
export function dispatchIoctl(
  cmd: number,
  arg: Uint8Array | null,
  lookup: (def: IoctlDef) => IoctlHandler | undefined,
  compat: (cmd: number, arg: Uint8Array | null) => IoctlResult,
): IoctlResult {
  const nr = cmd & 0xff;
  if (nr < IOMMUFD_CMD_BASE || nr >= IOMMUFD_CMD_END) return compat(cmd, arg);
  let out: Uint8Array | null = arg;
  try {
    // The size is read before the command number is checked, so a NULL
    // argument to a valid-range nr is EFAULT, not ENOTTY.
    if (arg === null || arg.length < 4) fail('EFAULT', 'the argument pointer is not readable');
    // A u32 read as a number: every ioctl passes here, and a BigInt would be thrown away at once.
    const userSize = (arg[0]! | (arg[1]! << 8) | (arg[2]! << 16) | (arg[3]! << 24)) >>> 0;
    const def = IOCTLS_BY_NR.get(nr);
    const handler = def && lookup(def);
    if (!def || !handler || iommufdCmd(def.nr) !== cmd) {
      fail('ENOTTY', `0x${cmd.toString(16)} is not an iommufd ioctl`);
    }
    const s = def.struct;
    if (userSize < s.minSize) fail('EINVAL', `size ${userSize} is below ${s.name}'s minimum ${s.minSize}`);
    if (userSize > arg.length) fail('EFAULT', `size ${userSize} is past the end of the argument`);
    for (let i = s.size; i < userSize; i++) {
      if (arg[i] !== 0) fail('E2BIG', `byte ${i} past the ${s.size}-byte ${s.name} is not zero`);
    }
    // The usual call passes exactly the kernel's struct: then the kernel's
    // copy is one native copy, and the copy back is that same array.
    const exact = userSize === s.size && arg.length === s.size;
    let kernel: Uint8Array;
    if (exact) kernel = new Uint8Array(arg);
    else {
      kernel = new Uint8Array(s.size);
      copyBytes(kernel, 0, arg, 0, Math.min(userSize, s.size));
    }
    const ucmd = new Ucmd(new StructView(s, kernel), userSize);
    try {
      handler(ucmd);
    } finally {
      // Outputs reach the caller only where the handler responded, which
      // some handlers do before failing (IOVA_RANGES' EMSGSIZE).
      if (ucmd.responded) {
        if (exact) out = kernel;
        else {
          out = arg.slice();
          copyBytes(out, 0, kernel, 0, Math.min(userSize, s.size));
        }
      }
    }
    return { arg: out };
  } catch (e) {
    if (e instanceof KernelError) return { error: e, arg: out };
    throw e;
  }
}
