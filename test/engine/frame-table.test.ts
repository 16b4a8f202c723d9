import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FrameTable } from '../../emulator/engine/memory/frame-table.js';

test('FrameTable behaves as a Map from pfn to frame (get, set, delete, size)', () => {
  // Pfns from a few 2 MiB groups, so groups fill, empty and refill.
  const pfn = fc.integer({ min: 0x100000, max: 0x100000 + 3 * 512 });
  const op = fc.oneof(
    fc.record({ kind: fc.constant('set' as const), pfn, v: fc.integer() }),
    fc.record({ kind: fc.constant('delete' as const), pfn }),
  );
  fc.assert(
    fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
      const table = new FrameTable<{ v: number }>();
      const model = new Map<number, { v: number }>();
      for (const o of ops) {
        if (o.kind === 'set') {
          const f = { v: o.v };
          table.set(o.pfn, f);
          model.set(o.pfn, f);
        } else {
          table.delete(o.pfn);
          model.delete(o.pfn);
        }
        assert.equal(table.size, model.size);
        assert.equal(table.get(o.pfn), model.get(o.pfn));
      }
      assert.deepEqual(new Set(table.values()), new Set(model.values()));
    }),
  );
});

test('FrameTable keeps pfns of different groups apart', () => {
  const table = new FrameTable<string>();
  table.set(0x100000, 'a');
  table.set(0x100000 + 512, 'b');
  table.set(0x40000000 >> 2, 'c');
  assert.equal(table.get(0x100000), 'a');
  assert.equal(table.get(0x100000 + 512), 'b');
  assert.equal(table.get(0x10000000), 'c');
  assert.equal(table.get(0x100001), undefined);
  assert.deepEqual([...table.values()], ['a', 'b', 'c']);
});
