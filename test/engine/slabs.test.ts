// Arrays carved from slabs must behave as arrays of their own: zeroed when
// handed out, never overlapping another, aligned as asked, and slabs grow
// from the first size to the most.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Slabs } from '../../emulator/engine/memory/slabs.js';

describe('slabs', () => {
  it('hands out zeroed, disjoint, aligned arrays, growing slabs from the first size up to the most', () => {
    const slabs = new Slabs(4096, 1024, 8);
    const got = [3, 40, 8, 500, 1000, 17, 1024, 9, 700].map((n) => slabs.take(n));
    const sizes = new Set<number>();
    for (const [i, a] of got.entries()) {
      assert.ok(a.every((b) => b === 0), `array ${i} is zeroed`);
      assert.equal(a.byteOffset % 8, 0, `array ${i} is 8-aligned`);
      sizes.add(a.buffer.byteLength);
      a.fill(i + 1);
    }
    // Each array still holds only what was written into it: none overlaps another.
    for (const [i, a] of got.entries()) assert.ok(a.every((b) => b === i + 1), `array ${i} kept its bytes`);
    assert.deepEqual([...sizes].sort((x, y) => x - y), [1024, 2048, 4096]);
  });

  it('starts a slab of its own after startAfresh', () => {
    const slabs = new Slabs(1024);
    const a = slabs.take(16);
    slabs.startAfresh();
    assert.notEqual(slabs.take(16).buffer, a.buffer);
  });
});
