// What the Variables view shows, as a tree of named nodes whose children are
// computed only when expanded: a frame's locals and the machine's state read
// through emulator/engine/inspect (Objects, IOAS, Devices and groups, Last
// DMA here; Page tables, vIOMMUs, Faults and events in their own files).
import { inspectDevices } from '../../emulator/engine/inspect/devices.js';
import { openIommufds } from '../../emulator/engine/inspect/files.js';
import { inspectIoas } from '../../emulator/engine/inspect/ioas.js';
import { describeObject } from '../../emulator/engine/inspect/objects.js';
import type { LastDma } from '../../emulator/runtime/debug-runtime.js';
import { isPagingDomain } from '../../emulator/engine/core/iommu-domain.js';
import { Hwpt } from '../../emulator/engine/iommufd/hwpt.js';
import { Ioas } from '../../emulator/engine/iommufd/ioas.js';
import { Machine } from '../../emulator/engine/machine.js';
import type { Run } from '../../emulator/runtime/interpreter.js';
import { formatValue, type Value } from '../../emulator/runtime/values.js';
import { eventQueueNodes } from './event-queue-nodes.js';
import { formatMemoryReference } from './memory-reference.js';
import { pageTableNodes } from './page-table-nodes.js';
import { hex, leaf, listNode, range, type TreeNode } from './tree-node.js';
import { viommuNodes } from './viommu-nodes.js';

/** A runtime value: lists and records expand. */
export function valueNode(name: string, v: Value): TreeNode {
  const node: TreeNode = { name, value: typeof v === 'bigint' ? hex(v) : formatValue(v) };
  if (typeof v !== 'bigint' && v.kind === 'list') node.children = () => v.items.map((x, i) => valueNode(`[${i}]`, x));
  if (typeof v !== 'bigint' && v.kind === 'record') node.children = () => [...v.fields].map(([k, x]) => valueNode(k, x));
  return node;
}

export function localsNodes(run: Run, frame: number): TreeNode[] {
  return (run.frames()[frame]?.locals ?? []).map(([k, v]) => valueNode(k, v));
}

/** The machine-wide scopes, or nothing when the run's machine is not the emulator's. */
export function machineScopes(run: Run, lastDma: () => LastDma | undefined): { name: string; children: () => TreeNode[] }[] {
  const m = run.machine;
  if (!(m instanceof Machine)) return [];
  return [
    { name: 'Objects', children: () => objectNodes(m) },
    { name: 'IOAS', children: () => ioasNodes(m) },
    { name: 'Page tables', children: () => pageTableNodes(m) },
    { name: 'Devices and groups', children: () => deviceNodes(m) },
    { name: 'vIOMMUs', children: () => viommuNodes(m) },
    { name: 'Faults and events', children: () => eventQueueNodes(m) },
    { name: 'Last DMA', children: () => lastDmaNodes(lastDma()) },
  ];
}

function lastDmaNodes(d: LastDma | undefined): TreeNode[] {
  if (!d) return [leaf('(none)', 'no DMA has run yet')];
  const outcome = d.outcome;
  const result =
    outcome.kind === 'fault' ? `fault ${outcome.fault.kind}: ${outcome.fault.detail}`
    : outcome.kind === 'ok' ? (outcome.value === undefined ? 'ok' : formatValue(outcome.value))
    : outcome.kind === 'errno' ? `${outcome.errno}: ${outcome.reason}` : outcome.message;
  const walk = typeof d.walk === 'string'
    ? [leaf('walk', d.walk)]
    : [listNode('walk', d.walk.map((w, i) => ({
      name: `[${i}] stage ${w.stage} level ${w.level}`,
      value: `table ${hex(w.table)}[${w.index}] = ${hex(w.descriptor)}`,
      memoryReference: formatMemoryReference({ kind: 'phys' }, w.table + BigInt(w.index * 8)),
    })))];
  return [
    leaf('statement', `line ${d.stmt.range.start.line + 1}`),
    leaf('device', d.device),
    leaf('access', `${d.write ? 'write' : 'read'} at ${hex(d.iova)}${d.pasid === undefined ? '' : ` pasid ${d.pasid}`}`),
    leaf('result', result),
    ...walk,
  ];
}

export function objectNodes(m: Machine): TreeNode[] {
  const out: TreeNode[] = [];
  for (const { name: fd, file } of openIommufds(m)) {
    for (const obj of file.objects.live()) {
      const info = describeObject(fd, obj);
      const node: TreeNode = {
        name: `${info.type} ${info.id}`,
        value: `users=${info.users} wait_cnt=${info.waitCnt}${info.detail ? ` (${info.detail})` : ''}`,
        children: () => {
          const kids: TreeNode[] = [
            leaf('fd', fd),
            { name: 'users', value: String(info.users), watch: `users(${info.id})` },
            leaf('wait_cnt', String(info.waitCnt)),
            leaf('held by', info.heldBy ?? '(nothing the object can name)'),
            listNode('holds', info.holds.map((h, i) => leaf(`[${i}]`, h))),
          ];
          if (info.detail) kids.push(leaf('detail', info.detail));
          if (obj instanceof Ioas) kids.push({ name: 'io_pagetable', value: '', children: () => ioasChildren(obj) });
          return kids;
        },
      };
      if (obj instanceof Hwpt && isPagingDomain(obj.domain)) node.memoryReference = formatMemoryReference({ kind: 'iova', fd, hwpt: obj.id }, 0n);
      out.push(node);
    }
  }
  return out;
}

function ioasChildren(ioas: Ioas): TreeNode[] {
  const info = inspectIoas(ioas);
  return [
    listNode('areas', info.areas.map((a) => ({
      name: range(a),
      value: `prot=${a.prot} access pins=${a.accessPins}${a.domainPinned ? ' pinned for domains' : ''}`,
    }))),
    listNode('reserved', info.reserved.map((r, i) => leaf(`[${i}]`, range(r)))),
    listNode('allowed', info.allowed.map((r, i) => leaf(`[${i}]`, range(r)))),
    leaf('iova_alignment', hex(info.iovaAlignment)),
    leaf('domains', String(info.domains)),
  ];
}

function ioasNodes(m: Machine): TreeNode[] {
  const out: TreeNode[] = [];
  for (const { name: fd, file } of openIommufds(m)) {
    for (const obj of file.objects.live()) {
      if (obj instanceof Ioas) out.push({ name: `IOAS ${obj.id}`, value: `fd ${fd}, ${obj.iopt.areas.all().length} areas`, children: () => ioasChildren(obj) });
    }
  }
  return out;
}

function deviceNodes(m: Machine): TreeNode[] {
  return inspectDevices(m).map((d) => ({
    name: d.name,
    value: `group ${d.group}, owner ${d.owner} (${d.ownerCount})`,
    children: () => {
      const kids = [
        leaf('iommu', d.iommu),
        leaf('rid', hex(BigInt(d.rid))),
        leaf('owner', `${d.owner}, count ${d.ownerCount}`),
        leaf('kernel driver', d.kernelDriver ? 'bound' : 'none'),
        leaf('domain (RID)', d.domain),
        listNode('pasids', d.pasids.map((p) => leaf(`PASID ${p.pasid}`, p.domain))),
        listNode('reserved regions', d.reserved.map((r, i) => leaf(`[${i}]`, range(r)))),
      ];
      if (d.lastFault) kids.push(leaf('last fault', `${d.lastFault.kind} at ${hex(d.lastFault.addr)}: ${d.lastFault.detail}`));
      return kids;
    },
  }));
}
