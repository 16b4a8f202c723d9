// IOMMU_HWPT_ALLOC (iommufd-reference §3.11): a paging HWPT on an IOAS, or a
// nested one on a NEST_PARENT HWPT_PAGING or a vIOMMU, optionally with a fault queue.
import type { UserData } from '../core/iommu-driver.js';
import { fail } from '../errno.js';
import { HWPT_ALLOC_FLAGS, HWPT_DATA_TYPES } from '../uapi/iommufd.js';
import type { IommufdDevice } from './device.js';
import { HwptPaging, allocHwptNested, allocHwptPaging, type Hwpt } from './hwpt.js';
import { Ioas } from './ioas.js';
import type { IommufdFile } from './iommufd-file.js';
import type { Ucmd } from './ucmd.js';
import { allocHwptNestedOnViommu, Viommu } from './viommu.js';

export function hwptAllocIoctl(file: IommufdFile, ucmd: Ucmd): void {
  const cmd = ucmd.cmd;
  if (cmd.get('__reserved') !== 0n) fail('EOPNOTSUPP', '__reserved is not zero');
  const dataType = cmd.get('data_type');
  const dataLen = cmd.num('data_len');
  if (dataType === HWPT_DATA_TYPES.none && dataLen !== 0) fail('EINVAL', `data_len ${dataLen} with data_type none`);
  if (dataType !== HWPT_DATA_TYPES.none && dataLen === 0) fail('EINVAL', `data_type 0x${dataType.toString(16)} with data_len 0`);
  const idev = file.objects.get<IommufdDevice>(cmd.get('dev_id'), 'DEVICE');
  const ptId = cmd.get('pt_id');
  const pt = file.objects.find(ptId);
  if (!pt) fail('EINVAL', `pt_id ${ptId} names no object`);
  const flags = cmd.get('flags');
  const data: UserData | undefined = dataLen !== 0 ? { type: dataType, uptr: cmd.get('data_uptr'), len: dataLen, process: file.process } : undefined;

  let hwpt: Hwpt;
  if (pt instanceof Ioas) hwpt = allocHwptPaging(file, pt, idev, undefined, flags, false, data);
  else if (pt instanceof HwptPaging) hwpt = allocHwptNested(file, pt, idev, flags, data);
  else if (pt instanceof Viommu) hwpt = allocHwptNestedOnViommu(file, pt, idev, flags, data);
  else fail('EINVAL', `pt_id ${ptId} is a ${pt.type}: a HWPT is allocated on an IOAS or a nest-parent HWPT_PAGING`);

  try {
    if (flags & HWPT_ALLOC_FLAGS.fault_id_valid) {
      const fault = file.objects.get(cmd.get('fault_id'), 'FAULT');
      fault.users++;
      hwpt.fault = fault;
    }
    cmd.set('out_hwpt_id', hwpt.id);
    ucmd.respond();
  } catch (e) {
    file.objects.abortAndDestroy(hwpt);
    throw e;
  }
  file.objects.finalize(hwpt);
}
