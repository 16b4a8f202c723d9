// A stand-in for the engine in runtime unit tests: it records every ioctl
// (number and argument bytes) and answers from a script, so a test can
// check exactly what the runtime marshalled and how it reads the reply.
import { KernelError, type ErrnoName } from '../../emulator/engine/errno.js';
import type { IoctlResult, MachineApi } from '../../emulator/engine/machine-api.js';

export interface IoctlCall {
  target: string;
  cmd: number;
  arg: Uint8Array | null;
}

export type IoctlReply = (call: IoctlCall) => IoctlResult;

/** Replies `errno` to the call. */
export function refuse(errno: ErrnoName, reason: string): IoctlReply {
  return (call) => ({ error: new KernelError(errno, reason), arg: call.arg });
}

/** Writes `fields` (byte offset -> u32 value) into the reply. */
export function writeBack(fields: Record<number, number>): IoctlReply {
  return (call) => {
    const arg = call.arg!.slice();
    const dv = new DataView(arg.buffer);
    for (const [off, v] of Object.entries(fields)) dv.setUint32(Number(off), v, true);
    return { arg };
  };
}

export function fakeMachine(replies: IoctlReply[] = [], extra: Partial<MachineApi> = {}): MachineApi & { calls: IoctlCall[]; scratch: Map<bigint, Uint8Array> } {
  const calls: IoctlCall[] = [];
  const scratch = new Map<bigint, Uint8Array>();
  let next = 0x7f0000000000n;
  const reply = (call: IoctlCall): IoctlResult => {
    calls.push(call);
    const r = replies.shift();
    return r ? r(call) : { arg: call.arg };
  };
  const base: Partial<MachineApi> = {
    currentIommufd: () => 'iommufd',
    queryIommufd: () => 'iommufd',
    fdNumber: () => 3,
    ioctl: (fd, cmd, arg) => reply({ target: fd, cmd, arg }),
    vfioIoctl: (dev, cmd, arg) => reply({ target: dev, cmd, arg }),
    resetScratch: () => undefined,
    userScratch: (bytes) => {
      const addr = next;
      next += 0x1000n;
      scratch.set(addr, bytes.slice());
      return addr;
    },
    readUser: (addr, length) => (scratch.get(addr) ?? new Uint8Array(length)).slice(0, length),
    declareIommu: () => undefined,
    declareDevice: () => undefined,
    declareMemory: () => 0x40000000n,
    users: () => 1,
    exists: () => true,
    setStatementLine: () => undefined,
    ...extra,
  };
  const target = Object.assign(base, { calls, scratch });
  return new Proxy(target, {
    get(t, p) {
      if (p in t) return (t as Record<string | symbol, unknown>)[p];
      return () => {
        throw new Error(`fake machine: ${String(p)} is not scripted`);
      };
    },
  }) as MachineApi & { calls: IoctlCall[]; scratch: Map<bigint, Uint8Array> };
}
