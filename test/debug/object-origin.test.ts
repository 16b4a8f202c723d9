// The statement that created an object, found by replaying: the graph
// picture's click reveals it. Ids are reused (lowest free), so the answer is
// the latest creation, and it must hold after going back.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMachine, Machine } from '../../emulator/engine/machine.js';
import { openIommufds } from '../../emulator/engine/inspect/files.js';
import { checkText } from '../../emulator/language/index.js';
import { Timeline } from '../../emulator/runtime/timeline.js';
import { objectOrigin } from '../../server/debug/object-origin.js';

const TRACE = [
  'iommu iommu0 model=mock', // 0
  'device nic0', // 1
  'ioas = ioas_alloc => 1', // 2
  'other = ioas_alloc => 2', // 3
  'destroy other => 0', // 4
  'nic = bind nic0 => 2', // 5: id 2 again, now a DEVICE
  'hwpt = attach nic ioas => 3', // 6
  'expect users(ioas) == 2', // 7
].join('\n');

function timelineAt(position: number): Timeline {
  const { program, diagnostics } = checkText('/ws/t.iotrace', TRACE, { workspaceRoot: '/ws', readFile: () => '' });
  assert.deepEqual(diagnostics.filter((d) => d.severity === 'error'), []);
  // A checkpoint every 2 statements: the scan crosses segments.
  const t = new Timeline(program, createMachine, { interval: 2 });
  t.seek(position);
  return t;
}

function fdName(t: Timeline): string {
  assert.ok(t.run.machine instanceof Machine);
  return openIommufds(t.run.machine)[0]!.name;
}

describe('objectOrigin', () => {
  it('names the statement that created each object, the latest one for a reused id', () => {
    const t = timelineAt(8);
    const fd = fdName(t);
    assert.deepEqual(objectOrigin(t, fd, 1), { file: '/ws/t.iotrace', line: 2 });
    assert.deepEqual(objectOrigin(t, fd, 2), { file: '/ws/t.iotrace', line: 5 });
    assert.deepEqual(objectOrigin(t, fd, 3), { file: '/ws/t.iotrace', line: 6 });
    assert.equal(t.position, 8, 'the timeline is left where it was');
  });

  it('answers as of the current position: after going back, the earlier object with that id', () => {
    const t = timelineAt(8);
    const fd = fdName(t);
    t.seek(4);
    assert.deepEqual(objectOrigin(t, fd, 2), { file: '/ws/t.iotrace', line: 3 });
    assert.equal(objectOrigin(t, fd, 3), undefined, 'not created yet');
    assert.equal(objectOrigin(t, 'no-such-fd', 1), undefined);
    assert.equal(t.position, 4);
  });
});
