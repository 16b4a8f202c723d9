// The IOTLB is a hash index (tag, page size, aligned IOVA) for O(1) hits; its
// observable behaviour must be that of the plain ordered list it replaced:
// the same entries in the same order after any sequence of fills and
// invalidations, the same hits, the same whole-cache flush when full, the
// same stale-hit notes. The reference model below is that list.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { childTag, Iotlb, IOTLB_CAPACITY, type IotlbEntry } from '../../emulator/engine/iotlb.js';

/** The list implementation the index replaced, kept as the specification. */
class ListIotlb {
  entries: IotlbEntry[] = [];
  lookup(tag: string, iova: bigint): IotlbEntry | undefined {
    return this.entries.find((e) => e.tag === tag && iova >= e.iova && iova < e.iova + e.size);
  }
  insert(entry: IotlbEntry): void {
    if (this.entries.length >= IOTLB_CAPACITY) this.entries = [];
    this.entries = this.entries.filter((e) => !(e.tag === entry.tag && overlaps(e, entry.iova, entry.size)));
    this.entries.push(entry);
  }
  invalidateRange(tag: string, iova: bigint, size: bigint): number {
    const before = this.entries.length;
    this.entries = this.entries.filter((e) => !(e.tag === tag && overlaps(e, iova, size)));
    return before - this.entries.length;
  }
  invalidateTag(tag: string): void {
    this.entries = this.entries.filter((e) => e.tag !== tag);
  }
  invalidateChildren(parent: string, range?: { iova: bigint; size: bigint }): void {
    this.entries = this.entries.filter((e) => !(e.tag.startsWith(`${parent} `) && (!range || overlaps(e, range.iova, range.size))));
  }
  noteUnmapped(tag: string | undefined, iova: bigint, size: bigint, line: number | undefined): void {
    for (const e of this.entries) if ((tag === undefined || e.tag === tag) && overlaps(e, iova, size) && !e.unmapped) e.unmapped = { line };
  }
  list(): IotlbEntry[] {
    return this.entries.map((e) => ({ ...e }));
  }
}

function overlaps(e: IotlbEntry, iova: bigint, size: bigint): boolean {
  return e.iova < iova + size && iova < e.iova + e.size;
}

const TAGS = ['ASID 1', 'ASID 2', 'VMID 1', childTag('VMID 1', 'ASID 1'), childTag('VMID 1', 'ASID 2'), 'DID 3'];
const SIZES = [0x1000n, 0x10000n, 0x200000n, 0x40000000n];
/** Mostly pages, so that the cache also fills up and is flushed whole. */
const sizeArb = fc.oneof({ weight: 40, arbitrary: fc.constant(SIZES[0]!) }, { weight: 4, arbitrary: fc.constant(SIZES[1]!) }, { weight: 2, arbitrary: fc.constant(SIZES[2]!) }, { weight: 1, arbitrary: fc.constant(SIZES[3]!) });
/** Small enough that fills, lookups and invalidations keep meeting each other. */
const SPAN = 0x1000000n;
/** A second window straddling 2^53, where the index switches from number to bigint keys. */
const HIGH = (1n << 53n) - SPAN / 2n;
const addrArb = fc.oneof({ weight: 4, arbitrary: fc.bigInt(0n, SPAN - 1n) }, { weight: 1, arbitrary: fc.bigInt(HIGH, HIGH + SPAN - 1n) });

const entryArb = fc.record({ tag: fc.constantFrom(...TAGS), size: sizeArb, at: addrArb, write: fc.boolean() }).map(
  ({ tag, size, at, write }): IotlbEntry => {
    const iova = at & ~(size - 1n);
    return { tag, iova, pa: iova + 0x1_0000_0000n, size, read: true, write, level: 3, stage: 1, descriptor: iova | 3n };
  },
);
const rangeArb = fc.record({
  iova: addrArb,
  size: fc.oneof(fc.constantFrom(0n, 1n, 0x1000n, 0x3000n, 0x200000n, 1n << 64n), fc.bigInt(0n, SPAN)),
});
type Op =
  | { op: 'insert'; e: IotlbEntry }
  | { op: 'range'; tag: string; iova: bigint; size: bigint }
  | { op: 'tag'; tag: string }
  | { op: 'children'; range?: { iova: bigint; size: bigint } }
  | { op: 'note'; tag?: string; iova: bigint; size: bigint; line: number };
/** With `tagFlushes` off, nothing empties whole tags, so long runs fill the cache and it is flushed whole. */
const opArb = (tagFlushes: boolean): fc.Arbitrary<Op> =>
  fc.oneof(
    { weight: 12, arbitrary: entryArb.map((e): Op => ({ op: 'insert', e })) },
    { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...TAGS), rangeArb).map(([tag, r]): Op => ({ op: 'range', tag, ...r })) },
    { weight: tagFlushes ? 1 : 0, arbitrary: fc.constantFrom(...TAGS).map((tag): Op => ({ op: 'tag', tag })) },
    { weight: tagFlushes ? 1 : 0, arbitrary: fc.option(rangeArb, { nil: undefined }).map((range): Op => ({ op: 'children', range })) },
    { weight: 2, arbitrary: fc.tuple(fc.option(fc.constantFrom(...TAGS), { nil: undefined }), rangeArb, fc.nat(99)).map(([tag, r, line]): Op => ({ op: 'note', tag, ...r, line })) },
  );

