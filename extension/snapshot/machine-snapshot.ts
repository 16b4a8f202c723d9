// The machine's state as the debug adapter sends it: the engine's
// MachineSnapshot (emulator/engine/inspect/snapshot.ts) with every bigint as
// a string ("0x1000000"), since DAP is JSON. The views read only this.
import type { MachineSnapshot } from '../../emulator/engine/inspect/snapshot.js';

/** The custom DAP request that answers a WireSnapshot for the current stop. */
export const SNAPSHOT_REQUEST = 'machineSnapshot';

/** The custom DAP request that answers `{ file, line }` (0-based) of the statement that created object `{ fd, id }`. */
export const ORIGIN_REQUEST = 'objectOrigin';

export type Wire<T> = T extends bigint
  ? string
  : T extends readonly (infer E)[]
    ? Wire<E>[]
    : T extends object
      ? { [K in keyof T]: Wire<T[K]> }
      : T;

/**
 * `lastDma` is optional: the adapter adds it when a DMA has run, so the IOVA
 * picture can mark where the device last accessed.
 */
export type WireSnapshot = Wire<MachineSnapshot> & { lastDma?: { device: string; iova: string } };
export type WireObject = WireSnapshot['objects'][number];
export type WireIoas = WireSnapshot['ioas'][number];
export type WireDevice = WireSnapshot['devices'][number];
export type WireRange = { start: string; last: string };

/** A 64-bit quantity from the wire (a hex or decimal string, or a number). */
export function big(v: string | number | bigint): bigint {
  return BigInt(v);
}

export function hex(v: string | number | bigint): string {
  return `0x${big(v).toString(16)}`;
}

/** `0x1000000..0x10fffff`, inclusive as the kernel's ranges are. */
export function rangeText(r: WireRange): string {
  return `${hex(r.start)}..${hex(r.last)}`;
}

/** The same value, with every bigint turned into its hex string: what the adapter sends. */
export function toWire<T>(value: T): Wire<T> {
  return JSON.parse(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? hex(v) : v))) as Wire<T>;
}
