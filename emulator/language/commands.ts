// The command table: every command of trace-language.md §3, its arguments in
// the order they may be given positionally, their kinds, what it binds and
// the ioctl it issues. The checker validates statements against it and the
// runtime evaluates arguments with it, so the two can never disagree.
import type { ObjectType } from '../engine/iommufd/object.js';
import {
  ACCESS_CREATE_FLAGS, ACCESS_RW_FLAGS, DIRTY_TRACKING_FLAGS, GET_DIRTY_BITMAP_FLAGS, HWPT_ALLOC_FLAGS,
  HWPT_DATA_TYPES, HWPT_INVALIDATE_DATA_TYPES, HW_INFO_FLAGS, HW_INFO_TYPES, HW_QUEUE_TYPES, IOAS_MAP_FLAGS,
  IOMMU_PROT, OPTION_IDS, OPTION_OPS, PAGE_RESPONSE_CODES, PGFAULT_PERMS, VEVENTQ_TYPES, VFIO_IOAS_OPS, VIOMMU_TYPES,
} from '../engine/uapi/iommufd.js';
import type { ArgKind, ArgSpec, CommandSpec, ResultSpec } from './command-spec.js';

// ---- argument kinds ----
const INT: ArgKind = { type: 'int' };
const ADDR: ArgKind = { type: 'addr' };
const id = (...objects: ObjectType[]): ArgKind => ({ type: 'id', objects });
const flags = (set: Record<string, bigint>): ArgKind => ({ type: 'flags', flags: set });
const constants = (values: Record<string, bigint>): ArgKind => ({ type: 'enum', values, numbers: true });
const words = (...list: string[]): ArgKind => ({ type: 'word', words: list });
const SWITCH: ArgKind = { type: 'switch' };
const WIDTH = words('u8', 'u16', 'u32', 'u64');

const ANY_OBJECT: ObjectType[] = ['DEVICE', 'HWPT_PAGING', 'HWPT_NESTED', 'IOAS', 'ACCESS', 'FAULT', 'VIOMMU', 'VDEVICE', 'VEVENTQ', 'HW_QUEUE'];
const HWPT: ObjectType[] = ['HWPT_PAGING', 'HWPT_NESTED'];
const DEV = id('DEVICE');
const IOAS = id('IOAS');
/** What a device can be attached to: an IOAS (through an auto HWPT) or a HWPT. */
const PT = id('IOAS', ...HWPT);

// ---- argument specs ----
/** Positional (in table order) and required. */
const req = (key: string, kind: ArgKind): ArgSpec => ({ key, kind, positional: true, required: true });
/** Positional, optional. */
const opt = (key: string, kind: ArgKind): ArgSpec => ({ key, kind, positional: true });
/** Only by its key. */
const key = (key: string, kind: ArgKind): ArgSpec => ({ key, kind });

// ---- results ----
const objectResult = (objects: ObjectType[], ...fields: string[]): ResultSpec => ({ primary: { type: 'id', objects }, fields });
const intResult = (...fields: string[]): ResultSpec => ({ primary: { type: 'int' }, fields });
const listResult = (...fields: string[]): ResultSpec => ({ primary: { type: 'list' }, fields });
const fieldsOnly = (...fields: string[]): ResultSpec => ({ primary: { type: 'none' }, fields });

const PASID = key('pasid', INT);

const MACHINE: CommandSpec[] = [
  {
    name: 'iommu', declares: 'iommu',
    args: [
      req('name', { type: 'iommu' }), key('model', words('mock', 'smmuv3', 'vtd')), key('granule', INT), key('ias', INT),
      key('oas', INT), key('pasid_bits', INT), key('levels', INT), key('s2fwb', SWITCH), key('no_httu', SWITCH), key('no_snoop', SWITCH),
      key('strict', SWITCH), key('lazy', SWITCH),
    ],
  },
  {
    name: 'device', declares: 'device',
    args: [
      req('name', { type: 'device' }), key('iommu', { type: 'iommu' }), key('group', INT), key('rid', INT), key('pasid_bits', INT),
      key('pri', SWITCH), key('no_dirty', SWITCH), key('reserved', { type: 'ranges' }),
    ],
  },
  {
    name: 'memory', declares: 'memory',
    args: [req('name', { type: 'memory' }), req('size', INT), key('process', { type: 'process' }), key('at', ADDR), key('hugepage', INT), key('memfd', SWITCH)],
  },
  { name: 'munmap', args: [req('addr', ADDR), req('length', INT), key('process', { type: 'process' })] },
  { name: 'process', declares: 'process', args: [req('name', { type: 'process' })] },
];

