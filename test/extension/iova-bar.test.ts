import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { boundaries, iovaBarSvg, position } from '../../extension/pictures/iova-bar.js';
import { exampleSnapshot } from './example-snapshot.js';

const hexOf = (n: bigint): string => `0x${n.toString(16)}`;

describe('the IOVA bar', () => {
  it('puts every boundary of every range on the axis, once, in order', () => {
    const pts = boundaries([{ start: '0x1000', last: '0x1fff' }, { start: '0x0', last: '0xffffffffffffffff' }], 0x1800n);
    assert.deepEqual(pts, [0n, 0x1000n, 0x1800n, 0x2000n, 0x10000000000000000n]);
  });

  it('keeps the order of addresses (a narrow area never lands left of a lower address)', () => {
    const addr = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
    fc.assert(
      fc.property(fc.array(fc.tuple(addr, addr), { minLength: 1, maxLength: 6 }), addr, addr, (ranges, a, b) => {
        const pts = boundaries(ranges.map(([x, y]) => (x <= y ? { start: hexOf(x), last: hexOf(y) } : { start: hexOf(y), last: hexOf(x) })));
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        return position(lo, pts) <= position(hi, pts);
      }),
    );
  });

  it('draws the mapped area of examples/01 and marks the last DMA', () => {
    const ioas = exampleSnapshot().ioas[0]!;
    const svg = iovaBarSvg(ioas, 0x1000800n);
    assert.match(svg, /<title>areas 0x1000000\.\.0x10fffff<\/title>/);
    assert.match(svg, /class="last-dma"[^>]*><title>last DMA at 0x1000800<\/title>/);
    assert.doesNotMatch(iovaBarSvg(ioas), /last-dma/);
  });
});
