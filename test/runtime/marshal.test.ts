import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { KernelError } from '../../emulator/engine/errno.js';
import { ioctlDef } from '../../emulator/engine/uapi/iommufd.js';
import { readLE, writeLE } from '../../emulator/engine/uapi/layout.js';
import { buildStruct } from '../../emulator/runtime/marshal.js';
import { fakeMachine, refuse, writeBack, type IoctlReply } from './fake-machine.js';
import { mismatchesOf, runText } from './helpers.js';

const u32 = (b: Uint8Array, off: number) => Number(readLE(b, off, 4));
const u64 = (b: Uint8Array, off: number) => readLE(b, off, 8);

test('size= writes the size field and the buffer length; trailing= fills past the kernel struct', () => {
  const m = fakeMachine();
  mismatchesOf(runText('destroy 7 size=16 trailing=1\ndestroy 7 size=7\ndestroy 7', m));
  const [long, short, plain] = m.calls.map((c) => c.arg!);
  assert.deepEqual([...long!], [16, 0, 0, 0, 7, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1]);
  assert.deepEqual([...short!], [7, 0, 0, 0, 7, 0, 0]);
  assert.deepEqual([...plain!], [8, 0, 0, 0, 7, 0, 0, 0]);
  assert.equal(m.calls[0]!.cmd, 0x3b80);
});

test('arg=null passes a NULL pointer', () => {
  const m = fakeMachine();
  mismatchesOf(runText('destroy 0 arg=null', m));
  assert.equal(m.calls[0]!.arg, null);
});

test('ioas_map: default flags, fixed_iova with an iova, explicit flags replace; a field key overrides', () => {
  const m = fakeMachine();
  mismatchesOf(runText(`
memory buf 64K
ioas_map 1 buf 4K
ioas_map 1 buf 4K iova=0x1000
ioas_map 1 buf 4K iova=0x1000 flags=readable
ioas_map 1 buf 8K __reserved=1
`, m));
  const flags = m.calls.map((c) => u32(c.arg!, 4));
  assert.deepEqual(flags, [6, 7, 4, 6]);
  const last = m.calls[3]!.arg!;
  assert.equal(u32(last, 8), 1); // ioas_id
  assert.equal(u32(last, 12), 1); // __reserved
  assert.equal(u64(last, 16), 0x40000000n); // user_va: the region's address
  assert.equal(u64(last, 24), 0x2000n);
});

test('buildStruct zero-fills what the statement does not name', () => {
  const def = ioctlDef('IOMMU_IOAS_UNMAP').struct;
  const b = buildStruct(def, { ioas_id: 2n }, { overrides: new Map([['length', 5n]]) })!;
  assert.equal(b.length, 24);
  assert.equal(u32(b, 0), 24);
  assert.equal(u32(b, 4), 2);
  assert.equal(u64(b, 8), 0n);
  assert.equal(u64(b, 16), 5n);
});

test('payloads: data={...} is laid out in user memory; allowed_iovas become an array of ranges', () => {
  const m = fakeMachine();
  mismatchesOf(runText(`
hwpt_alloc 2 1 data_type=selftest data={iotlb=0xbadbeef}
ioas_allow_iovas 1 allowed_iovas=[0..0xfff, 0x2000..0x2fff]
hwpt_invalidate 5 data_type=selftest entries=[{flags=0, iotlb_id=1}, {flags=1, iotlb_id=2}]
`, m));
  const [alloc, allow, inval] = m.calls.map((c) => c.arg!);
  assert.equal(u32(alloc!, 24), 0xdead); // data_type
  assert.equal(u32(alloc!, 28), 8); // data_len
  assert.deepEqual([...m.scratch.get(u64(alloc!, 32))!.subarray(0, 4)], [0xef, 0xbe, 0xad, 0x0b]);
  assert.equal(u32(allow!, 8), 2);
  const ranges = m.scratch.get(u64(allow!, 16))!;
  assert.deepEqual([0, 8, 16, 24].map((o) => u64(ranges, o)), [0n, 0xfffn, 0x2000n, 0x2fffn]);
  assert.equal(u32(inval!, 16), 0xdeadbeef);
  assert.equal(u32(inval!, 20), 8); // entry_len
  assert.equal(u32(inval!, 24), 2); // entry_num
  const entries = m.scratch.get(u64(inval!, 8))!;
  assert.deepEqual([0, 4, 8, 12].map((o) => u32(entries, o)), [0, 1, 1, 2]);
});

/** The kernel's IOVA_RANGES: writes `ranges` that fit, the total, and EMSGSIZE if they did not all fit. */
function iovaRanges(machine: ReturnType<typeof fakeMachine>, ranges: [bigint, bigint][]): IoctlReply {
  return (call) => {
    const arg = call.arg!.slice();
    const cap = u32(arg, 8);
    const buf = machine.scratch.get(u64(arg, 16))!;
    ranges.slice(0, cap).forEach(([s, l], i) => {
      writeLE(buf, i * 16, 8, s);
      writeLE(buf, i * 16 + 8, 8, l);
    });
    writeLE(arg, 8, 4, BigInt(ranges.length));
    writeLE(arg, 24, 8, 2048n);
    return cap < ranges.length ? { arg, error: new KernelError('EMSGSIZE', 'too small') } : { arg };
  };
}