const HOST_KERNEL: CommandSpec[] = [
  { name: 'driver', args: [req('device', { type: 'device' }), req('op', words('probe', 'remove'))] },
  { name: 'sva_bind', args: [req('device', { type: 'device' }), req('process', { type: 'process' })], result: { primary: { type: 'handle' }, fields: ['pasid'] } },
  { name: 'sva_unbind', args: [req('handle', { type: 'handle' })] },
  { name: 'exit', args: [req('process', { type: 'process' })] },
  {
    name: 'kernel_map',
    args: [req('device', { type: 'device' }), req('iova', INT), req('pa', INT), req('size', INT), opt('prot', flags(IOMMU_PROT))],
  },
  { name: 'kernel_unmap', args: [req('device', { type: 'device' }), req('iova', INT), req('size', INT)], result: intResult('size') },
  { name: 'iommufd_attach', args: [req('dev_id', DEV), req('pt_id', PT), PASID], result: objectResult(HWPT, 'pt_id') },
  { name: 'iommufd_replace', args: [req('dev_id', DEV), req('pt_id', PT), PASID], result: objectResult(HWPT, 'pt_id') },
];

const VFIO: CommandSpec[] = [
  { name: 'bind', ioctl: 'VFIO_DEVICE_BIND_IOMMUFD', args: [req('device', { type: 'device' })], result: objectResult(['DEVICE'], 'devid') },
  { name: 'attach', ioctl: 'VFIO_DEVICE_ATTACH_IOMMUFD_PT', args: [req('dev_id', DEV), req('pt_id', PT), PASID], result: objectResult(HWPT, 'pt_id') },
  { name: 'detach', ioctl: 'VFIO_DEVICE_DETACH_IOMMUFD_PT', args: [req('dev_id', DEV), PASID] },
  { name: 'unbind', args: [req('dev_id', DEV)] },
];

