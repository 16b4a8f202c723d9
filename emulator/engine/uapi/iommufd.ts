// The /dev/iommu uAPI (include/uapi/linux/iommufd.h): command numbers, struct
// layouts and the constants of its enums and flags.
import { struct, type StructDef } from './layout.js';

export const IOMMUFD_TYPE = 0x3b; // ';'

/** `_IO(';', nr)`: iommufd commands carry no size or direction bits. */
export function iommufdCmd(nr: number): number {
  return (IOMMUFD_TYPE << 8) | nr;
}

export interface IoctlDef {
  /** The uAPI name, e.g. `IOMMU_IOAS_MAP`. */
  name: string;
  nr: number;
  struct: StructDef;
}

const ioctls: IoctlDef[] = [
  { name: 'IOMMU_DESTROY', nr: 0x80, struct: struct('iommu_destroy', [['size', 4], ['id', 4]]) },
  { name: 'IOMMU_IOAS_ALLOC', nr: 0x81, struct: struct('iommu_ioas_alloc', [['size', 4], ['flags', 4], ['out_ioas_id', 4]]) },
  {
    name: 'IOMMU_IOAS_ALLOW_IOVAS', nr: 0x82,
    struct: struct('iommu_ioas_allow_iovas', [['size', 4], ['ioas_id', 4], ['num_iovas', 4], ['__reserved', 4], ['allowed_iovas', 8, 'ptr']]),
  },
  {
    name: 'IOMMU_IOAS_COPY', nr: 0x83,
    struct: struct('iommu_ioas_copy', [['size', 4], ['flags', 4], ['dst_ioas_id', 4], ['src_ioas_id', 4], ['length', 8], ['dst_iova', 8], ['src_iova', 8]]),
  },
  {
    name: 'IOMMU_IOAS_IOVA_RANGES', nr: 0x84,
    struct: struct('iommu_ioas_iova_ranges', [['size', 4], ['ioas_id', 4], ['num_iovas', 4], ['__reserved', 4], ['allowed_iovas', 8, 'ptr'], ['out_iova_alignment', 8]]),
  },
  {
    name: 'IOMMU_IOAS_MAP', nr: 0x85,
    struct: struct('iommu_ioas_map', [['size', 4], ['flags', 4], ['ioas_id', 4], ['__reserved', 4], ['user_va', 8], ['length', 8], ['iova', 8]]),
  },
  { name: 'IOMMU_IOAS_UNMAP', nr: 0x86, struct: struct('iommu_ioas_unmap', [['size', 4], ['ioas_id', 4], ['iova', 8], ['length', 8]]) },
  {
    name: 'IOMMU_OPTION', nr: 0x87,
    struct: struct('iommu_option', [['size', 4], ['option_id', 4], ['op', 2], ['__reserved', 2], ['object_id', 4], ['val64', 8]]),
  },
  { name: 'IOMMU_VFIO_IOAS', nr: 0x88, struct: struct('iommu_vfio_ioas', [['size', 4], ['ioas_id', 4], ['op', 2], ['__reserved', 2]]) },
  {
    name: 'IOMMU_HWPT_ALLOC', nr: 0x89,
    struct: struct(
      'iommu_hwpt_alloc',
      [['size', 4], ['flags', 4], ['dev_id', 4], ['pt_id', 4], ['out_hwpt_id', 4], ['__reserved', 4], ['data_type', 4], ['data_len', 4], ['data_uptr', 8, 'ptr'], ['fault_id', 4], ['__reserved2', 4]],
      '__reserved',
    ),
  },
  {
    name: 'IOMMU_GET_HW_INFO', nr: 0x8a,
    struct: struct(
      'iommu_hw_info',
      [['size', 4], ['flags', 4], ['dev_id', 4], ['data_len', 4], ['data_uptr', 8, 'ptr'], ['data_type', 4], ['out_max_pasid_log2', 1], ['__reserved0', 1], ['__reserved1', 1], ['__reserved2', 1], ['out_capabilities', 8]],
      '__reserved2',
    ),
  },
  {
    name: 'IOMMU_HWPT_SET_DIRTY_TRACKING', nr: 0x8b,
    struct: struct('iommu_hwpt_set_dirty_tracking', [['size', 4], ['flags', 4], ['hwpt_id', 4], ['__reserved', 4]]),
  },
  {
    name: 'IOMMU_HWPT_GET_DIRTY_BITMAP', nr: 0x8c,
    struct: struct('iommu_hwpt_get_dirty_bitmap', [['size', 4], ['hwpt_id', 4], ['flags', 4], ['__reserved', 4], ['iova', 8], ['length', 8], ['page_size', 8], ['data', 8, 'ptr']]),
  },
  {
    name: 'IOMMU_HWPT_INVALIDATE', nr: 0x8d,
    struct: struct('iommu_hwpt_invalidate', [['size', 4], ['hwpt_id', 4], ['data_uptr', 8, 'ptr'], ['data_type', 4], ['entry_len', 4], ['entry_num', 4], ['__reserved', 4]]),
  },
  {
    name: 'IOMMU_FAULT_QUEUE_ALLOC', nr: 0x8e,
    struct: struct('iommu_fault_alloc', [['size', 4], ['flags', 4], ['out_fault_id', 4], ['out_fault_fd', 4]]),
  },
  {
    name: 'IOMMU_IOAS_MAP_FILE', nr: 0x8f,
    struct: struct('iommu_ioas_map_file', [['size', 4], ['flags', 4], ['ioas_id', 4], ['fd', 4], ['start', 8], ['length', 8], ['iova', 8]]),
  },
  {
    name: 'IOMMU_VIOMMU_ALLOC', nr: 0x90,
    struct: struct(
      'iommu_viommu_alloc',
      [['size', 4], ['flags', 4], ['type', 4], ['dev_id', 4], ['hwpt_id', 4], ['out_viommu_id', 4], ['data_len', 4], ['__reserved', 4], ['data_uptr', 8, 'ptr']],
      'out_viommu_id',
    ),
  },
  {
    name: 'IOMMU_VDEVICE_ALLOC', nr: 0x91,
    struct: struct('iommu_vdevice_alloc', [['size', 4], ['viommu_id', 4], ['dev_id', 4], ['out_vdevice_id', 4], ['virt_id', 8]]),
  },
  { name: 'IOMMU_IOAS_CHANGE_PROCESS', nr: 0x92, struct: struct('iommu_ioas_change_process', [['size', 4], ['__reserved', 4]]) },
  {
    name: 'IOMMU_VEVENTQ_ALLOC', nr: 0x93,
    struct: struct(
      'iommu_veventq_alloc',
      [['size', 4], ['flags', 4], ['viommu_id', 4], ['type', 4], ['veventq_depth', 4], ['out_veventq_id', 4], ['out_veventq_fd', 4], ['__reserved', 4]],
      'out_veventq_fd',
    ),
  },
  {
    name: 'IOMMU_HW_QUEUE_ALLOC', nr: 0x94,
    struct: struct('iommu_hw_queue_alloc', [['size', 4], ['flags', 4], ['viommu_id', 4], ['type', 4], ['index', 4], ['out_hw_queue_id', 4], ['nesting_parent_iova', 8], ['length', 8]]),
  },
  {
    // The selftest's multiplexed command (iommufd_test.h): a header, a 48-byte
    // union whose words each op names in its own way (add_reserved: a=start,
    // b=length), and `last`.
    name: 'IOMMU_TEST_CMD', nr: 0xa0,
    struct: struct(
      'iommu_test_cmd',
      [['size', 4], ['op', 4], ['id', 4], ['__reserved', 4], ['a', 8], ['b', 8], ['c', 8], ['d', 8], ['e', 8], ['f', 8], ['last', 4]],
      'last',
    ),
  },
];

