// The whole inspectable state of a machine as one plain value: what the
// debugger's equivalence tests compare between a forward run and the same
// position reached by going back.
import { Ioas } from '../iommufd/ioas.js';
import type { Machine } from '../machine.js';
import { inspectDevices, type DeviceInfo } from './devices.js';
import { inspectFaultQueues, inspectVeventqs, type FaultQueueInfo, type VeventqInfo } from './faults.js';
import { openIommufds } from './files.js';
import { inspectIoas, type IoasInfo } from './ioas.js';
import { inspectObjects, type ObjectInfo } from './objects.js';
import { inspectViommus, type ViommuInfo } from './viommus.js';

export interface MachineSnapshot {
  objects: ObjectInfo[];
  ioas: { fd: string; id: number; info: IoasInfo }[];
  devices: DeviceInfo[];
  viommus: ViommuInfo[];
  faultQueues: FaultQueueInfo[];
  veventqs: VeventqInfo[];
  physFrames: number;
}

export function machineSnapshot(machine: Machine): MachineSnapshot {
  const ioas: MachineSnapshot['ioas'] = [];
  for (const { name, file } of openIommufds(machine)) {
    for (const obj of file.objects.live()) if (obj instanceof Ioas) ioas.push({ fd: name, id: obj.id, info: inspectIoas(obj) });
  }
  return {
    objects: inspectObjects(machine), ioas, devices: inspectDevices(machine),
    viommus: inspectViommus(machine), faultQueues: inspectFaultQueues(machine), veventqs: inspectVeventqs(machine),
    physFrames: machine.host.phys.touchedFrames,
  };
}