const IOMMUFD: CommandSpec[] = [
  { name: 'open', declares: 'fd', args: [req('name', { type: 'fd' })] },
  { name: 'close', args: [req('name', { type: 'fd' })] },
  { name: 'destroy', ioctl: 'IOMMU_DESTROY', args: [req('id', id(...ANY_OBJECT))] },
  { name: 'ioas_alloc', ioctl: 'IOMMU_IOAS_ALLOC', args: [opt('flags', flags({}))], result: objectResult(['IOAS'], 'ioas_id') },
  {
    name: 'ioas_map', ioctl: 'IOMMU_IOAS_MAP',
    args: [req('ioas_id', IOAS), req('user_va', ADDR), req('length', INT), opt('iova', INT), opt('flags', flags(IOAS_MAP_FLAGS))],
    result: intResult('iova'),
  },
  {
    name: 'ioas_map_file', ioctl: 'IOMMU_IOAS_MAP_FILE',
    args: [req('ioas_id', IOAS), req('fd', { type: 'memory' }), opt('start', INT), req('length', INT), opt('iova', INT), opt('flags', flags(IOAS_MAP_FLAGS))],
    result: intResult('iova'),
  },
  { name: 'ioas_change_process', ioctl: 'IOMMU_IOAS_CHANGE_PROCESS', args: [] },
  { name: 'ioas_unmap', ioctl: 'IOMMU_IOAS_UNMAP', args: [req('ioas_id', IOAS), req('iova', INT), req('length', INT)], result: intResult('length') },
  {
    name: 'ioas_copy', ioctl: 'IOMMU_IOAS_COPY',
    args: [req('dst_ioas_id', IOAS), req('src_ioas_id', IOAS), req('src_iova', INT), req('length', INT), opt('dst_iova', INT), opt('flags', flags(IOAS_MAP_FLAGS))],
    result: intResult('dst_iova'),
  },
  {
    name: 'ioas_iova_ranges', ioctl: 'IOMMU_IOAS_IOVA_RANGES',
    args: [req('ioas_id', IOAS), opt('num_iovas', INT)],
    result: fieldsOnly('ranges', 'num_iovas', 'iova_alignment'),
  },
  { name: 'ioas_allow_iovas', ioctl: 'IOMMU_IOAS_ALLOW_IOVAS', args: [req('ioas_id', IOAS), req('allowed_iovas', { type: 'ranges' })] },
  {
    name: 'option', ioctl: 'IOMMU_OPTION',
    args: [req('option_id', constants(OPTION_IDS)), req('op', constants(OPTION_OPS)), opt('object_id', id(...ANY_OBJECT)), opt('val64', INT)],
    result: intResult('val64'),
  },
  { name: 'vfio_ioas', ioctl: 'IOMMU_VFIO_IOAS', args: [opt('ioas_id', IOAS), req('op', constants(VFIO_IOAS_OPS))], result: objectResult(['IOAS'], 'ioas_id') },
  {
    name: 'get_hw_info', ioctl: 'IOMMU_GET_HW_INFO',
    args: [req('dev_id', DEV), opt('data_type', constants(HW_INFO_TYPES)), opt('flags', flags(HW_INFO_FLAGS))],
    result: fieldsOnly('data_type', 'data', 'data_len', 'capabilities', 'max_pasid_log2'),
  },
  {
    name: 'hwpt_alloc', ioctl: 'IOMMU_HWPT_ALLOC',
    args: [
      req('dev_id', DEV), req('pt_id', id('IOAS', 'HWPT_PAGING', 'VIOMMU')), opt('flags', flags(HWPT_ALLOC_FLAGS)),
      opt('data_type', constants(HWPT_DATA_TYPES)), opt('data', { type: 'record' }), opt('fault_id', id('FAULT')),
    ],
    result: objectResult(HWPT, 'hwpt_id'),
  },
  { name: 'hwpt_set_dirty_tracking', ioctl: 'IOMMU_HWPT_SET_DIRTY_TRACKING', args: [req('hwpt_id', id('HWPT_PAGING')), opt('flags', flags(DIRTY_TRACKING_FLAGS))] },
  {
    name: 'hwpt_get_dirty_bitmap', ioctl: 'IOMMU_HWPT_GET_DIRTY_BITMAP',
    args: [req('hwpt_id', id('HWPT_PAGING')), req('iova', INT), req('length', INT), req('page_size', INT), opt('flags', flags(GET_DIRTY_BITMAP_FLAGS))],
    result: listResult('bitmap'),
  },
  {
    name: 'hwpt_invalidate', ioctl: 'IOMMU_HWPT_INVALIDATE',
    args: [req('hwpt_id', id('HWPT_NESTED', 'VIOMMU')), opt('data_type', constants(HWPT_INVALIDATE_DATA_TYPES)), opt('entries', { type: 'records' }), opt('entry_len', INT)],
    result: fieldsOnly('entry_num'),
  },
  { name: 'fault_queue_alloc', ioctl: 'IOMMU_FAULT_QUEUE_ALLOC', args: [opt('flags', flags({}))], result: objectResult(['FAULT'], 'fault_id', 'fault_fd') },
  { name: 'fault_read', args: [req('fault_id', id('FAULT')), opt('count', INT)], result: listResult() },
  { name: 'fault_respond', args: [req('fault_id', id('FAULT')), req('cookie', INT), opt('code', constants(PAGE_RESPONSE_CODES))] },
  { name: 'fault_close', args: [req('fault_id', id('FAULT'))] },
  {
    name: 'viommu_alloc', ioctl: 'IOMMU_VIOMMU_ALLOC',
    args: [req('dev_id', DEV), req('hwpt_id', id('HWPT_PAGING')), req('type', constants(VIOMMU_TYPES)), opt('data', { type: 'record' })],
    result: objectResult(['VIOMMU'], 'viommu_id', 'data', 'mmap_offset', 'mmap_length'),
  },
  {
    name: 'vdevice_alloc', ioctl: 'IOMMU_VDEVICE_ALLOC',
    args: [req('viommu_id', id('VIOMMU')), req('dev_id', DEV), req('virt_id', INT)],
    result: objectResult(['VDEVICE'], 'vdevice_id'),
  },
  {
    name: 'veventq_alloc', ioctl: 'IOMMU_VEVENTQ_ALLOC',
    args: [req('viommu_id', id('VIOMMU')), req('type', constants(VEVENTQ_TYPES)), req('veventq_depth', INT)],
    result: objectResult(['VEVENTQ'], 'veventq_id', 'veventq_fd'),
  },
  { name: 'veventq_read', args: [req('veventq_id', id('VEVENTQ')), opt('count', INT)], result: listResult() },
  { name: 'veventq_close', args: [req('veventq_id', id('VEVENTQ'))] },
  {
    name: 'hw_queue_alloc', ioctl: 'IOMMU_HW_QUEUE_ALLOC',
    args: [req('viommu_id', id('VIOMMU')), req('type', constants(HW_QUEUE_TYPES)), req('index', INT), req('nesting_parent_iova', INT), req('length', INT)],
    result: objectResult(['HW_QUEUE'], 'hw_queue_id'),
  },
  { name: 'access_create', args: [req('ioas_id', IOAS), opt('flags', flags(ACCESS_CREATE_FLAGS))], result: objectResult(['ACCESS'], 'access_id') },
  { name: 'access_pin', args: [req('access_id', id('ACCESS')), req('iova', INT), req('length', INT), opt('flags', flags(ACCESS_RW_FLAGS))] },
  { name: 'access_unpin', args: [req('access_id', id('ACCESS')), req('iova', INT), req('length', INT)] },
  {
    name: 'access_rw',
    args: [req('access_id', id('ACCESS')), req('iova', INT), opt('length', INT), opt('flags', flags(ACCESS_RW_FLAGS)), opt('data', { type: 'bytes' })],
    result: listResult('data'),
  },
  { name: 'access_replace', args: [req('access_id', id('ACCESS')), req('ioas_id', IOAS)] },
  { name: 'access_destroy', args: [req('access_id', id('ACCESS'))] },
];