export const IOCTLS: ReadonlyMap<string, IoctlDef> = new Map(ioctls.map((d) => [d.name, d]));
export const IOCTLS_BY_NR: ReadonlyMap<number, IoctlDef> = new Map(ioctls.map((d) => [d.nr, d]));

export function ioctlDef(name: string): IoctlDef {
  const d = IOCTLS.get(name);
  if (!d) throw new Error(`unknown ioctl ${name}`);
  return d;
}

/** The first nr past the op table: nr >= this (or < 0x80) goes to VFIO compat. */
export const IOMMUFD_CMD_END = 0xa1;
export const IOMMUFD_CMD_BASE = 0x80;

export const IOAS_MAP_FLAGS = { fixed_iova: 1n, writeable: 2n, readable: 4n } as const;
export const HWPT_ALLOC_FLAGS = { nest_parent: 1n, dirty_tracking: 2n, fault_id_valid: 4n, pasid: 8n } as const;
export const HW_INFO_FLAGS = { input_type: 1n } as const;
export const DIRTY_TRACKING_FLAGS = { enable: 1n } as const;
export const GET_DIRTY_BITMAP_FLAGS = { no_clear: 1n } as const;
export const OPTION_IDS = { rlimit_mode: 0n, huge_pages: 1n } as const;
export const OPTION_OPS = { set: 0n, get: 1n } as const;
export const VFIO_IOAS_OPS = { get: 0n, set: 1n, clear: 2n } as const;

