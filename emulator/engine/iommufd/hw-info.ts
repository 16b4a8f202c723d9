// IOMMU_GET_HW_INFO (iommufd-reference §3.12): the driver's info blob for a
// bound device, its capabilities and PASID width.
import { fail } from '../errno.js';
import { HW_CAPABILITIES, HW_INFO_FLAGS, HW_INFO_TYPES } from '../uapi/iommufd.js';
import type { IommufdDevice } from './device.js';
import type { IommufdFile } from './iommufd-file.js';
import type { Ucmd } from './ucmd.js';

export function getHwInfoIoctl(file: IommufdFile, ucmd: Ucmd): void {
  const cmd = ucmd.cmd;
  const flags = cmd.get('flags');
  if (flags & ~HW_INFO_FLAGS.input_type) fail('EOPNOTSUPP', `unknown flags 0x${(flags & ~HW_INFO_FLAGS.input_type).toString(16)}`);
  for (const r of ['__reserved0', '__reserved1', '__reserved2']) {
    if (cmd.get(r) !== 0n) fail('EOPNOTSUPP', `${r} is not zero`);
  }
  // Without INPUT_TYPE the type field is an output only: drivers see DEFAULT.
  const type = flags & HW_INFO_FLAGS.input_type ? cmd.get('data_type') : HW_INFO_TYPES.default;
  const idev = file.objects.get<IommufdDevice>(cmd.get('dev_id'), 'DEVICE');
  const dev = idev.dev;
  const info = dev.iommu.driver.hwInfo(dev, type);
  const userLen = cmd.num('data_len');
  if (userLen > 0) {
    // The blob, then zeros up to the caller's length.
    const out = new Uint8Array(userLen);
    out.set(info.data.subarray(0, Math.min(userLen, info.data.length)));
    file.process.write(cmd.get('data_uptr'), out);
  }
  cmd.set('data_len', info.data.length);
  cmd.set('data_type', info.type);
  let caps = dev.iommu.driver.hwCapabilities(dev);
  if (dev.iommu.driver.capable(dev, 'dirty_tracking')) caps |= HW_CAPABILITIES.dirty_tracking;
  cmd.set('out_capabilities', caps);
  const max = dev.maxPasids;
  cmd.set('out_max_pasid_log2', max > 0 ? Math.floor(Math.log2(max)) : 0);
  ucmd.respond();
}
