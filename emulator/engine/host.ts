// The host: what exists once per machine, beneath every iommufd — physical
// memory, processes (the VMM is `vmm`), the VMM's fd numbers, the IOMMU
// instances with their groups, and the devices.
import { Device } from './core/device.js';
import { IommuGroup } from './core/group.js';
import { Iommu } from './core/iommu.js';
import type { IommuDriver } from './core/iommu-driver.js';
import { MockDriver } from './drivers/mock/mock-driver.js';
import { Smmuv3Driver } from './drivers/smmuv3/smmuv3-driver.js';
import { VtdDriver } from './drivers/vtd/vtd-driver.js';
import type { IommufdFile } from './iommufd/iommufd-file.js';
import type { DeviceOptions, IommuOptions } from './machine-api.js';
import { PhysMem } from './memory/physmem.js';
import { MemFile, Process } from './memory/process.js';
import { StatementLine } from './statement-line.js';

/** What an fd number of the VMM refers to. */
export type FdEntry = { kind: 'iommufd'; file: IommufdFile } | { kind: 'memfd'; file: MemFile } | { kind: 'other'; what: string };

/** 0-2 are stdin, stdout and stderr. */
const FIRST_FD = 3;

export const VMM = 'vmm';

export class Host {
  readonly phys = new PhysMem();
  readonly processes = new Map<string, Process>();
  readonly iommus = new Map<string, Iommu>();
  readonly devices = new Map<string, Device>();
  readonly fds = new Map<number, FdEntry>();
  /** The trace's names of open fds (iommufds and memfd regions). */
  private readonly fdNames = new Map<string, number>();
  private groupCount = 0;
  /** The trace line of the statement running now (the runtime sets it; stale-IOTLB messages cite it). */
  readonly statement = new StatementLine();

  constructor() {
    this.processes.set(VMM, new Process(VMM, this.phys));
  }

  get vmm(): Process {
    return this.processes.get(VMM)!;
  }

  process(name: string = VMM): Process {
    const p = this.processes.get(name);
    if (!p) throw new Error(`no process named ${name}`);
    return p;
  }

  /** Opens `name` at the lowest free fd number, as open(2) picks it. */
  allocFd(name: string, entry: FdEntry): number {
    if (this.fdNames.has(name)) throw new Error(`fd ${name} is already open`);
    let n = FIRST_FD;
    while (this.fds.has(n)) n++;
    this.fds.set(n, entry);
    this.fdNames.set(name, n);
    return n;
  }

  freeFd(name: string): void {
    this.fds.delete(this.fdNumber(name));
    this.fdNames.delete(name);
  }

  fdNumber(name: string): number {
    const n = this.fdNames.get(name);
    if (n === undefined) throw new Error(`no open fd named ${name}`);
    return n;
  }

  addIommu(name: string, opts: IommuOptions): Iommu {
    if (this.iommus.has(name)) throw new Error(`iommu ${name} is already declared`);
    const iommu = new Iommu(name, opts, this.makeDriver(name, opts));
    this.iommus.set(name, iommu);
    return iommu;
  }

  addDevice(name: string, opts: DeviceOptions): Device {
    if (this.devices.has(name)) throw new Error(`device ${name} is already declared`);
    const iommu = this.iommuFor(name, opts.iommu);
    // Devices with the same group= share an iommu_group; others are alone in one.
    const key = opts.group !== undefined ? `group ${opts.group}` : `device ${name}`;
    let group = iommu.groups.get(key);
    if (!group) {
      group = new IommuGroup(this.groupCount++, iommu);
      iommu.groups.set(key, group);
    }
    const reserved = [...(opts.reserved ?? []), ...(iommu.driver.reservedRegions?.() ?? [])];
    const dev = new Device(name, iommu, group, opts.rid ?? this.devices.size, opts.pasidBits ?? 0, opts.pri ?? false, opts.noDirty ?? false, reserved);
    group.devices.push(dev);
    this.devices.set(name, dev);
    return dev;
  }

  device(name: string): Device {
    const d = this.devices.get(name);
    if (!d) throw new Error(`no device named ${name}`);
    return d;
  }

  /** The device's IOMMU: the named one, else the only one (iommu0 of model mock is made on demand). */
  private iommuFor(device: string, name: string | undefined): Iommu {
    if (name !== undefined) {
      const iommu = this.iommus.get(name);
      if (!iommu) throw new Error(`device ${device}: no iommu named ${name}`);
      return iommu;
    }
    if (this.iommus.size === 0) return this.addIommu('iommu0', { model: 'mock' });
    if (this.iommus.size > 1) throw new Error(`device ${device}: there are several IOMMUs, say which with iommu=`);
    return [...this.iommus.values()][0]!;
  }

  private makeDriver(name: string, opts: IommuOptions): IommuDriver {
    if (opts.model === 'smmuv3') return new Smmuv3Driver(this.phys, opts, this.statement);
    if (opts.model === 'vtd') return new VtdDriver(this.phys, opts, this.statement);
    if (opts.model === 'mock') return new MockDriver(this.phys);
    throw new Error(`iommu ${name}: unknown model ${opts.model as string}`);
  }
}