/** enum iommu_hwpt_data_type */
export const HWPT_DATA_TYPES = { none: 0n, vtd_s1: 1n, arm_smmuv3: 2n, amd_guest: 3n, selftest: 0xdeadn } as const;
/** enum iommu_hw_info_type */
export const HW_INFO_TYPES = { none: 0n, default: 0n, intel_vtd: 1n, arm_smmuv3: 2n, tegra241_cmdqv: 3n, amd: 4n, selftest: 0xfeedbeefn } as const;
/** enum iommu_hw_capabilities */
export const HW_CAPABILITIES = { dirty_tracking: 1n, pci_pasid_exec: 2n, pci_pasid_priv: 4n, pci_ats_not_supported: 8n } as const;

/** enum iommu_hwpt_invalidate_data_type (selftest: IOMMU_HWPT_INVALIDATE_DATA_SELFTEST, iommufd_test.h) */
export const HWPT_INVALIDATE_DATA_TYPES = { vtd_s1: 0n, arm_smmuv3: 1n, selftest: 0xdeadbeefn, selftest_invalid: 0xdeadbeeen } as const;
/** enum iommu_viommu_type (selftest: IOMMU_VIOMMU_TYPE_SELFTEST) */
export const VIOMMU_TYPES = { default: 0n, arm_smmuv3: 1n, tegra241_cmdqv: 2n, selftest: 0xdeadbeefn } as const;
/** enum iommu_veventq_type (selftest: IOMMU_VEVENTQ_TYPE_SELFTEST) */
export const VEVENTQ_TYPES = { default: 0n, arm_smmuv3: 1n, tegra241_cmdqv: 2n, selftest: 0xbeefbeefn } as const;
/** enum iommu_hw_queue_type (selftest: IOMMU_HW_QUEUE_TYPE_SELFTEST) */
export const HW_QUEUE_TYPES = { default: 0n, tegra241_cmdqv: 1n, selftest: 0xdeadbeefn } as const;
/**
 * enum iommufd_page_response_code. FAILURE (2) was removed from the uAPI; the
 * kernel now refuses it with EINVAL, so it stays nameable to test that.
 */
export const PAGE_RESPONSE_CODES = { success: 0n, invalid: 1n, failure: 2n } as const;
/** enum iommu_hwpt_pgfault_perm */
export const PGFAULT_PERMS = { read: 1n, write: 2n, exec: 4n, priv: 8n } as const;
/** enum iommu_hwpt_pgfault_flags */
export const PGFAULT_FLAGS = { pasid_valid: 1n, last_page: 2n } as const;
/** IOMMUFD_ACCESS_RW_WRITE: iommufd_access_rw() and iommufd_access_pin_pages() flags (MOCK_FLAGS_ACCESS_WRITE) */
export const ACCESS_RW_FLAGS = { write: 1n } as const;
/** MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES: the selftest access takes pins (iommufd_test.h) */
export const ACCESS_CREATE_FLAGS = { needs_pin_pages: 1n } as const;
/** IOMMU_READ/WRITE/CACHE/NOEXEC/MMIO/PRIV: the in-kernel DMA-API prot bits (include/linux/iommu.h) */
export const IOMMU_PROT = { read: 1n, write: 2n, cache: 4n, noexec: 8n, mmio: 0x10n, priv: 0x20n } as const;
