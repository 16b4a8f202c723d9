// An ioctl's struct is decoded only as far as it is read: a statement's
// primary value comes from its one field, and the result record (every
// field) is made only when a name is bound. Neither shortcut may change a
// value: one field read alone is that field of the full decode, for every
// struct, every key and any bytes (short structs included), and a bound name
// holds the same record as before.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { KernelError } from '../../emulator/engine/errno.js';
import { IOCTLS } from '../../emulator/engine/uapi/iommufd.js';
import { decodeField, decodeStruct } from '../../emulator/runtime/marshal.js';
import { finish, IoctlDone } from '../../emulator/runtime/commands/ioctl.js';
import { fakeMachine, writeBack } from './fake-machine.js';
import { mismatchesOf, runText } from './helpers.js';

const structs = [...IOCTLS.values()].map((d) => d.struct);

describe('ioctl outcome', () => {
  it('reads one field exactly as the full decode has it, for every struct and key', () => {
    fc.assert(
      fc.property(fc.constantFrom(...structs), fc.uint8Array({ maxLength: 96 }), (def, bytes) => {
        const all = decodeStruct(def, bytes);
        for (const f of def.fields) {
          for (const key of [f.name, f.name.replace(/^out_/, '')]) assert.equal(decodeField(def, bytes, key), all.get(key), `${def.name}.${key}`);
        }
        assert.equal(decodeField(def, bytes, 'no_such_field'), undefined);
      }),
      { numRuns: 500 },
    );
  });

  it('makes the result record on first read, equal to the eager one, and lets a handler replace it', () => {
    const def = IOCTLS.get('IOMMU_IOAS_MAP')!.struct;
    const bytes = new Uint8Array(def.size).map((_, i) => i * 7);
    const out = finish(new IoctlDone(undefined, def, bytes), 'iova');
    assert.equal(out.actual.kind, 'ok');
    const record = out.result;
    assert.ok(record !== undefined && typeof record !== 'bigint' && record.kind === 'record');
    assert.deepEqual([...record.fields], [...decodeStruct(def, bytes)]);
    assert.equal(record.primary, decodeStruct(def, bytes).get('iova'));
    assert.equal(out.result, record, 'read twice, made once');
    out.result = 5n;
    assert.equal(out.result, 5n);
  });

  it('an error outcome carries the errno and no result', () => {
    const def = IOCTLS.get('IOMMU_DESTROY')!.struct;
    const out = finish(new IoctlDone(new KernelError('ENOENT', 'no object 7'), def, new Uint8Array(def.size)), 'id');
    assert.deepEqual(out.actual, { kind: 'errno', errno: 'ENOENT', reason: 'no object 7' });
    assert.equal(out.result, undefined);
  });

  it('binds the full record to a name, and the primary value to the statement', () => {
    // The kernel writes back an iova (offset 32 of struct iommu_ioas_map): the record's field and its bare name are the iova.
    const m = fakeMachine([writeBack({ 32: 0x5000 })]);
    const run = runText('r = ioas_map 1 0x1000 4K => 0x5000\nexpect r == 0x5000\nexpect r.iova == 0x5000', m);
    assert.deepEqual(mismatchesOf(run), []);
  });
});
