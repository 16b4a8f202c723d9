// The framework's copies of an ioctl's struct (iommufd-reference §1.1):
// copy_from_user into a kernel copy (zero-filled past a short user size),
// and copy_to_user of min(user size, kernel size) bytes into the caller's
// own buffer, only where the handler responded. The kernel copy of each
// ioctl number is reused from call to call: nothing one call leaves in it
// may reach another.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fail } from '../../emulator/engine/errno.js';
import { dispatchIoctl, handlersByNr } from '../../emulator/engine/iommufd/dispatch.js';
import type { Ucmd } from '../../emulator/engine/iommufd/ucmd.js';
import type { IoctlResult } from '../../emulator/engine/machine-api.js';
import { ioctlDef, iommufdCmd } from '../../emulator/engine/uapi/iommufd.js';
import { StructView } from '../../emulator/engine/uapi/layout.js';

const HWPT_ALLOC = ioctlDef('IOMMU_HWPT_ALLOC');
const CMD = iommufdCmd(HWPT_ALLOC.nr);

const noCompat = (): IoctlResult => {
  throw new Error('not a compat ioctl');
};

/** HWPT_ALLOC with `handler` as its handler (the file is unused). */
function call(arg: Uint8Array, handler: (ucmd: Ucmd) => void): IoctlResult {
  const handlers = handlersByNr<null>({ IOMMU_HWPT_ALLOC: (_file, ucmd) => handler(ucmd) });
  return dispatchIoctl(CMD, arg, null, handlers, noCompat);
}

/** A HWPT_ALLOC argument of `size` bytes with the given fields. */
function arg(size: number, fields: Record<string, bigint> = {}): Uint8Array {
  const v = StructView.zeroed(HWPT_ALLOC.struct);
  v.set('size', size);
  for (const [k, x] of Object.entries(fields)) v.set(k, x);
  return v.bytes.slice(0, size);
}

describe('ioctl dispatch copies', () => {
  it('writes what the handler responds into the caller\'s buffer, and returns that buffer', () => {
    const a = arg(48, { dev_id: 2n });
    const r = call(a, (ucmd) => {
      ucmd.cmd.set('out_hwpt_id', ucmd.cmd.get('dev_id') + 5n);
      ucmd.respond();
    });
    assert.equal(r.error, undefined);
    assert.equal(r.arg, a);
    assert.equal(new StructView(HWPT_ALLOC.struct, a).get('out_hwpt_id'), 7n);
  });

  it('leaves the caller\'s buffer as passed when the handler fails before responding', () => {
    const a = arg(48, { dev_id: 2n });
    const before = a.slice();
    const r = call(a, (ucmd) => {
      ucmd.cmd.set('out_hwpt_id', 99n);
      fail('ENOENT', 'no device 2');
    });
    assert.equal(r.error?.errno, 'ENOENT');
    assert.deepEqual(a, before);
  });

  it('copies back only the user\'s size of a short struct, and the next call sees none of the last one', () => {
    // A full call leaves fault_id (past the 24-byte minimum) in the kernel copy.
    call(arg(48, { fault_id: 0xaan }), (ucmd) => {
      ucmd.cmd.set('data_len', 0x55n);
      ucmd.respond();
    });
    const short = arg(24, { dev_id: 3n });
    let seen: bigint[] = [];
    const r = call(short, (ucmd) => {
      seen = [ucmd.cmd.get('dev_id'), ucmd.cmd.get('fault_id'), ucmd.cmd.get('data_len')];
      assert.equal(ucmd.userSize, 24);
      ucmd.cmd.set('out_hwpt_id', 4n);
      ucmd.cmd.set('data_len', 8n);
      ucmd.respond();
    });
    assert.deepEqual(seen, [3n, 0n, 0n], 'past the user size the kernel copy is zero');
    assert.equal(r.arg, short);
    assert.equal(short.length, 24);
    assert.equal(new StructView(HWPT_ALLOC.struct, short).get('out_hwpt_id'), 4n);
  });

  it('gives an ioctl issued from inside a handler of the same number its own kernel copy', () => {
    const outer = arg(48, { dev_id: 1n });
    const inner = arg(48, { dev_id: 2n });
    const r = call(outer, (ucmd) => {
      call(inner, (u) => {
        u.cmd.set('out_hwpt_id', 20n);
        u.respond();
      });
      assert.equal(ucmd.cmd.get('dev_id'), 1n);
      ucmd.cmd.set('out_hwpt_id', 10n);
      ucmd.respond();
    });
    assert.equal(r.error, undefined);
    assert.equal(new StructView(HWPT_ALLOC.struct, outer).get('out_hwpt_id'), 10n);
    assert.equal(new StructView(HWPT_ALLOC.struct, inner).get('out_hwpt_id'), 20n);
  });
});
