// What a driver calls to connect a bound device (iommufd_device_attach /
// _replace / _detach): `ptId` names a HWPT, or an IOAS for which an
// automatic domain is found or made (iommufd-reference §4.2).
import { fail } from '../errno.js';
import { hwptAttach, hwptDetach, hwptReplace, isIncompatible } from './attach.js';
import type { IommufdDevice } from './device.js';
import { HwptPaging, allocHwptPaging, putHwpt, type Hwpt } from './hwpt.js';
import type { Pasid } from './igroup.js';
import { Ioas } from './ioas.js';

type Mode = 'attach' | 'replace';

function doAttach(idev: IommufdDevice, pasid: Pasid, hwpt: Hwpt): Hwpt | undefined {
  hwptAttach(hwpt, idev, pasid);
  return undefined;
}

const DO: Record<Mode, (idev: IommufdDevice, pasid: Pasid, hwpt: Hwpt) => Hwpt | undefined> = {
  attach: doAttach,
  replace: hwptReplace,
};

/** The IOAS's automatic HWPTs in creation order (ioas->hwpt_list). */
function autoDomains(idev: IommufdDevice, ioas: Ioas): HwptPaging[] {
  return idev.file.objects
    .liveOfType('HWPT_PAGING')
    .filter((o): o is HwptPaging => o instanceof HwptPaging && o.ioas === ioas && o.autoDomain)
    .sort((a, b) => a.seq - b.seq);
}

/**
 * iommufd_device_auto_get_domain: the first automatic HWPT of the IOAS that
 * takes the device (EINVAL: incompatible, try the next), else a new one.
 */
function autoGetDomain(idev: IommufdDevice, pasid: Pasid, ioas: Ioas, mode: Mode): { ptId: number; destroy?: Hwpt } {
  for (const hwpt of autoDomains(idev, ioas)) {
    try {
      return { ptId: hwpt.id, destroy: DO[mode](idev, pasid, hwpt) };
    } catch (e) {
      if (!isIncompatible(e)) throw e;
    }
  }
  // Attach programs the device while creating the domain; replace must switch afterwards.
  const immediate = mode === 'attach';
  const file = idev.file;
  const hwpt = allocHwptPaging(file, ioas, idev, pasid, 0n, immediate, undefined);
  let destroy: Hwpt | undefined;
  if (!immediate) {
    try {
      destroy = hwptReplace(idev, pasid, hwpt);
    } catch (e) {
      file.objects.abortAndDestroy(hwpt);
      throw e;
    }
  }
  hwpt.autoDomain = true;
  file.objects.finalize(hwpt);
  return { ptId: hwpt.id, destroy };
}

/** iommufd_device_change_pt: returns the id of the HWPT now used. */
function changePt(idev: IommufdDevice, pasid: Pasid, ptId: bigint, mode: Mode): number {
  const pt = idev.file.objects.get(ptId);
  let result: { ptId: number; destroy?: Hwpt };
  if (pt.type === 'HWPT_PAGING' || pt.type === 'HWPT_NESTED') {
    result = { ptId: pt.id, destroy: DO[mode](idev, pasid, pt as Hwpt) };
  } else if (pt instanceof Ioas) {
    result = autoGetDomain(idev, pasid, pt, mode);
  } else {
    fail('EINVAL', `object ${pt.id} is a ${pt.type}: a device attaches to an IOAS or a HWPT`);
  }
  if (result.destroy) putHwpt(idev.file, result.destroy);
  return result.ptId;
}

/** iommufd_device_attach: +1 users on the device while attached. */
export function deviceAttach(idev: IommufdDevice, pasid: Pasid, ptId: bigint): number {
  const id = changePt(idev, pasid, ptId, 'attach');
  idev.users++;
  return id;
}

/** iommufd_device_replace: only for an attachment that exists (else EINVAL). */
export function deviceReplace(idev: IommufdDevice, pasid: Pasid, ptId: bigint): number {
  return changePt(idev, pasid, ptId, 'replace');
}

/** iommufd_device_detach: back to blocking; an automatic HWPT left without devices is destroyed. */
export function deviceDetach(idev: IommufdDevice, pasid: Pasid): void {
  const hwpt = hwptDetach(idev, pasid);
  putHwpt(idev.file, hwpt);
  idev.users--;
}
