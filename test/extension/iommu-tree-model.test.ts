import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { iommuTree, type TreeNode } from '../../extension/views/iommu-tree-model.js';
import { exampleSnapshot } from './example-snapshot.js';

const child = (n: TreeNode, label: string): TreeNode => {
  const c = n.children.find((x) => x.label === label);
  assert.ok(c, `${n.label} has ${label}`);
  return c;
};

describe('the IOMMU tree of examples/01 run to its end', () => {
  const roots = iommuTree(exampleSnapshot());

  it('has the five sections in a fixed order', () => {
    assert.deepEqual(roots.map((r) => r.label), ['Objects', 'IO address spaces', 'Devices', 'Groups', 'vIOMMU links']);
  });

  it('lists every object with its users and what it holds', () => {
    const objects = roots[0]!;
    assert.deepEqual(objects.children.map((o) => o.label), ['IOAS 1', 'DEVICE 2', 'HWPT_PAGING 3']);
    const hwpt = child(objects, 'HWPT_PAGING 3');
    assert.match(hwpt.description!, /^users 2/);
    assert.deepEqual(hwpt.object, { fd: 'iommufd', id: 3 });
    assert.ok(hwpt.children.some((c) => c.label === 'holds' && c.description === 'IOAS 1'));
    assert.equal(child(child(objects, 'IOAS 1'), 'users').description, '2');
  });

  it("shows the IOAS's mapped area with its protection", () => {
    const ioas = child(roots[1]!, 'IOAS 1');
    const areas = child(ioas, 'areas');
    assert.deepEqual(areas.children.map((a) => [a.label, a.description]), [['0x1000000..0x10fffff', 'read|write|cache, pinned by domains']]);
  });

  it('shows nic0, its group and its DMA owner', () => {
    const nic = child(roots[2]!, 'nic0');
    assert.match(child(nic, 'dma owner').description!, /user/);
    const groups = roots[3]!.children;
    assert.equal(groups.length, 1);
    assert.deepEqual(groups[0]!.children.map((d) => d.label), ['nic0']);
  });
});
