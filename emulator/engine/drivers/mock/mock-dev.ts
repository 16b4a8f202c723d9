// What the selftest keeps per mock device (struct mock_dev) beyond the
// machine's Device: the device cache that vIOMMU invalidations clear, and
// the vIOMMU (with the device's virt_id in it) whose nested domain the
// device is attached to, which is where its vEVENTs go.
import type { MockViommu } from './mock-viommu.js';

/** MOCK_DEV_CACHE_ID_MAX + 1 */
export const MOCK_DEV_CACHE_SLOTS = 4;
/** IOMMU_TEST_DEV_CACHE_DEFAULT */
export const MOCK_DEV_CACHE_DEFAULT = 0xbaddadn;

export class MockDev {
  readonly cache = new Array<bigint>(MOCK_DEV_CACHE_SLOTS).fill(MOCK_DEV_CACHE_DEFAULT);
  /** Set on attach to a vIOMMU-nested domain, cleared on attach to anything else. */
  viommu?: MockViommu;
  /** The device's virt_id in `viommu` as of that attach (0: none). */
  vdevId = 0n;
}
