// An IOAS's io_pagetable as plain data: mapped areas (with their pins),
// reserved and allowed ranges, and the IOVA alignment the domains impose.
import type { Ioas } from '../iommufd/ioas.js';

export interface AreaInfo {
  start: bigint;
  last: bigint;
  /** IOMMU_READ | IOMMU_WRITE | IOMMU_CACHE. */
  prot: number;
  /** Pins taken by accesses on this area, and whether the domains hold its pages pinned. */
  accessPins: number;
  domainPinned: boolean;
}

export interface IoasInfo {
  areas: AreaInfo[];
  reserved: { start: bigint; last: bigint }[];
  allowed: { start: bigint; last: bigint }[];
  iovaAlignment: bigint;
  domains: number;
}

export function inspectIoas(ioas: Ioas): IoasInfo {
  const iopt = ioas.iopt;
  return {
    areas: iopt.areas.all().map((a) => ({
      start: a.start, last: a.last, prot: a.prot, accessPins: a.numAccesses, domainPinned: a.domainPin !== undefined,
    })),
    reserved: iopt.reserved.all().map(({ start, last }) => ({ start, last })),
    allowed: iopt.allowed.all().map(({ start, last }) => ({ start, last })),
    iovaAlignment: iopt.iovaAlignment,
    domains: iopt.domainCount,
  };
}
