// The Faults and events scope: every FAULT object's page-request groups,
// queued (not read yet) and outstanding (read, waiting for a response under
// their cookie), and every vEVENTQ's queued vEVENTs with their payload.
import { inspectFaultQueues, inspectVeventqs, type FaultGroupInfo } from '../../emulator/engine/inspect/faults.js';
import type { Machine } from '../../emulator/engine/machine.js';
import { hex, leaf, listNode, type TreeNode } from './tree-node.js';

export function eventQueueNodes(m: Machine): TreeNode[] {
  const faults = inspectFaultQueues(m).map((q): TreeNode => ({
    name: `FAULT ${q.id}`,
    value: `${q.queued.length} queued, ${q.outstanding.length} outstanding`,
    children: () => [
      leaf('fd', q.fd),
      listNode('queued', q.queued.map((g, i) => groupNode(`[${i}]`, g))),
      listNode('outstanding', q.outstanding.map((g) => groupNode(`cookie ${g.cookie}`, g))),
    ],
  }));
  const veventqs = inspectVeventqs(m).map((q): TreeNode => ({
    name: `VEVENTQ ${q.id}`,
    value: `vIOMMU ${q.viommu}, type ${hex(q.eventType)}, ${q.queued.length} of depth ${q.depth} queued`,
    children: () => [
      leaf('fd', q.fd),
      listNode('queued', q.queued.map((ev) => leaf(`sequence ${ev.sequence}`, ev.lost ? 'LOST_EVENTS' : bytesText(ev.bytes)))),
    ],
  }));
  return [...faults, ...veventqs];
}

function groupNode(name: string, g: FaultGroupInfo): TreeNode {
  const at = g.pasid === undefined ? 'the RID' : `PASID ${g.pasid}`;
  return {
    name,
    value: `DEVICE ${g.device} via HWPT ${g.hwpt} at ${at}, ${g.faults.length} fault${g.faults.length === 1 ? '' : 's'}`,
    children: () => g.faults.map((f, i) => leaf(`[${i}]`, `addr ${hex(f.addr)} pasid ${f.pasid} grpid ${f.grpid} perm ${hex(BigInt(f.perm))} flags ${hex(BigInt(f.flags))}`)),
  };
}

/** A vEVENT's payload as little-endian 32-bit words, as the drivers define their records. */
function bytesText(data: number[]): string {
  if (data.length === 0) return '(empty)';
  const words: string[] = [];
  const view = new DataView(Uint8Array.from(data).buffer);
  for (let off = 0; off + 4 <= data.length; off += 4) words.push(hex(BigInt(view.getUint32(off, true))));
  const tail = data.length % 4 === 0 ? '' : ` +${data.length % 4} bytes`;
  return `${data.length} bytes: ${words.join(' ')}${tail}`;
}
