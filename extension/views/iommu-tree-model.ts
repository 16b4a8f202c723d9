// The IOMMU view's tree, built from a snapshot as plain data (no `vscode`),
// so what the view shows is unit-tested against a real machine's snapshot.
import { hex, rangeText, type WireDevice, type WireIoas, type WireObject, type WireSnapshot } from '../snapshot/machine-snapshot.js';

export interface TreeNode {
  label: string;
  description?: string;
  tooltip?: string;
  /** Set on object nodes: lets a click reveal the object (trace name + id). */
  object?: { fd: string; id: number };
  children: TreeNode[];
}

const PROT_NAMES: [number, string][] = [[1, 'read'], [2, 'write'], [4, 'cache']];

function protText(prot: number): string {
  return PROT_NAMES.filter(([bit]) => (prot & bit) !== 0).map(([, n]) => n).join('|') || 'none';
}

function leaf(label: string, description?: string): TreeNode {
  return { label, ...(description !== undefined ? { description } : {}), children: [] };
}

function objectNode(o: WireObject): TreeNode {
  const children = [
    leaf('users', String(o.users)),
    leaf('wait_cnt', String(o.waitCnt)),
    ...(o.heldBy !== undefined ? [leaf('held by', o.heldBy)] : []),
    ...o.holds.map((h) => leaf('holds', h)),
    ...(o.detail !== undefined ? [leaf('detail', o.detail)] : []),
  ];
  return {
    label: `${o.type} ${o.id}`,
    description: `users ${o.users}${o.detail !== undefined ? ` · ${o.detail}` : ''}`,
    tooltip: `${o.fd}: ${o.type} ${o.id}, users ${o.users}, wait_cnt ${o.waitCnt}`,
    object: { fd: o.fd, id: o.id },
    children,
  };
}

function ioasNode(i: WireIoas): TreeNode {
  const info = i.info;
  return {
    label: `IOAS ${i.id}`,
    description: `${info.areas.length} areas, ${info.domains} domains`,
    object: { fd: i.fd, id: i.id },
    children: [
      { label: 'areas', description: String(info.areas.length), children: info.areas.map((a) => leaf(rangeText(a), `${protText(a.prot)}${a.accessPins > 0 ? `, ${a.accessPins} access pins` : ''}${a.domainPinned ? ', pinned by domains' : ''}`)) },
      { label: 'reserved', description: String(info.reserved.length), children: info.reserved.map((r) => leaf(rangeText(r))) },
      { label: 'allowed', description: info.allowed.length === 0 ? 'everything' : String(info.allowed.length), children: info.allowed.map((r) => leaf(rangeText(r))) },
      leaf('iova alignment', hex(info.iovaAlignment)),
    ],
  };
}

function deviceNode(d: WireDevice): TreeNode {
  return {
    label: d.name,
    description: `group ${d.group} · ${d.domain}`,
    children: [
      leaf('iommu', d.iommu),
      leaf('rid', hex(d.rid)),
      leaf('dma owner', `${d.owner} (${d.ownerCount})`),
      leaf('kernel driver', d.kernelDriver ? 'bound' : 'none'),
      leaf('domain at RID', d.domain),
      ...d.pasids.map((p) => leaf(`domain at PASID ${p.pasid}`, p.domain)),
      ...d.reserved.map((r) => leaf('reserved region', rangeText(r))),
      ...(d.lastFault !== undefined ? [leaf('last fault', `${d.lastFault.kind} at ${hex(d.lastFault.addr)} (${d.lastFault.write ? 'write' : 'read'})`)] : []),
    ],
  };
}

/** Groups in id order, each listing its devices: ownership is per group. */
function groupNodes(devices: readonly WireDevice[]): TreeNode[] {
  const ids = [...new Set(devices.map((d) => d.group))].sort((a, b) => a - b);
  return ids.map((id) => {
    const members = devices.filter((d) => d.group === id);
    return { label: `group ${id}`, description: `${members[0]!.owner} · ${members.length} device${members.length === 1 ? '' : 's'}`, children: members.map((d) => leaf(d.name, d.domain)) };
  });
}

const VIOMMU_TYPES = new Set(['VIOMMU', 'VDEVICE', 'HW_QUEUE', 'VEVENTQ']);

export function iommuTree(s: WireSnapshot): TreeNode[] {
  const links = s.objects.filter((o) => VIOMMU_TYPES.has(o.type));
  return [
    { label: 'Objects', description: String(s.objects.length), children: s.objects.map(objectNode) },
    { label: 'IO address spaces', description: String(s.ioas.length), children: s.ioas.map(ioasNode) },
    { label: 'Devices', description: String(s.devices.length), children: s.devices.map(deviceNode) },
    { label: 'Groups', children: groupNodes(s.devices) },
    { label: 'vIOMMU links', description: String(links.length), children: links.map(objectNode) },
  ];
}
