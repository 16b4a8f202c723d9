// The `users` count each live object should have, computed from the links
// the engine's objects keep (which IOAS a HWPT mirrors, which HWPT a device
// group is attached to, ...) and from what the test's driver holds, never
// from the counters themselves (iommufd-reference §2.2). A counter that
// drifts from its holders is a leak (close cannot release) or a
// use-after-free (DESTROY succeeds while something still points at it).
import { IommufdDevice } from '../../emulator/engine/iommufd/device.js';
import { Fault } from '../../emulator/engine/iommufd/fault.js';
import { HwptNested, HwptPaging, type Hwpt } from '../../emulator/engine/iommufd/hwpt.js';
import type { IommufdGroup } from '../../emulator/engine/iommufd/igroup.js';
import { Ioas } from '../../emulator/engine/iommufd/ioas.js';
import { Access } from '../../emulator/engine/iommufd/access.js';
import type { IommufdObject } from '../../emulator/engine/iommufd/object.js';
import { Vdevice } from '../../emulator/engine/iommufd/vdevice.js';
import { Veventq } from '../../emulator/engine/iommufd/veventq.js';
import { Viommu } from '../../emulator/engine/iommufd/viommu.js';
import type { DriverState } from './ioctl-ops.js';

export interface UsersCheck {
  expected: Map<IommufdObject, number>;
  /** Links to objects that are no longer in the table (each a use-after-free). */
  dangling: string[];
}

export function expectedUsers(live: readonly IommufdObject[], driver: DriverState): UsersCheck {
  const expected = new Map<IommufdObject, number>(live.map((o) => [o, 1]));
  const dangling: string[] = [];
  const hold = (holder: string, target: IommufdObject): void => {
    const n = expected.get(target);
    if (n === undefined) dangling.push(`${holder} holds ${target.type} ${target.id}, which is not in the table`);
    else expected.set(target, n + 1);
  };
  const name = (o: IommufdObject): string => `${o.type} ${o.id}`;
  const holdFault = (h: Hwpt): void => {
    if (h.fault) hold(name(h), h.fault);
  };
  const igroups = new Set<IommufdGroup>();

  for (const o of live) {
    if (o instanceof Ioas) continue;
    if (o instanceof HwptPaging) {
      hold(name(o), o.ioas);
      holdFault(o);
    } else if (o instanceof HwptNested) {
      hold(name(o), o.viommu ?? o.parent);
      holdFault(o);
    } else if (o instanceof Access) {
      if (driver.accesses.has(o.id)) hold('the access driver', o);
      if (o.ioas) hold(name(o), o.ioas);
    } else if (o instanceof IommufdDevice) {
      if ([...driver.bound.values()].includes(o.id)) hold('the VFIO driver', o);
      igroups.add(o.igroup);
    } else if (o instanceof Vdevice) {
      hold(name(o), o.viommu);
      hold(name(o), o.idev);
    } else if (o instanceof Viommu) {
      hold(name(o), o.hwpt);
    } else if (o instanceof Fault) {
      if (o.fd.isOpen) hold('its fault fd', o);
    } else if (o instanceof Veventq) {
      if (o.fd.isOpen) hold('its vEVENTQ fd', o);
      hold(name(o), o.viommu);
    } else {
      throw new Error(`expectedUsers does not model ${o.type} objects`);
    }
  }
  // Every device of an attachment holds the HWPT, and is held while attached.
  for (const ig of igroups) {
    for (const att of ig.attachments.values()) {
      for (const d of att.devices) {
        hold(name(d), att.hwpt);
        hold(`the attachment of ${name(d)}`, d);
      }
    }
  }
  return { expected, dangling };
}
