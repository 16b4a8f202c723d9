// The selftest's IOMMU_TEST_OP_TRIGGER_VEVENT { u32 dev_id }: the mock device
// reports a vEVENT {virt_id} to the vIOMMU whose nested domain it is
// attached to. ENOENT when it is on no such domain or its virt_id is 0;
// EOPNOTSUPP when that vIOMMU has no selftest vEVENTQ.
import { fail } from '../../errno.js';
import type { IommufdDevice } from '../../iommufd/device.js';
import type { TestOp } from '../../iommufd/test-ops.js';
import { VEVENTQ_TYPES } from '../../uapi/iommufd.js';
import { struct, StructView } from '../../uapi/layout.js';
import { MockDriver } from './mock-driver.js';

/** IOMMU_TEST_OP_TRIGGER_VEVENT */
export const IOMMU_TEST_OP_TRIGGER_VEVENT = 17;
/** struct iommu_viommu_event_selftest { __u32 virt_id; } */
export const VIOMMU_EVENT_SELFTEST = struct('iommu_viommu_event_selftest', [['virt_id', 4]]);

export const triggerVeventOp: TestOp = (ctx, ucmd) => {
  const idev = ctx.objects.get<IommufdDevice>(ucmd.cmd.get('a') & 0xffffffffn, 'DEVICE');
  const driver = idev.dev.iommu.driver;
  if (!(driver instanceof MockDriver)) fail('ENOENT', `device ${idev.id} is not a mock device`);
  const mdev = driver.mdev(idev.dev);
  if (!mdev.viommu || mdev.vdevId === 0n) fail('ENOENT', `device ${idev.id} is not attached to a vIOMMU-nested domain with a virt_id`);
  const ev = StructView.zeroed(VIOMMU_EVENT_SELFTEST);
  ev.set('virt_id', mdev.vdevId);
  mdev.viommu.core.reportEvent(VEVENTQ_TYPES.selftest, ev.bytes);
};
