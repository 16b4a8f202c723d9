// The object graph as a layout problem: every live iommufd object, every
// device and every group is a node (objects show their `users`); every
// reference an object holds is an edge, as are device → group membership
// and a DEVICE object's link to the device it binds. elkjs lays it out.
import ELK from 'elkjs/lib/elk.bundled.js';
import type { ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api.js';
import type { WireSnapshot } from '../snapshot/machine-snapshot.js';

export type NodeKind = 'object' | 'device' | 'group';

export interface GraphNode extends ElkNode {
  kind: NodeKind;
  /** The object's type (IOAS, HWPT_PAGING...), or "device" / "group". */
  category: string;
  lines: string[];
  object?: { fd: string; id: number };
}

export interface ObjectGraph extends ElkNode {
  children: GraphNode[];
  edges: ElkExtendedEdge[];
}

const CHAR_WIDTH = 7;
const LINE_HEIGHT = 16;

function node(id: string, kind: NodeKind, category: string, lines: string[], object?: GraphNode['object']): GraphNode {
  const width = Math.max(...lines.map((l) => l.length)) * CHAR_WIDTH + 20;
  return { id, kind, category, lines, width, height: lines.length * LINE_HEIGHT + 12, ...(object !== undefined ? { object } : {}) };
}

const objectId = (fd: string, id: number): string => `obj:${fd}:${id}`;

/** The object a node id (as the webview reports a click) stands for; undefined for devices and groups. */
export function objectOfNode(nodeId: string): { fd: string; id: number } | undefined {
  const m = /^obj:(.*):(\d+)$/.exec(nodeId);
  return m === null ? undefined : { fd: m[1]!, id: Number(m[2]) };
}

/** The graph before layout: nodes in snapshot order, edges in the order objects state them. */
export function objectGraph(s: WireSnapshot): ObjectGraph {
  const children: GraphNode[] = [];
  const edges: ElkExtendedEdge[] = [];
  const addEdge = (from: string, to: string): void => {
    edges.push({ id: `e${edges.length}`, sources: [from], targets: [to] });
  };
  const live = new Set(s.objects.map((o) => objectId(o.fd, o.id)));
  for (const o of s.objects) {
    const lines = [`${o.type} ${o.id}`, `users ${o.users}`];
    if (o.detail !== undefined) lines.push(o.detail.length > 40 ? `${o.detail.slice(0, 39)}…` : o.detail);
    children.push(node(objectId(o.fd, o.id), 'object', o.type, lines, { fd: o.fd, id: o.id }));
  }
  for (const d of s.devices) children.push(node(`dev:${d.name}`, 'device', 'device', [d.name, `${d.iommu}, rid ${d.rid}`]));
  for (const g of [...new Set(s.devices.map((d) => d.group))].sort((a, b) => a - b)) {
    const owner = s.devices.find((d) => d.group === g)!.owner;
    children.push(node(`group:${g}`, 'group', 'group', [`group ${g}`, `owner ${owner}`]));
  }
  for (const o of s.objects) {
    for (const h of o.holds) {
      // "IOAS 1", "HWPT_PAGING 3 (parent)", "HWPT_PAGING 3 at the RID"
      const m = /^([A-Z_]+) (\d+)/.exec(h);
      if (m !== null && live.has(objectId(o.fd, Number(m[2])))) addEdge(objectId(o.fd, o.id), objectId(o.fd, Number(m[2])));
    }
    const dev = /^device (\S+)/.exec(o.detail ?? '');
    if (o.type === 'DEVICE' && dev !== null && s.devices.some((d) => d.name === dev[1])) addEdge(objectId(o.fd, o.id), `dev:${dev[1]}`);
  }
  for (const d of s.devices) addEdge(`dev:${d.name}`, `group:${d.group}`);
  return {
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'DOWN',
      'elk.edgeRouting': 'POLYLINE',
      'elk.spacing.nodeNode': '30',
      'elk.layered.spacing.nodeNodeBetweenLayers': '40',
    },
    children,
    edges,
  };
}

export async function layOut(graph: ObjectGraph): Promise<ObjectGraph> {
  return (await new ELK().layout(graph)) as ObjectGraph;
}
