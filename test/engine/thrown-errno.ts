// The errno a call throws as a KernelError ('ok' when it returns); any other
// exception is a bug and propagates. Shared by the engine tests that call
// engine functions directly rather than through an ioctl.
import { KernelError } from '../../emulator/engine/errno.js';

export function thrownErrno(fn: () => unknown): string {
  try {
    fn();
    return 'ok';
  } catch (e) {
    if (e instanceof KernelError) return e.errno;
    throw e;
  }
}
