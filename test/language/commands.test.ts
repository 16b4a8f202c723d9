import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ArgKind } from '../../emulator/language/command-spec.js';
import { COMMANDS } from '../../emulator/language/commands.js';
import { ioctlStruct } from '../../emulator/language/ioctl-structs.js';

/** Every command of trace-language.md §3, plus `ioctl NR`. */
const CONTRACT = [
  'iommu', 'device', 'memory', 'munmap', 'process',
  'driver', 'sva_bind', 'sva_unbind', 'exit', 'kernel_map', 'kernel_unmap', 'iommufd_attach', 'iommufd_replace',
  'bind', 'attach', 'detach', 'unbind',
  'open', 'close', 'destroy', 'ioas_alloc', 'ioas_map', 'ioas_map_file', 'ioas_change_process', 'ioas_unmap', 'ioas_copy',
  'ioas_iova_ranges', 'ioas_allow_iovas', 'option', 'vfio_ioas', 'get_hw_info', 'hwpt_alloc', 'hwpt_set_dirty_tracking',
  'hwpt_get_dirty_bitmap', 'hwpt_invalidate', 'fault_queue_alloc', 'fault_read', 'fault_respond', 'fault_close',
  'viommu_alloc', 'vdevice_alloc', 'veventq_alloc', 'veventq_read', 'veventq_close', 'hw_queue_alloc',
  'access_create', 'access_pin', 'access_unpin', 'access_rw', 'access_replace', 'access_destroy',
  'test_add_reserved', 'test_iopf', 'test_vevent', 'test_dirty',
  'write', 'read', 'dma', 'guest_pt', 'guest_map', 'guest_unmap',
  'ioctl',
];

const kindOf = (command: string, key: string): ArgKind => {
  const a = COMMANDS.get(command)?.args.find((x) => x.key === key);
  assert.ok(a, `${command} has no argument ${key}`);
  return a.kind;
};
const enumValue = (command: string, key: string, name: string): bigint | undefined => {
  const k = kindOf(command, key);
  assert.equal(k.type, 'enum');
  return k.type === 'enum' ? k.values[name] : undefined;
};
const flagValue = (command: string, name: string): bigint | undefined => {
  const k = kindOf(command, 'flags');
  return k.type === 'flags' ? k.flags[name] : undefined;
};

test('the table has exactly the contract\'s commands', () => {
  assert.deepEqual([...COMMANDS.keys()].sort(), [...CONTRACT].sort());
});

test('every ioctl name has a uAPI struct; the key ioctls are the contract\'s', () => {
  for (const c of COMMANDS.values()) if (c.ioctl) assert.ok(ioctlStruct(c.ioctl), `${c.name}: ${c.ioctl}`);
  const ioctl = (n: string) => COMMANDS.get(n)?.ioctl;
  assert.equal(ioctl('ioas_map'), 'IOMMU_IOAS_MAP');
  assert.equal(ioctl('bind'), 'VFIO_DEVICE_BIND_IOMMUFD');
  assert.equal(ioctl('attach'), 'VFIO_DEVICE_ATTACH_IOMMUFD_PT');
  assert.equal(ioctl('detach'), 'VFIO_DEVICE_DETACH_IOMMUFD_PT');
  assert.equal(ioctl('test_add_reserved'), 'IOMMU_TEST_CMD');
  assert.equal(ioctl('destroy'), 'IOMMU_DESTROY');
  assert.equal(ioctl('unbind'), undefined); // closing the device file is not an ioctl
});

test('selftest constants differ per command, as the selftest header defines them', () => {
  assert.equal(enumValue('hwpt_alloc', 'data_type', 'selftest'), 0xdeadn);
  assert.equal(enumValue('hwpt_invalidate', 'data_type', 'selftest'), 0xdeadbeefn);
  assert.equal(enumValue('viommu_alloc', 'type', 'selftest'), 0xdeadbeefn);
  assert.equal(enumValue('veventq_alloc', 'type', 'selftest'), 0xbeefbeefn);
  assert.equal(enumValue('get_hw_info', 'data_type', 'selftest'), 0xfeedbeefn);
  assert.equal(enumValue('hw_queue_alloc', 'type', 'selftest'), 0xdeadbeefn);
  assert.equal(enumValue('option', 'option_id', 'huge_pages'), 1n);
  assert.equal(enumValue('option', 'op', 'get'), 1n);
  assert.equal(enumValue('vfio_ioas', 'op', 'clear'), 2n);
  assert.equal(enumValue('fault_respond', 'code', 'invalid'), 1n);
});

test('flag words carry their uAPI bits', () => {
  assert.equal(flagValue('ioas_map', 'readable'), 4n);
  assert.equal(flagValue('hwpt_alloc', 'fault_id_valid'), 4n);
  assert.equal(flagValue('hwpt_alloc', 'pasid'), 8n);
  assert.equal(flagValue('hwpt_get_dirty_bitmap', 'no_clear'), 1n);
  assert.equal(flagValue('access_create', 'needs_pin_pages'), 1n);
  const perm = kindOf('test_iopf', 'perm');
  assert.deepEqual(perm.type === 'flags' && perm.flags, { read: 1n, write: 2n, exec: 4n, priv: 8n });
});

test('switch words and their keys', () => {
  assert.deepEqual(kindOf('driver', 'op'), { type: 'word', words: ['probe', 'remove'] });
  assert.deepEqual(kindOf('dma', 'dir'), { type: 'word', words: ['read', 'write'] });
  assert.deepEqual(kindOf('dma', 'width'), { type: 'word', words: ['u8', 'u16', 'u32', 'u64'] });
  assert.deepEqual(kindOf('write', 'width'), kindOf('read', 'width'));
  assert.equal(kindOf('device', 'pri').type, 'switch');
});

test('positional order follows the contract\'s tables', () => {
  const positional = (n: string) => COMMANDS.get(n)!.args.filter((a) => a.positional).map((a) => a.key);
  assert.deepEqual(positional('ioas_map'), ['ioas_id', 'user_va', 'length', 'iova', 'flags']);
  assert.deepEqual(positional('ioas_copy'), ['dst_ioas_id', 'src_ioas_id', 'src_iova', 'length', 'dst_iova', 'flags']);
  assert.deepEqual(positional('dma'), ['device', 'dir', 'iova', 'width', 'value']);
  assert.deepEqual(positional('write'), ['addr', 'width', 'value']);
  for (const c of COMMANDS.values()) {
    const keys = c.args.map((a) => a.key);
    assert.equal(new Set(keys).size, keys.length, `${c.name} repeats a key`);
  }
});
