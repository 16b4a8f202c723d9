// The vIOMMUs scope: every vIOMMU with its virt_id <-> device links both
// ways (the vIOMMU's table and each device's own vDEVICE pointer), its
// nested HWPTs, vEVENTQs and HW queues.
import { inspectViommus, type VdeviceLink } from '../../emulator/engine/inspect/viommus.js';
import type { Machine } from '../../emulator/engine/machine.js';
import { hex, leaf, listNode, type TreeNode } from './tree-node.js';

export function viommuNodes(m: Machine): TreeNode[] {
  return inspectViommus(m).map((v) => ({
    name: `VIOMMU ${v.id}`,
    value: `type ${hex(v.vtype)} on ${v.iommu}, parent HWPT_PAGING ${v.parent}, ${v.byVirtId.length} vDEVICE${v.byVirtId.length === 1 ? '' : 's'}`,
    children: () => [
      leaf('fd', v.fd),
      leaf('iommu', v.iommu),
      leaf('nesting parent', `HWPT_PAGING ${v.parent}`),
      listNode('virt_id -> device', v.byVirtId.map((l) => leaf(hex(l.virtId), `${deviceText(l)} (VDEVICE ${l.vdevice})`))),
      listNode('device -> virt_id', v.byDevice.map((l) => leaf(deviceText(l), `${hex(l.virtId)} (VDEVICE ${l.vdevice})`))),
      listNode('nested HWPTs', v.nested.map((h) => leaf(`HWPT_NESTED ${h.id}`, h.domain))),
      listNode('vEVENTQs', v.veventqs.map((q) => leaf(`VEVENTQ ${q.id}`, `type ${hex(q.eventType)}, ${q.pending} of depth ${q.depth} queued`))),
      listNode('HW queues', v.hwQueues.map((q) => leaf(`HW_QUEUE ${q.id}`, `iova ${hex(q.iova)}, length ${hex(q.length)}`))),
    ],
  }));
}

function deviceText(l: VdeviceLink): string {
  return `DEVICE ${l.device} (${l.deviceName})`;
}
