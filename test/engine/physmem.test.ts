// Host memory keeps each 4 KiB frame as 512-byte chunks materialised when
// first written, gathers a frame written in a second chunk into one whole
// 4 KiB array, and shares chunks and whole frames with a structural copy (a
// debugger checkpoint) until either side writes them. None of that may show:
// every access must read what a flat byte array would hold, accesses that
// straddle a chunk or a frame included; a frame counts (and meets the frame
// limit) from its first write, zeros included; a copy and its original never
// see each other's writes.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { PAGE_SIZE, PhysMem } from '../../emulator/engine/memory/physmem.js';
import { deepClone } from '../../emulator/runtime/deep-clone.js';

/** Three frames from here: room for accesses that cross chunk and frame boundaries. */
const BASE = 0x1_0000_0000n;
const SPAN = 3 * PAGE_SIZE;

type Op =
  | { op: 'write'; at: number; bytes: number[] }
  | { op: 'store'; at: number; width: 1 | 2 | 4 | 8; value: bigint }
  | { op: 'free'; at: number; size: number };

/** Offsets near chunk (512 B) and frame (4 KiB) edges, where the splitting happens, plus anywhere. */
const offsetArb = fc.oneof(
  fc.integer({ min: 0, max: SPAN - 16 }),
  fc.integer({ min: 1, max: 5 * 8 - 1 }).chain((k) => fc.integer({ min: k * 512 - 9, max: k * 512 + 1 })),
);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('write' as const), at: offsetArb, bytes: fc.oneof(fc.array(fc.nat(255), { maxLength: 40 }), fc.array(fc.constant(0), { maxLength: 1100 })) }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('store' as const), at: offsetArb, width: fc.constantFrom(1 as const, 2 as const, 4 as const, 8 as const), value: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('free' as const), at: offsetArb, size: fc.integer({ min: 1, max: PAGE_SIZE }) }) },
);

/** The specification: a flat array, and the set of frames written since they were last freed. */
class FlatMemory {
  readonly bytes = new Uint8Array(SPAN + 16);
  readonly touched = new Set<number>();

  apply(o: Op): void {
    if (o.op === 'free') {
      const first = Math.floor(o.at / PAGE_SIZE);
      const last = Math.floor((o.at + o.size - 1) / PAGE_SIZE);
      for (let p = first; p <= last; p++) {
        this.bytes.fill(0, p * PAGE_SIZE, (p + 1) * PAGE_SIZE);
        this.touched.delete(p);
      }
      return;
    }
    const bytes = o.op === 'write' ? o.bytes : leBytes(o.value, o.width);
    bytes.forEach((b, i) => (this.bytes[o.at + i] = b));
    for (let i = 0; i < bytes.length; i++) this.touched.add(Math.floor((o.at + i) / PAGE_SIZE));
  }
}

function leBytes(value: bigint, width: number): number[] {
  return Array.from({ length: width }, (_, i) => Number((value >> BigInt(8 * i)) & 0xffn));
}

function applyTo(mem: PhysMem, o: Op): void {
  const pa = BASE + BigInt(o.at);
  if (o.op === 'write') mem.write(pa, Uint8Array.from(o.bytes));
  else if (o.op === 'store') mem.store(pa, o.width, o.value);
  else mem.free(pa, BigInt(o.size));
}

/** Every way of reading `mem` agrees with the flat array. */
function assertSame(mem: PhysMem, flat: FlatMemory): void {
  assert.deepEqual([...mem.read(BASE, SPAN)], [...flat.bytes.subarray(0, SPAN)]);
  // Every offset a load can start at to straddle a chunk or frame edge, and a sweep in between.
  const offsets = new Set<number>();
  for (let edge = 512; edge < SPAN; edge += 512) for (let at = edge - 7; at <= edge; at++) offsets.add(at);
  for (let at = 0; at + 8 <= SPAN; at += 61) offsets.add(at);
  for (const at of offsets) {
    for (const width of [1, 2, 4, 8] as const) {
      let v = 0n;
      for (let i = width - 1; i >= 0; i--) v = (v << 8n) | BigInt(flat.bytes[at + i]!);
      assert.equal(mem.load(BASE + BigInt(at), width), v, `load of ${width} at +${at}`);
    }
    const aligned = at & ~7;
    const u32 = (i: number) => (flat.bytes[i]! | (flat.bytes[i + 1]! << 8) | (flat.bytes[i + 2]! << 16) | (flat.bytes[i + 3]! << 24)) >>> 0;
    const words = { lo: -1, hi: -1 };
    // As a frame and an offset that may run past it (a table of several frames).
    mem.loadWords(Number(BASE) / 4096, aligned, words);
    assert.deepEqual(words, { lo: u32(aligned), hi: u32(aligned + 4) }, `loadWords at +${aligned}`);
  }
  assert.equal(mem.touchedFrames, flat.touched.size);
}

describe('host memory', () => {
  it('reads what a flat byte array holds after any writes, stores and frees, across chunk and frame edges', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 30 }), (ops) => {
        const mem = new PhysMem();
        const flat = new FlatMemory();
        for (const o of ops) {
          applyTo(mem, o);
          flat.apply(o);
        }
        assertSame(mem, flat);
      }),
      { numRuns: 300 },
    );
  });

  it('counts a frame written only with zeros, and refuses a new frame past the limit with ENOMEM', () => {
    const mem = new PhysMem();
    mem.frameLimit = 1;
    mem.write(BASE, new Uint8Array(16));
    assert.equal(mem.touchedFrames, 1);
    assert.equal(mem.load(BASE, 8), 0n);
    // The same frame, another (absent) chunk: no new frame.
    mem.store(BASE + 0x800n, 4, 0x1234n);
    assert.equal(mem.load(BASE + 0x800n, 4), 0x1234n);
    assert.throws(() => mem.store(BASE + BigInt(PAGE_SIZE), 1, 1n), (e: Error & { errno?: string }) => e.errno === 'ENOMEM');
    assert.equal(mem.touchedFrames, 1);
  });

  it('keeps a structural copy and its original apart: each sees only its own writes after the copy', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 15 }), fc.array(opArb, { maxLength: 15 }), fc.array(opArb, { maxLength: 15 }), (before, onOriginal, onCopy) => {
        const mem = new PhysMem();
        const flat = new FlatMemory();
        for (const o of before) {
          applyTo(mem, o);
          flat.apply(o);
        }
        const copy = deepClone(mem);
        const flatCopy = new FlatMemory();
        flatCopy.bytes.set(flat.bytes);
        for (const p of flat.touched) flatCopy.touched.add(p);
        for (const o of onOriginal) {
          applyTo(mem, o);
          flat.apply(o);
        }
        for (const o of onCopy) {
          applyTo(copy, o);
          flatCopy.apply(o);
        }
        assertSame(mem, flat);
        assertSame(copy, flatCopy);
      }),
      { numRuns: 150 },
    );
  });
});
