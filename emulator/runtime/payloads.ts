// Driver-specific payloads that a statement writes as records: `data={...}`
// of hwpt_alloc and viommu_alloc, and the `entries=[{...}]` of
// hwpt_invalidate. Each is a uAPI struct chosen by the command's data type;
// a record names its fields (an array field takes a list: `ste=[a, b]`).
import { struct, StructView, type StructDef } from '../engine/uapi/layout.js';
import { HWPT_DATA_TYPES, HWPT_INVALIDATE_DATA_TYPES, VIOMMU_TYPES } from '../engine/uapi/iommufd.js';
import { asInt, elements, isError, type RecordValue } from './values.js';

/** hwpt_alloc `data=` by data_type (iommufd.h, iommufd_test.h). */
export const HWPT_DATA: ReadonlyMap<bigint, StructDef> = new Map([
  [HWPT_DATA_TYPES.selftest, struct('iommu_hwpt_selftest', [['iotlb', 4], ['pagetable_type', 4]])],
  [HWPT_DATA_TYPES.vtd_s1, struct('iommu_hwpt_vtd_s1', [['flags', 8], ['pgtbl_addr', 8], ['addr_width', 4], ['__reserved', 4]])],
  [HWPT_DATA_TYPES.arm_smmuv3, struct('iommu_hwpt_arm_smmuv3', [['ste0', 8], ['ste1', 8]])],
]);

/** viommu_alloc `data=` by type; its out_ fields come back as result fields. */
export const VIOMMU_DATA: ReadonlyMap<bigint, StructDef> = new Map([
  [VIOMMU_TYPES.selftest, struct('iommu_viommu_selftest', [['in_data', 4], ['out_data', 4], ['out_mmap_offset', 8], ['out_mmap_length', 8]])],
]);

/**
 * hwpt_invalidate entries by data_type. The selftest type has two layouts,
 * one for a nested HWPT and one for a vIOMMU; the record's keys pick it.
 */
const INVALIDATE_ENTRIES: ReadonlyMap<bigint, StructDef[]> = new Map([
  [HWPT_INVALIDATE_DATA_TYPES.selftest, [
    struct('iommu_hwpt_invalidate_selftest', [['flags', 4], ['iotlb_id', 4]]),
    struct('iommu_viommu_invalidate_selftest', [['flags', 4], ['vdev_id', 4], ['cache_id', 4]]),
  ]],
  [HWPT_INVALIDATE_DATA_TYPES.vtd_s1, [struct('iommu_hwpt_vtd_s1_invalidate', [['addr', 8], ['npages', 8], ['flags', 4], ['__reserved', 4]])]],
  [HWPT_INVALIDATE_DATA_TYPES.arm_smmuv3, [struct('iommu_viommu_arm_smmuv3_invalidate', [['cmd0', 8], ['cmd1', 8]])]],
]);

/** The entry layout for these records, or a message saying why there is none. */
export function invalidateEntryDef(dataType: bigint, records: readonly RecordValue[]): StructDef | string {
  const defs = INVALIDATE_ENTRIES.get(dataType);
  if (!defs) return `no entry layout is known for data_type 0x${dataType.toString(16)}; pass data=h"..." and entry_len`;
  const keys = new Set(records.flatMap((r) => [...r.fields.keys()]));
  return defs.find((d) => [...keys].every((k) => hasField(d, k))) ?? defs[0]!;
}

function hasField(def: StructDef, key: string): boolean {
  return def.fields.some((f) => f.name === key || f.name === `${key}0`);
}

/**
 * The bytes of one record laid out as `def`, cut or zero-padded to
 * `length` (default the struct's size). Throws a message for a field the
 * struct does not have.
 */
export function encodeRecord(def: StructDef, rec: RecordValue, length = def.size): Uint8Array {
  const view = StructView.zeroed(def);
  for (const [key, v] of rec.fields) {
    const items = elements(v);
    const words = items ?? [v];
    const names = items ? words.map((_, i) => `${key}${i}`) : [key];
    names.forEach((name, i) => {
      if (!def.fields.some((f) => f.name === name)) throw new Error(`${def.name} has no field ${name}`);
      const n = asInt(words[i]!);
      if (isError(n)) throw new Error(`${key}: ${n.message}`);
      view.set(name, n);
    });
  }
  const out = new Uint8Array(length);
  out.set(view.bytes.subarray(0, Math.min(length, def.size)));
  return out;
}
