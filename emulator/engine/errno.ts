// Linux errno values (asm-generic) and the exception the engine throws to
// fail a kernel operation. Kernel code returns -errno at the first failing
// check; throwing keeps that "first check decides" order readable here, and
// the reason string tells the user *which* check it was.

export const ERRNO = {
  EPERM: 1,
  ENOENT: 2,
  EIO: 5,
  E2BIG: 7,
  EBADF: 9,
  ENOMEM: 12,
  EFAULT: 14,
  EBUSY: 16,
  EEXIST: 17,
  ENODEV: 19,
  EINVAL: 22,
  ENOTTY: 25,
  ENOSPC: 28,
  ESPIPE: 29,
  ERANGE: 34,
  EDEADLK: 35,
  EMSGSIZE: 90,
  EOPNOTSUPP: 95,
  EADDRINUSE: 98,
  EOVERFLOW: 75,
  EBADFD: 77,
} as const;

export type ErrnoName = keyof typeof ERRNO;

export function isErrnoName(name: string): name is ErrnoName {
  return Object.prototype.hasOwnProperty.call(ERRNO, name);
}

/** A kernel operation failed with `errno`; `reason` says which check failed. */
export class KernelError extends Error {
  constructor(
    readonly errno: ErrnoName,
    readonly reason: string,
  ) {
    super(`${errno}: ${reason}`);
  }
}

/** Fails the current kernel operation. */
export function fail(errno: ErrnoName, reason: string): never {
  throw new KernelError(errno, reason);
}