describe('IOTLB index', () => {
  for (const tagFlushes of [true, false]) {
  it(`behaves as the ordered list: same entries, order, hits, counts and notes after any operations (${tagFlushes ? 'with' : 'without'} whole-tag flushes)`, () => {
    fc.assert(
      fc.property(fc.array(opArb(tagFlushes), { maxLength: 700, size: 'max' }), fc.array(fc.tuple(fc.constantFrom(...TAGS), addrArb), { minLength: 20, maxLength: 20 }), (ops, probes) => {
        const fast = new Iotlb();
        const ref = new ListIotlb();
        for (const o of ops) {
          switch (o.op) {
            case 'insert':
              fast.insert({ ...o.e });
              ref.insert({ ...o.e });
              break;
            case 'range':
              assert.equal(fast.invalidateRange(o.tag, o.iova, o.size), ref.invalidateRange(o.tag, o.iova, o.size));
              break;
            case 'tag':
              fast.invalidateTag(o.tag);
              ref.invalidateTag(o.tag);
              break;
            case 'children':
              fast.invalidateChildren('VMID 1', o.range);
              ref.invalidateChildren('VMID 1', o.range);
              break;
            case 'note':
              fast.noteUnmapped(o.tag, o.iova, o.size, o.line);
              ref.noteUnmapped(o.tag, o.iova, o.size, o.line);
              break;
          }
        }
        assert.deepEqual(fast.list(), ref.list());
        for (const [tag, iova] of [...probes, ...ref.entries.map((e) => [e.tag, e.iova + e.size - 1n] as const)]) {
          assert.deepEqual(fast.lookup(tag, iova), ref.lookup(tag, iova));
        }
      }),
      { numRuns: 60 },
    );
  });
  }

  it('flushes everything when a fill finds it full, then holds only the new entry', () => {
    const t = new Iotlb();
    for (let i = 0; i < IOTLB_CAPACITY; i++) t.insert({ tag: 'ASID 1', iova: BigInt(i) << 12n, pa: 0n, size: 0x1000n, read: true, write: true, level: 3, stage: 1, descriptor: 0n });
    assert.equal(t.list().length, IOTLB_CAPACITY);
    assert.ok(t.lookup('ASID 1', 0x5123n));
    t.insert({ tag: 'ASID 2', iova: 0x200000n, pa: 0n, size: 0x200000n, read: true, write: true, level: 2, stage: 1, descriptor: 0n });
    assert.deepEqual(t.list().map((e) => [e.tag, e.iova]), [['ASID 2', 0x200000n]]);
    assert.equal(t.lookup('ASID 1', 0x5123n), undefined);
    assert.equal(t.lookup('ASID 2', 0x3fffffn)?.size, 0x200000n);
  });

  it('a block entry evicts the pages it covers, and is found from any address inside it', () => {
    const t = new Iotlb();
    const page = (iova: bigint): IotlbEntry => ({ tag: 'DID 1', iova, pa: iova, size: 0x1000n, read: true, write: true, level: 1, stage: 1, descriptor: 0n });
    t.insert(page(0x200000n));
    t.insert(page(0x3ff000n));
    t.insert(page(0x400000n));
    t.insert({ ...page(0x200000n), size: 0x200000n, level: 2 });
    assert.deepEqual(t.list().map((e) => [e.iova, e.size]), [[0x400000n, 0x1000n], [0x200000n, 0x200000n]]);
    assert.equal(t.lookup('DID 1', 0x3fffffn)?.size, 0x200000n);
    assert.equal(t.lookup('DID 1', 0x400fffn)?.size, 0x1000n);
    assert.equal(t.lookup('DID 2', 0x400fffn), undefined);
  });

  it('finds entries on either side of 2^53, where page numbers stop being exact JS numbers', () => {
    const t = new Iotlb();
    const at = (iova: bigint): IotlbEntry => ({ tag: 'DID 1', iova, pa: iova, size: 0x1000n, read: true, write: true, level: 1, stage: 1, descriptor: 0n });
    const top = 1n << 53n;
    t.insert(at(top - 0x1000n));
    t.insert(at(top));
    t.insert(at(top + 0x1000n));
    for (const probe of [top - 1n, top, top + 1n, top + 0xfffn, top + 0x1001n]) assert.equal(t.lookup('DID 1', probe)?.iova, probe & ~0xfffn, `0x${probe.toString(16)}`);
    assert.equal(t.invalidateRange('DID 1', top - 1n, 2n), 2);
    assert.deepEqual(t.list().map((e) => e.iova), [top + 0x1000n]);
  });

  it('refuses an entry that is not a naturally aligned power-of-two page', () => {
    const t = new Iotlb();
    assert.throws(() => t.insert({ tag: 'A', iova: 0x1800n, pa: 0n, size: 0x1000n, read: true, write: true, level: 3, stage: 1, descriptor: 0n }), /naturally aligned/);
    assert.throws(() => t.insert({ tag: 'A', iova: 0n, pa: 0n, size: 0x3000n, read: true, write: true, level: 3, stage: 1, descriptor: 0n }), /naturally aligned/);
  });
});
