// What the CPU and the devices do (trace-language §3 "CPU and devices"):
// loads and stores by a process, and DMA that the IOMMU translates.
import type { DmaRequest } from '../../engine/machine-api.js';
import { ArgFailure } from '../args.js';
import { bytes } from '../values.js';
import { ok, type CommandContext, type CommandHandler } from './context.js';

/**
 * A Map rather than an object: the word is a string just cut from the text,
 * and indexing an object with one first looks it up among the interned
 * strings (it also cannot answer for `toString`).
 */
const WIDTHS: ReadonlyMap<string, 1 | 2 | 4 | 8> = new Map([['u8', 1], ['u16', 2], ['u32', 4], ['u64', 8]]);

function width(ctx: CommandContext): 1 | 2 | 4 | 8 | undefined {
  const w = ctx.args.word('width');
  if (w === undefined) return undefined;
  const n = WIDTHS.get(w);
  if (!n) throw new ArgFailure(`width: ${w} is not one of u8, u16, u32, u64`);
  return n;
}

function requiredWidth(ctx: CommandContext): 1 | 2 | 4 | 8 {
  const w = width(ctx);
  if (w === undefined) throw new ArgFailure('width is required');
  return w;
}

const write: CommandHandler = (ctx) => {
  const { args } = ctx;
  ctx.machine.cpuStore(args.required('addr'), requiredWidth(ctx), args.required('value'), args.word('process'));
  return ok();
};

const read: CommandHandler = (ctx) =>
  ok(ctx.machine.cpuLoad(ctx.args.required('addr'), requiredWidth(ctx), ctx.args.word('process')));

/**
 * The request of every `dma` statement, filled in afresh each time rather
 * than made per statement: the engine reads a request only during the call.
 */
const REQ: DmaRequest = { write: false, iova: 0n, width: undefined, len: undefined, value: undefined, fill: undefined, pasid: undefined };

/** A device's DMA: the value read, `ok` for a write, or the fault. */
const dma: CommandHandler = (ctx) => {
  const { args } = ctx;
  const device = args.word('device');
  if (device === undefined) throw new ArgFailure('device is required');
  const req = REQ;
  // Every field is set before the call (an argument that throws leaves nothing half-issued).
  const write = args.word('dir') === 'write';
  const iova = args.required('iova');
  const w = width(ctx);
  const len = args.num('len');
  const value = args.int('value');
  const fill = args.num('fill');
  const pasid = args.num('pasid');
  req.write = write;
  req.iova = iova;
  req.width = w;
  req.len = len;
  req.value = value;
  req.fill = fill;
  req.pasid = pasid;
  const r = ctx.machine.dma(device, req);
  if (!r.ok) return { actual: { kind: 'fault', fault: r.fault } };
  if (write) return ok();
  return ok(r.data !== undefined ? bytes(r.data) : r.value);
};

export const CPU_DMA_COMMANDS: Record<string, CommandHandler> = { write, read, dma };
