// The little-endian helpers behind host memory, descriptors and uAPI structs
// take a Number fast path for values below 2^53: it must agree bit for bit
// with the byte-by-byte BigInt definition everywhere, including negative and
// over-wide values (a store truncates) and the 2^53 boundary.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { loadLE, storeLE } from '../../emulator/engine/memory/little-endian.js';

const WIDTHS = [1, 2, 4, 8] as const;

/** The definition: the low width*8 bits of `value`, least significant byte first. */
function referenceBytes(value: bigint, width: number): number[] {
  let v = BigInt.asUintN(width * 8, value);
  const out: number[] = [];
  for (let i = 0; i < width; i++, v >>= 8n) out.push(Number(v & 0xffn));
  return out;
}

test('storeLE writes the low bytes of any value, and only its own bytes', () => {
  fc.assert(
    fc.property(fc.bigInt({ min: -(1n << 70n), max: 1n << 70n }), fc.constantFrom(...WIDTHS), (value, width) => {
      const b = new Uint8Array(width + 2).fill(0xaa);
      storeLE(b, 1, width, value);
      assert.deepEqual([...b.subarray(1, 1 + width)], referenceBytes(value, width));
      assert.equal(b[0], 0xaa);
      assert.equal(b[width + 1], 0xaa);
    }),
    { numRuns: 2000 },
  );
});

test('loadLE reads back what storeLE wrote, as an unsigned value', () => {
  fc.assert(
    fc.property(fc.bigInt({ min: -(1n << 70n), max: 1n << 70n }), fc.constantFrom(...WIDTHS), (value, width) => {
      const b = new Uint8Array(width + 3);
      storeLE(b, 3, width, value);
      assert.equal(loadLE(b, 3, width), BigInt.asUintN(width * 8, value));
    }),
    { numRuns: 2000 },
  );
});

test('u64 values around the 2^53 boundary of the fast path round-trip exactly', () => {
  const edges = [0n, 1n, (1n << 32n) - 1n, 1n << 32n, (1n << 53n) - 1n, 1n << 53n, (1n << 53n) + 1n, (1n << 64n) - 1n, 0x1_0000_0000n, 0x8000_0000_0000_0000n];
  for (const v of edges) {
    const b = new Uint8Array(8);
    storeLE(b, 0, 8, v);
    assert.deepEqual([...b], referenceBytes(v, 8), `bytes of 0x${v.toString(16)}`);
    assert.equal(loadLE(b, 0, 8), v, `load of 0x${v.toString(16)}`);
  }
});
