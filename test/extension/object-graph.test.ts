import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { graphSvg } from '../../extension/pictures/graph-svg.js';
import { layOut, objectGraph, objectOfNode } from '../../extension/pictures/object-graph.js';
import { exampleSnapshot } from './example-snapshot.js';

describe('the object graph of examples/01', () => {
  const graph = objectGraph(exampleSnapshot());
  const label = (id: string): string => graph.children.find((n) => n.id === id)!.lines[0]!;

  it('has a node per object (with users), device and group', () => {
    assert.deepEqual(graph.children.map((n) => [n.kind, ...n.lines.slice(0, 2)]), [
      ['object', 'IOAS 1', 'users 2'],
      ['object', 'DEVICE 2', 'users 3'],
      ['object', 'HWPT_PAGING 3', 'users 2'],
      ['device', 'nic0', 'iommu0, rid 0'],
      ['group', 'group 0', 'owner user'],
    ]);
  });

  it('draws each reference as an edge: device → HWPT → IOAS, DEVICE → nic0 → group', () => {
    const edges = graph.edges.map((e) => `${label(e.sources[0]!)} -> ${label(e.targets[0]!)}`);
    assert.deepEqual(edges.sort(), ['DEVICE 2 -> HWPT_PAGING 3', 'DEVICE 2 -> nic0', 'HWPT_PAGING 3 -> IOAS 1', 'nic0 -> group 0']);
  });

  it('lays out without overlaps and renders clickable nodes', async () => {
    const laid = await layOut(graph);
    const boxes = laid.children.map((n) => ({ x: n.x!, y: n.y!, w: n.width!, h: n.height! }));
    for (const [i, a] of boxes.entries()) {
      for (const b of boxes.slice(i + 1)) assert.ok(a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y, 'nodes overlap');
    }
    const svg = graphSvg(laid);
    assert.equal((svg.match(/class="node"/g) ?? []).length, 5);
    assert.equal((svg.match(/class="edge"/g) ?? []).length, 4);
    assert.match(svg, /data-node="obj:iommufd:1"/);
  });

  it('maps a clicked node back to its object (what objectOrigin is asked), and devices and groups to none', () => {
    for (const n of graph.children) assert.deepEqual(objectOfNode(n.id), n.object);
    assert.deepEqual(objectOfNode('obj:fd:with:colons:12'), { fd: 'fd:with:colons', id: 12 });
  });
});
