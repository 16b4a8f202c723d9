// The ioctl framework of /dev/iommu (iommufd-reference §1.1): numbers, the
// size protocol and the order of its errnos, before any handler runs.
import { KernelError, fail } from '../errno.js';
import type { IoctlResult } from '../machine-api.js';
import { IOCTLS_BY_NR, IOMMUFD_CMD_BASE, IOMMUFD_CMD_END, iommufdCmd, type IoctlDef } from '../uapi/iommufd.js';
import { copyBytes } from '../memory/copy-bytes.js';
import { StructView } from '../uapi/layout.js';
import { Ucmd } from './ucmd.js';

/** A handler of one ioctl, given the file it was issued on (`F`: an iommufd file). */
export type IoctlHandler<F> = (file: F, ucmd: Ucmd) => void;

/**
 * The ioctl definitions by nr - IOMMUFD_CMD_BASE: every ioctl looks its
 * number up, and an array index costs less than a Map lookup.
 */
const DEFS: (IoctlDef | undefined)[] = [];
for (const [nr, def] of IOCTLS_BY_NR) if (nr >= IOMMUFD_CMD_BASE && nr < IOMMUFD_CMD_END) DEFS[nr - IOMMUFD_CMD_BASE] = def;

/**
 * The handlers of a table of handlers by uAPI name, by nr - IOMMUFD_CMD_BASE
 * (undefined: the slot is empty in this build). Made once per table.
 */
export function handlersByNr<F>(byName: Readonly<Record<string, IoctlHandler<F>>>): readonly (IoctlHandler<F> | undefined)[] {
  return Array.from({ length: IOMMUFD_CMD_END - IOMMUFD_CMD_BASE }, (_, i) => {
    const def = DEFS[i];
    return def && Object.prototype.hasOwnProperty.call(byName, def.name) ? byName[def.name] : undefined;
  });
}

/**
 * The kernel side of one ioctl number: the buffer its struct is copied into
 * (copy_from_user), its view and its Ucmd. One per number, reused by every
 * call rather than allocated per ioctl (three objects of every statement
 * that issues one): a handler reads and writes them only while it runs, and
 * the caller gets its own buffer back. `busy` covers a handler that would
 * issue an ioctl of the same number (none does): that call gets its own.
 */
class KernelCopy {
  readonly ucmd: Ucmd;
  busy = false;

  constructor(def: IoctlDef) {
    this.ucmd = new Ucmd(StructView.zeroed(def.struct), 0);
  }
}

/** Indexed by nr - IOMMUFD_CMD_BASE. */
const COPIES: (KernelCopy | undefined)[] = [];

function kernelCopy(def: IoctlDef): KernelCopy {
  const i = def.nr - IOMMUFD_CMD_BASE;
  let c = COPIES[i];
  if (c === undefined) COPIES[i] = c = new KernelCopy(def);
  return c.busy ? new KernelCopy(def) : c;
}

/**
 * Runs one ioctl on `file`. `handlers` are by nr - IOMMUFD_CMD_BASE
 * (`handlersByNr`). `compat` handles the VFIO compatibility range (nr < 0x80
 * or past the table) and throws ENOTTY for what it does not know. What the
 * kernel copies back (copy_to_user) is written into `arg` itself, which the
 * result returns.
 */
export function dispatchIoctl<F>(
  cmd: number,
  arg: Uint8Array | null,
  file: F,
  handlers: readonly (IoctlHandler<F> | undefined)[],
  compat: (cmd: number, arg: Uint8Array | null) => IoctlResult,
): IoctlResult {
  const nr = cmd & 0xff;
  if (nr < IOMMUFD_CMD_BASE || nr >= IOMMUFD_CMD_END) return compat(cmd, arg);
  try {
    // The size is read before the command number is checked, so a NULL
    // argument to a valid-range nr is EFAULT, not ENOTTY.
    if (arg === null || arg.length < 4) fail('EFAULT', 'the argument pointer is not readable');
    // A u32 read as a number: every ioctl passes here, and a BigInt would be thrown away at once.
    const userSize = (arg[0]! | (arg[1]! << 8) | (arg[2]! << 16) | (arg[3]! << 24)) >>> 0;
    const def = DEFS[nr - IOMMUFD_CMD_BASE];
    const handler = handlers[nr - IOMMUFD_CMD_BASE];
    if (!def || !handler || iommufdCmd(def.nr) !== cmd) {
      fail('ENOTTY', `0x${cmd.toString(16)} is not an iommufd ioctl`);
    }
    const s = def.struct;
    if (userSize < s.minSize) fail('EINVAL', `size ${userSize} is below ${s.name}'s minimum ${s.minSize}`);
    if (userSize > arg.length) fail('EFAULT', `size ${userSize} is past the end of the argument`);
    for (let i = s.size; i < userSize; i++) {
      if (arg[i] !== 0) fail('E2BIG', `byte ${i} past the ${s.size}-byte ${s.name} is not zero`);
    }
    const copy = kernelCopy(def);
    const ucmd = copy.ucmd;
    const kernel = ucmd.cmd.bytes;
    ucmd.begin(userSize);
    // The usual call passes exactly the kernel's struct: then both copies
    // are one native copy each way.
    const n = userSize < s.size ? userSize : s.size;
    const exact = n === s.size && arg.length === s.size;
    if (exact) kernel.set(arg);
    else {
      kernel.fill(0);
      copyBytes(kernel, 0, arg, 0, n);
    }
    copy.busy = true;
    try {
      handler!(file, ucmd);
    } finally {
      // Outputs reach the caller only where the handler responded, which
      // some handlers do before failing (IOVA_RANGES' EMSGSIZE).
      if (ucmd.responded) {
        if (exact) arg.set(kernel);
        else copyBytes(arg, 0, kernel, 0, n);
      }
      copy.busy = false;
    }
    return { arg };
  } catch (e) {
    if (e instanceof KernelError) return { error: e, arg };
    throw e;
  }
}