const SELFTEST: CommandSpec[] = [
  { name: 'test_add_reserved', ioctl: 'IOMMU_TEST_CMD', model: 'mock', args: [req('ioas_id', IOAS), req('start', INT), req('length', INT)] },
  {
    name: 'test_iopf', ioctl: 'IOMMU_TEST_CMD', model: 'mock',
    args: [req('dev_id', DEV), req('addr', INT), opt('pasid', INT), opt('grpid', INT), opt('perm', flags(PGFAULT_PERMS))],
  },
  { name: 'test_vevent', ioctl: 'IOMMU_TEST_CMD', model: 'mock', args: [req('dev_id', DEV)] },
  {
    name: 'test_dirty', ioctl: 'IOMMU_TEST_CMD', model: 'mock',
    args: [req('hwpt_id', id('HWPT_PAGING')), req('iova', INT), req('length', INT), req('page_size', INT), req('bitmap', { type: 'list' })],
    result: fieldsOnly('nr_dirty'),
  },
];

const CPU_AND_DEVICES: CommandSpec[] = [
  { name: 'write', args: [req('addr', ADDR), req('width', WIDTH), req('value', INT), key('process', { type: 'process' })] },
  { name: 'read', args: [req('addr', ADDR), req('width', WIDTH), key('process', { type: 'process' })], result: intResult() },
  {
    name: 'dma',
    args: [
      req('device', { type: 'device' }), req('dir', words('read', 'write')), req('iova', INT), opt('width', WIDTH), opt('value', INT),
      PASID, key('len', INT), key('fill', INT),
    ],
    result: intResult(),
  },
  {
    name: 'guest_pt', declares: 'guest_pt',
    args: [req('name', { type: 'guest_pt' }), req('format', words('arm64_s1', 'arm64_s2', 'x86_64')), opt('base', ADDR), opt('granule', INT)],
  },
  {
    name: 'guest_map',
    args: [req('guest_pt', { type: 'guest_pt' }), req('iova', INT), req('oa', INT), req('length', INT), opt('prot', words('r', 'w', 'rw'))],
  },
  { name: 'guest_unmap', args: [req('guest_pt', { type: 'guest_pt' }), req('iova', INT), req('length', INT)] },
];

/** `ioctl NR`: a bare ioctl number on the iommufd, with an optional raw argument. */
const RAW: CommandSpec[] = [
  { name: 'ioctl', args: [req('nr', INT), key('data', { type: 'bytes' }), key('arg', { type: 'word', words: ['null'] })] },
];

export const COMMANDS: ReadonlyMap<string, CommandSpec> = new Map(
  [...MACHINE, ...HOST_KERNEL, ...VFIO, ...IOMMUFD, ...SELFTEST, ...CPU_AND_DEVICES, ...RAW].map((c) => [c.name, c]),
);

/** Accepted by every statement: the iommufd it runs on. */
export const IOMMUFD_KEY: ArgSpec = key('iommufd', { type: 'fd' });

/**
 * Raw controls of the uAPI struct, accepted by every command with an
 * `ioctl` (a command's own argument of the same key takes precedence).
 */
export const RAW_IOCTL_KEYS: readonly ArgSpec[] = [
  key('size', INT),
  key('trailing', INT),
  key('arg', words('null')),
  key('data', { type: 'bytes' }),
];
