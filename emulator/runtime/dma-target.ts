// What a `dma` statement asked for (device, IOVA, direction, PASID), read
// back from its resolved arguments: for the debugger's Last DMA view and its
// stale-IOTLB exception filter, which look at a DMA after it ran.
import type { Stmt } from '../language/ast.js';
import type { Run } from './interpreter.js';

export interface DmaTarget {
  device: string;
  iova: bigint;
  write: boolean;
  pasid?: number;
}

export function dmaTarget(run: Run, stmt: Stmt): DmaTarget | undefined {
  if (stmt.kind !== 'command' || stmt.command !== 'dma' || !stmt.resolved) return undefined;
  const args = stmt.resolved;
  const word = (k: string): string | undefined => {
    const e = args.get(k);
    return e?.kind === 'name' ? e.name : undefined;
  };
  const int = (k: string): bigint | undefined => {
    const e = args.get(k);
    const v = e && run.evaluate(e);
    return typeof v === 'bigint' ? v : undefined;
  };
  const device = word('device');
  const iova = int('iova');
  if (device === undefined || iova === undefined) return undefined;
  const pasid = int('pasid');
  const t: DmaTarget = { device, iova, write: word('dir') === 'write' };
  if (pasid !== undefined) t.pasid = Number(pasid);
  return t;
}