test('ioas_iova_ranges decodes .ranges, .num_iovas, .iova_alignment, and binds them on EMSGSIZE', () => {
  const replies: IoctlReply[] = [];
  const m = fakeMachine(replies);
  replies.push(iovaRanges(m, [[0n, 0xfffn], [0x2000n, 0xffffn]]), iovaRanges(m, [[0n, 0xfffn], [0x2000n, 0xffffn]]));
  const run = runText(`
r = ioas_iova_ranges 1 num_iovas=8
expect r.num_iovas == 2
expect r.ranges[1].start == 0x2000
expect r.iova_alignment == 2048
s = ioas_iova_ranges 1 num_iovas=1 => EMSGSIZE
expect s.num_iovas == 2
expect len(s.ranges) == 1
expect s.ranges[0].last == 0xfff
`, m);
  assert.deepEqual(mismatchesOf(run), []);
});

test('a failed ioctl binds nothing; write-back values are the result on success', () => {
  const m = fakeMachine([refuse('ENOENT', 'no IOAS 9'), writeBack({ 8: 4 })]);
  const run = runText(`
a = ioas_alloc => ENOENT
b = ioas_alloc => 4
expect b == 4
`, m);
  run.step();
  run.step();
  assert.deepEqual(run.frames()[0]!.locals.map(([n]) => n), ['b']);
  assert.deepEqual(mismatchesOf(run), []);
});

test('ioas_map_file: a memfd region names its fd; a number is passed as is', () => {
  const m = fakeMachine([], { fdNumber: (name) => (name === 'mf' ? 7 : 3) });
  mismatchesOf(runText('memory mf 64K memfd\nioas_map_file 1 mf 0 4K\nioas_map_file 1 9 0 4K\n', m));
  assert.deepEqual(m.calls.map((c) => u32(c.arg!, 12)), [7, 9]);
  assert.deepEqual(m.calls.map((c) => u32(c.arg!, 4)), [6, 6], 'default flags readable|writeable');
});

test('ioas_iova_ranges without num_iovas asks again with the total when the first array was short', () => {
  const many = Array.from({ length: 70 }, (_, i): [bigint, bigint] => [BigInt(i) * 0x10000n, BigInt(i) * 0x10000n + 0xfffn]);
  const replies: IoctlReply[] = [];
  const m = fakeMachine(replies);
  replies.push(iovaRanges(m, many), iovaRanges(m, many));
  const run = runText('r = ioas_iova_ranges 1\nexpect len(r.ranges) == 70\nexpect r.ranges[69].start == 0x450000\n', m);
  assert.deepEqual(mismatchesOf(run), []);
  assert.deepEqual(m.calls.map((c) => u32(c.arg!, 8)), [64, 70]);
});

test('buildStruct stores each field as its low bytes, little-endian, and touches no neighbour', () => {
  const def = ioctlDef('IOMMU_IOAS_MAP').struct;
  const u64Arb = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
  fc.assert(
    fc.property(u64Arb, u64Arb, u64Arb, u64Arb, u64Arb, (flags, ioasId, userVa, length, iova) => {
      const values = { flags, ioas_id: ioasId, user_va: userVa, length, iova };
      const b = buildStruct(def, values)!;
      assert.equal(u32(b, 0), def.size);
      for (const [name, v] of Object.entries(values)) {
        const f = def.fields.find((x) => x.name === name)!;
        assert.equal(readLE(b, f.offset, f.size), BigInt.asUintN(f.size * 8, v), name);
      }
      assert.equal(u32(b, 12), 0); // __reserved, between ioas_id and user_va
    }),
  );
});

test('buildStruct gives the same bytes whatever order, and whichever subset, the values come in', () => {
  // buildStruct remembers the names of its last call per struct: a call with other names, or the same names
  // in another order, must not reuse a field of the one before.
  const def = ioctlDef('IOMMU_IOAS_MAP').struct;
  const names = ['flags', 'ioas_id', 'user_va', 'length', 'iova'] as const;
  const value = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.shuffledSubarray([...names]), fc.array(value, { minLength: 5, maxLength: 5 })), { minLength: 1, maxLength: 4 }), (calls) => {
      for (const [order, vs] of calls) {
        const values: Record<string, bigint> = {};
        order.forEach((n, i) => (values[n] = vs[i]!));
        const b = buildStruct(def, values)!;
        const expected = new Uint8Array(def.size);
        writeLE(expected, 0, 4, BigInt(def.size));
        for (const f of def.fields) if (f.name in values) writeLE(expected, f.offset, f.size, values[f.name]!);
        assert.deepEqual(b, expected);
      }
    }),
    { numRuns: 300 },
  );
});

test('every struct built gets bytes of its own: writing one (as the kernel does) changes no other, before or after', () => {
  // The buffers are carved from shared slabs: enough builds to cross several of them.
  const def = ioctlDef('IOMMU_IOAS_MAP').struct;
  const built: Uint8Array[] = [];
  for (let i = 0; i < 5000; i++) {
    const b = buildStruct(def, { iova: BigInt(i) })!;
    assert.equal(b.length, def.size);
    assert.equal(u64(b, 32), BigInt(i));
    assert.equal(u64(b, 16), 0n, 'a fresh buffer is zero where no field was given');
    b.fill(0xff, 8);
    built.push(b);
  }
  built.forEach((b, i) => {
    assert.equal(u32(b, 0), def.size);
    assert.equal(u32(b, 4), 0, `struct ${i} was written by another`);
  });
});
