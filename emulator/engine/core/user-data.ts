// iommu_copy_struct_from_user: copying a driver's typed user blob (HWPT
// allocation data) into a kernel struct, with the size rules of
// copy_struct_from_user.
import { fail } from '../errno.js';
import { StructView, field, type StructDef } from '../uapi/layout.js';
import type { UserData, UserDataArray } from './iommu-driver.js';

/**
 * Copies `data` into a zeroed `def`. Type mismatch, a length shorter than the
 * end of `minLast` (the first version's last field) or a NULL pointer are
 * EINVAL; bytes past the kernel struct must be zero (E2BIG); an unreadable
 * pointer is EFAULT.
 */
export function copyStructFromUser(data: UserData, type: bigint, def: StructDef, minLast: string): StructView {
  if (data.type !== type) fail('EINVAL', `data_type 0x${data.type.toString(16)} is not 0x${type.toString(16)}`);
  checkMinLength(data.len, def, minLast);
  if (data.uptr === 0n) fail('EINVAL', 'data_uptr is NULL');
  return copyStruct(data.process.read(data.uptr, data.len), def);
}

/** iommu_copy_struct_from_user_array: entry `index` of an array of `entryLen`-byte entries, same rules. */
export function copyStructFromUserArray(array: UserDataArray, type: bigint, index: number, def: StructDef, minLast: string): StructView {
  if (array.type !== type) fail('EINVAL', `data_type 0x${array.type.toString(16)} is not 0x${type.toString(16)}`);
  checkMinLength(array.entryLen, def, minLast);
  return copyStruct(array.process.read(array.uptr + BigInt(array.entryLen * index), array.entryLen), def);
}

function checkMinLength(len: number, def: StructDef, minLast: string): void {
  const f = field(def, minLast);
  if (len < f.offset + f.size) fail('EINVAL', `length ${len} is shorter than ${def.name}'s ${f.offset + f.size} bytes`);
}

/** copy_struct_from_user: zero-extends a shorter copy; a longer one needs a zero tail (E2BIG). */
function copyStruct(bytes: Uint8Array, def: StructDef): StructView {
  for (let i = def.size; i < bytes.length; i++) {
    if (bytes[i] !== 0) fail('E2BIG', `byte ${i} of the ${bytes.length}-byte ${def.name} is past the kernel's ${def.size} bytes and not zero`);
  }
  const view = StructView.zeroed(def);
  view.bytes.set(bytes.subarray(0, Math.min(bytes.length, def.size)));
  return view;
}
