// What a command handler gets (the machine, its arguments, the run's
// bookkeeping) and what it gives back (its outcome, and what NAME binds).
import { fail } from '../../engine/errno.js';
import type { MachineApi } from '../../engine/machine-api.js';
import type { Args } from '../args.js';
import type { Actual } from '../outcome.js';
import type { Value } from '../values.js';

/** What the runtime remembers about the machine beyond what the engine answers. */
export class RunState {
  /** Names declared by topology statements: global for the rest of the run. */
  readonly declared = new Map<string, Value>();
  /** The declared memory regions (their names evaluate to addresses; a memfd's also names its fd). */
  readonly regions = new Set<string>();
  /** Per iommufd: which declared device's VFIO file a dev_id was bound through. */
  private readonly bound = new Map<string, Map<bigint, string>>();

  recordBind(fd: string, devId: bigint, device: string): void {
    let m = this.bound.get(fd);
    if (!m) this.bound.set(fd, (m = new Map()));
    m.set(devId, device);
  }

  forgetBind(fd: string, devId: bigint): void {
    this.bound.get(fd)?.delete(devId);
  }

  /** The VFIO device file behind a dev_id (EBADF: no such file is open). */
  deviceFile(fd: string, devId: bigint): string {
    const d = this.bound.get(fd)?.get(devId);
    return d ?? fail('EBADF', `no VFIO device file is bound to ${fd} with dev_id ${devId}`);
  }
}

export interface CommandContext {
  readonly machine: MachineApi;
  readonly args: Args;
  readonly state: RunState;
}

export interface CommandOutcome {
  actual: Actual;
  /**
   * True when `actual` is `ok`, for an outcome that makes `actual` only when
   * read (an ioctl's): a statement that expects plain success needs no more.
   */
  readonly succeeded?: boolean;
  /**
   * What `NAME =` binds: the result on success; on failure only the outputs
   * the kernel writes back anyway (iova ranges on EMSGSIZE, entry_num).
   */
  result?: Value;
}

export type CommandHandler = (ctx: CommandContext) => CommandOutcome;

/** The iommufd a statement uses: `iommufd=NAME`, else the most recently opened one still open. */
export function iommufd(ctx: CommandContext): string {
  const named = ctx.args.word('iommufd');
  if (named !== undefined) return named;
  return ctx.machine.currentIommufd() ?? fail('EBADF', 'no iommufd is open');
}

/** The outcome of every success without a value: nothing reads an outcome to change it. */
const OK: CommandOutcome = Object.freeze({ actual: Object.freeze({ kind: 'ok', value: undefined }), result: undefined });

/** A successful outcome whose result is `value` (and its bare name means the same). */
export function ok(value?: Value): CommandOutcome {
  return value === undefined ? OK : { actual: { kind: 'ok', value }, result: value };
}
