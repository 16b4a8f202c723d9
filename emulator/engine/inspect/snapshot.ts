// The whole inspectable state of a machine as one plain value: what the
// debugger's equivalence tests compare between a forward run and the same
// position reached by going back.
import { Ioas } from '../iommufd/ioas.js';
import type { Machine } from '../machine.js';
import { inspectDevices, type DeviceInfo } from './devices.js';
import { openIommufds } from './files.js';
import { inspectIoas, type IoasInfo } from './ioas.js';
import { inspectObjects, type ObjectInfo } from './objects.js';

export interface MachineSnapshot {
  objects: ObjectInfo[];
  ioas: { fd: string; id: number; info: IoasInfo }[];
  devices: DeviceInfo[];
  physFrames: number;
}

export function machineSnapshot(machine: Machine): MachineSnapshot {
  const ioas: MachineSnapshot['ioas'] = [];
  for (const { name, file } of openIommufds(machine)) {
    for (const obj of file.objects.live()) if (obj instanceof Ioas) ioas.push({ fd: name, id: obj.id, info: inspectIoas(obj) });
  }
  return { objects: inspectObjects(machine), ioas, devices: inspectDevices(machine), physFrames: machine.host.phys.touchedFrames };
}
