// The emulated machine as its front ends drive it (MachineApi): topology,
// iommufd files and their ioctls, VFIO device files, host-kernel actions,
// CPU and device accesses, and side-effect-free queries.
import type { Device } from './core/device.js';
import { isPagingDomain } from './core/iommu-domain.js';
import { IOMMU_CACHE, IOMMU_MMIO, IOMMU_NOEXEC, IOMMU_PRIV, IOMMU_READ, IOMMU_WRITE, domainGranule } from './core/domain.js';
import { performDma, probeTranslation, translateFor } from './dma.js';
import { HwDriverBase } from './drivers/hw-driver-base.js';
import { MockNestedDomain } from './drivers/mock/mock-nested-domain.js';
import { KernelError, fail } from './errno.js';
import type { FaultInjector } from './fault-injection.js';
import { Host } from './host.js';
import * as access from './iommufd/access.js';
import { IommufdDevice } from './iommufd/device.js';
import { deviceAttach, deviceReplace } from './iommufd/device-attach.js';
import { dispatchIoctl, handlersByNr } from './iommufd/dispatch.js';
import { HANDLERS } from './iommufd/handlers.js';
import { HwptNested, HwptPaging } from './iommufd/hwpt.js';
import { Ioas } from './iommufd/ioas.js';
import type { IommufdFile } from './iommufd/iommufd-file.js';
import { IommufdFiles } from './iommufd-files.js';
import type { IommufdObject } from './iommufd/object.js';
import type {
  DeviceOptions,
  DmaRequest,
  DmaResult,
  FaultRecord,
  IoctlResult,
  IommuOptions,
  MachineApi,
  MemoryOptions,
  Owner,
  StaleHit,
  WalkStep,
} from './machine-api.js';
import { Process } from './memory/process.js';
import { GuestPageTable, guestFormat, type GuestFormat, type GuestProt } from './pgtable/guest-page-table.js';
import { SvaBindings } from './core/sva.js';
import { MockDriver } from './drivers/mock/mock-driver.js';
import { Fault } from './iommufd/fault.js';
import { Veventq } from './iommufd/veventq.js';
import type { PageFaultMessage, VeventMessage } from './machine-api.js';
import { VfioDeviceFile } from './vfio-cdev.js';

/** The hidden VMM region that holds ioctl payloads (userScratch). */
const SCRATCH_BASE = 0x7fff_0000_0000n;
const SCRATCH_SIZE = 1n << 20n;

/** The VFIO compatibility ioctls (type1 container) are not emulated yet. */
function noCompatIoctls(cmd: number, arg: Uint8Array | null): IoctlResult {
  return { error: new KernelError('ENOTTY', `0x${cmd.toString(16)} is not an ioctl the VFIO compatibility layer knows`), arg };
}

/** The iommufd handlers by ioctl number, worked out once. */
const IOMMUFD_HANDLERS = handlersByNr(HANDLERS);

export class Machine implements MachineApi {
  readonly host = new Host();
  private readonly iommufds = new IommufdFiles(this.host);
  private readonly vfioFiles = new Map<string, VfioDeviceFile>();
  private readonly guestTables = new Map<string, GuestPageTable>();
  private readonly sva = new SvaBindings(this.host.phys.faults);
  private scratchUsed = 0n;
  private scratchSize = 0n;

  constructor() {
    this.openIommufd('iommufd');
  }

  /** The fail_nth hook (fault-injection.ts): a test arms it around one call. */
  get faults(): FaultInjector {
    return this.host.phys.faults;
  }

  // ---- topology ----

  declareIommu(name: string, opts: IommuOptions): void {
    this.host.addIommu(name, opts);
  }

  declareDevice(name: string, opts: DeviceOptions): void {
    this.host.addDevice(name, opts);
  }

  declareProcess(name: string): void {
    if (this.host.processes.has(name)) throw new Error(`process ${name} is already declared`);
    this.host.processes.set(name, new Process(name, this.host.phys));
  }

  declareMemory(name: string, size: bigint, opts: MemoryOptions): bigint {
    const proc = this.host.process(opts.process);
    const region = proc.map(name, size, { at: opts.at, hugepage: opts.hugepage, memfd: opts.memfd });
    if (region.file) proc.files.set(this.host.allocFd(name, { kind: 'memfd', file: region.file }), region.file);
    return region.start;
  }

  munmap(addr: bigint, length: bigint, process?: string): void {
    this.host.process(process).munmap(addr, length);
  }

  // ---- iommufd files ----

  openIommufd(name: string): number {
    return this.iommufds.open(name);
  }

  closeIommufd(name: string): void {
    this.iommufds.close(name);
  }

  currentIommufd(): string | undefined {
    return this.iommufds.current();
  }

  queryIommufd(): string | undefined {
    return this.iommufds.forQueries();
  }

  fdNumber(name: string): number {
    // Passing a closed iommufd (to VFIO bind) is passing an fd that is not open.
    if (this.iommufds.isClosed(name)) fail('EBADF', `iommufd ${name} is closed`);
    return this.host.fdNumber(name);
  }

  ioctl(fd: string, cmd: number, arg: Uint8Array | null): IoctlResult {
    let file: IommufdFile;
    try {
      file = this.openFile(fd);
    } catch (e) {
      if (e instanceof KernelError) return { error: e, arg };
      throw e;
    }
    return dispatchIoctl(cmd, arg, file, IOMMUFD_HANDLERS, noCompatIoctls);
  }

  // ---- VFIO device cdev ----

  vfioIoctl(device: string, cmd: number, arg: Uint8Array | null): IoctlResult {
    return this.vfioFile(device).ioctl(cmd, arg, (n) => {
      const e = this.host.fds.get(n);
      if (!e) return undefined;
      return e.kind === 'iommufd' ? e.file : 'not-iommufd';
    });
  }

  vfioClose(device: string): void {
    this.vfioFile(device).close();
    this.vfioFiles.delete(device);
  }

  // ---- user memory for ioctl payloads ----

  userScratch(bytes: Uint8Array): bigint {
    const need = (BigInt(bytes.length) + 7n) & ~7n;
    if (this.scratchUsed + need > this.scratchSize) this.growScratch(this.scratchUsed + need);
    const addr = SCRATCH_BASE + this.scratchUsed;
    this.scratchUsed += need === 0n ? 8n : need;
    this.host.vmm.write(addr, bytes);
    return addr;
  }

  readUser(addr: bigint, length: number, process?: string): Uint8Array {
    return this.host.process(process).read(addr, length);
  }

  resetScratch(): void {
    this.scratchUsed = 0n;
  }

  // ---- host kernel ----

  driverProbe(device: string): void {
    const dev = this.host.device(device);
    if (dev.kernelDriver) throw new Error(`device ${device} already has a kernel driver`);
    dev.group.useDefaultDomain();
    dev.kernelDriver = true;
  }

  driverRemove(device: string): void {
    const dev = this.host.device(device);
    if (!dev.kernelDriver) throw new Error(`device ${device} has no kernel driver to remove`);
    dev.group.unuseDefaultDomain();
    dev.kernelDriver = false;
  }

  iommufdAttach(fd: string, devId: bigint, ptId: bigint, pasid?: number): number {
    return deviceAttach(this.boundDevice(fd, devId), pasid, ptId);
  }

  iommufdReplace(fd: string, devId: bigint, ptId: bigint, pasid?: number): number {
    return deviceReplace(this.boundDevice(fd, devId), pasid, ptId);
  }

  kernelMap(device: string, iova: bigint, pa: bigint, size: bigint, prot: number): void {
    const domain = this.defaultPagingDomain(device);
    const g = domainGranule(domain);
    if ((iova | pa | size) % g !== 0n) fail('EINVAL', `iova, pa and size must be multiples of the domain's 0x${g.toString(16)}-byte pages`);
    domain.map(iova, pa, size, prot & (IOMMU_READ | IOMMU_WRITE | IOMMU_CACHE | IOMMU_NOEXEC | IOMMU_MMIO | IOMMU_PRIV));
  }

  kernelUnmap(device: string, iova: bigint, size: bigint): bigint {
    return this.defaultPagingDomain(device).unmap(iova, size);
  }

  accessCreate(fd: string, ioasId: bigint, flags: bigint): number {
    const file = this.openFile(fd);
    const id = access.accessCreate(file, ioasId, flags);
    // An external access holds the file, as a bound device does.
    file.get();
    return id;
  }

  accessPin(fd: string, accessId: bigint, iova: bigint, length: bigint, flags: bigint): void {
    access.accessPin(this.openFile(fd), accessId, iova, length, flags);
  }

  accessUnpin(fd: string, accessId: bigint, iova: bigint, length: bigint): void {
    access.accessUnpin(this.openFile(fd), accessId, iova, length);
  }

  accessRw(fd: string, accessId: bigint, iova: bigint, length: bigint, flags: bigint, data?: Uint8Array): Uint8Array {
    return access.accessRw(this.openFile(fd), accessId, iova, length, flags, data);
  }

  accessReplace(fd: string, accessId: bigint, ioasId: bigint): void {
    access.accessReplace(this.openFile(fd), accessId, ioasId);
  }

  accessDestroy(fd: string, accessId: bigint): void {
    // The driver going away is not a call through the fd: it works after
    // close, and it is what lets a closed file be released.
    const file = this.queryFile(fd);
    access.accessDestroy(file, accessId);
    file.put();
  }

  // ---- event queue fds ----

  faultRead(fd: string, faultId: bigint, count: number): PageFaultMessage[] {
    return this.eventQueue(fd, faultId, Fault).read(count);
  }

  faultRespond(fd: string, faultId: bigint, responses: { cookie: bigint; code: bigint }[]): number {
    return this.eventQueue(fd, faultId, Fault).write(responses);
  }

  faultClose(fd: string, faultId: bigint): void {
    this.eventQueue(fd, faultId, Fault).fd.close();
  }

  veventqRead(fd: string, veventqId: bigint, count: number): { type: bigint; events: VeventMessage[] } {
    const q = this.eventQueue(fd, veventqId, Veventq);
    return { type: q.eventType, events: q.read(count) };
  }

  veventqClose(fd: string, veventqId: bigint): void {
    this.eventQueue(fd, veventqId, Veventq).fd.close();
  }

  // ---- SVA and processes ----

  svaBind(device: string, process: string): { handle: number; pasid: number } {
    const mm = this.host.process(process);
    const handle = this.sva.bind(this.host.device(device), mm);
    return { handle: handle.id, pasid: this.sva.pasidOf(mm)! };
  }

  svaUnbind(handle: number): void {
    this.sva.unbind(handle);
  }

  processExit(process: string): void {
    this.sva.exit(this.host.process(process));
  }

  // ---- CPU and devices ----

  cpuLoad(addr: bigint, width: 1 | 2 | 4 | 8, process?: string): bigint {
    const b = this.host.process(process).read(addr, width);
    let v = 0n;
    for (let i = width - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
    return v;
  }

  cpuStore(addr: bigint, width: 1 | 2 | 4 | 8, value: bigint, process?: string): void {
    const b = new Uint8Array(width);
    let v = BigInt.asUintN(width * 8, value);
    for (let i = 0; i < width; i++, v >>= 8n) b[i] = Number(v & 0xffn);
    this.host.process(process).write(addr, b);
  }

  dma(device: string, req: DmaRequest): DmaResult {
    return performDma(this.host.phys, this.host.device(device), req);
  }

  // ---- queries ----

  users(fd: string, id: bigint): number {
    return this.object(fd, id).users;
  }

  exists(fd: string, id: bigint): boolean {
    return this.queryFile(fd).objects.find(id) !== undefined;
  }

  mapped(fd: string, id: bigint, iova: bigint): boolean {
    const obj = this.object(fd, id);
    if (obj instanceof Ioas) return obj.iopt.isMapped(iova);
    if (obj instanceof HwptPaging) return obj.domain.iovaToPhys(iova) !== undefined;
    if (obj instanceof HwptNested) return obj.parent.domain.iovaToPhys(iova) !== undefined;
    throw new Error(`object ${id} is a ${obj.type}: mapped() takes an IOAS or a HWPT`);
  }

  translate(device: string, iova: bigint, pasid?: number): { pa: bigint } | { fault: FaultRecord } {
    return probeTranslation(this.host.device(device), iova, pasid);
  }

  pa(addr: bigint, process?: string): bigint | undefined {
    return this.host.process(process).translate(addr, false);
  }

  owner(device: string): Owner {
    return this.host.device(device).group.ownerKind();
  }

  pinned(addr: bigint): number {
    const pa = this.host.vmm.translate(addr, false);
    return pa === undefined ? 0 : this.host.phys.pinned(pa);
  }

  attached(fd: string, devId: bigint, pasid?: number): number {
    const idev = this.object(fd, devId);
    if (idev.type !== 'DEVICE') throw new Error(`object ${devId} is a ${idev.type}, not a DEVICE`);
    const att = (idev as IommufdDevice).igroup.attachments.get(pasid);
    return att && att.devices.includes(idev as IommufdDevice) ? att.hwpt.id : 0;
  }

  walk(device: string, iova: bigint, pasid?: number): WalkStep[] {
    return translateFor(this.host.device(device), iova, false, pasid, false).steps;
  }

  lastFault(device: string): FaultRecord | undefined {
    return this.host.device(device).lastFault;
  }

  root(fd: string, hwptId: bigint): bigint {
    return this.pagingHwpt(fd, hwptId).domain.root;
  }

  pte(fd: string, hwptId: bigint, iova: bigint, level: number): bigint {
    const e = this.pagingHwpt(fd, hwptId).domain.pte(iova, level);
    if (e === undefined) throw new Error(`the walk of 0x${iova.toString(16)} in HWPT ${hwptId} does not reach level ${level}`);
    return e;
  }

  physLoad(pa: bigint, width: 1 | 2 | 4 | 8): bigint {
    return this.host.phys.load(pa, width);
  }

  guestPt(name: string, format: GuestFormat, base: bigint | undefined, granule: bigint | undefined): bigint {
    if (this.guestTables.has(name)) throw new Error(`guest_pt ${name} is already declared`);
    const where = base === undefined ? { phys: this.host.phys } : { proc: this.host.vmm, base };
    const pt = new GuestPageTable(name, format, guestFormat(format, granule ?? 4096n), where);
    this.guestTables.set(name, pt);
    return pt.table.root;
  }

  guestMap(name: string, iova: bigint, oa: bigint, length: bigint, prot: GuestProt): void {
    this.guestTable(name).map(iova, oa, length, prot);
  }

  guestUnmap(name: string, iova: bigint, length: bigint): bigint {
    const n = this.guestTable(name).unmap(iova, length);
    // Remembered so that a later stale hit can name this line; nothing is invalidated.
    for (const iommu of this.host.iommus.values()) {
      if (iommu.driver instanceof HwDriverBase) iommu.driver.iotlb.noteUnmapped(undefined, iova, n, this.host.statement.current);
    }
    return n;
  }

  setStatementLine(line: number | undefined): void {
    this.host.statement.current = line;
  }

  lastStaleHit(device: string): StaleHit | undefined {
    return this.host.device(device).lastStaleHit;
  }

  /** The mock nested HWPT's IOTLB slot `i` (the `iotlb()` query). */
  iotlb(fd: string, hwptId: bigint, i: number): bigint {
    const obj = this.object(fd, hwptId);
    if (!(obj instanceof HwptNested) || !(obj.domain instanceof MockNestedDomain)) throw new Error(`object ${hwptId} is not a mock nested HWPT`);
    const v = obj.domain.iotlb[i];
    if (v === undefined) throw new Error(`IOTLB slot ${i} does not exist (0..${obj.domain.iotlb.length - 1})`);
    return v;
  }

  /** The mock device's cache slot `i` (the `dev_cache()` query); `devId` is a DEVICE id. */
  devCache(fd: string, devId: bigint, i: number): bigint {
    const idev = this.object(fd, devId);
    if (!(idev instanceof IommufdDevice)) throw new Error(`object ${devId} is a ${idev.type}, not a DEVICE`);
    const driver = idev.dev.iommu.driver;
    if (!(driver instanceof MockDriver)) throw new Error(`device ${idev.dev.name} is not a mock device: it has no device cache`);
    const v = driver.mdev(idev.dev).cache[i];
    if (v === undefined) throw new Error(`device cache slot ${i} does not exist (0..3)`);
    return v;
  }

  // ---- helpers ----

  /** The FAULT or VEVENTQ `id` of iommufd `fd`, named through its own fd (EBADF once that is closed). */
  private eventQueue<T extends Fault | Veventq>(fd: string, id: bigint, kind: new (...args: never[]) => T): T {
    const obj = this.queryFile(fd).objects.find(id);
    if (!(obj instanceof kind) || !obj.fd.isOpen) fail('EBADF', `no open ${kind === (Fault as unknown) ? 'fault' : 'vEVENTQ'} fd belongs to object ${id} of ${fd}`);
    return obj;
  }

  private openFile(name: string): IommufdFile {
    return this.iommufds.forStatement(name);
  }

  private queryFile(name: string): IommufdFile {
    return this.iommufds.known(name);
  }

  private object(fd: string, id: bigint): IommufdObject {
    const obj = this.queryFile(fd).objects.find(id);
    if (!obj) throw new Error(`no object ${id} in iommufd ${fd}`);
    return obj;
  }

  private pagingHwpt(fd: string, id: bigint): HwptPaging {
    const obj = this.object(fd, id);
    const hwpt = obj instanceof HwptNested ? obj.parent : obj;
    if (!(hwpt instanceof HwptPaging)) throw new Error(`object ${id} is a ${obj.type}, not a HWPT with a page table`);
    return hwpt;
  }

  private boundDevice(fd: string, devId: bigint): IommufdDevice {
    return this.openFile(fd).objects.get<IommufdDevice>(devId, 'DEVICE');
  }

  private guestTable(name: string): GuestPageTable {
    const pt = this.guestTables.get(name);
    if (!pt) throw new Error(`no guest_pt named ${name}`);
    return pt;
  }

  private vfioFile(device: string): VfioDeviceFile {
    const dev: Device = this.host.device(device);
    let f = this.vfioFiles.get(device);
    if (!f) {
      f = new VfioDeviceFile(dev);
      this.vfioFiles.set(device, f);
    }
    return f;
  }

  private defaultPagingDomain(device: string) {
    const dev = this.host.device(device);
    const domain = dev.group.defaultDomain;
    if (!isPagingDomain(domain)) fail('EINVAL', `the default domain of device ${device} is ${domain.describe()}, not a DMA-API paging domain`);
    return domain;
  }

  private growScratch(need: bigint): void {
    const size = ((need + SCRATCH_SIZE - 1n) / SCRATCH_SIZE) * SCRATCH_SIZE;
    // Regions cannot grow in place: map the extension right after the current one.
    this.host.vmm.map(`__scratch${this.scratchSize / SCRATCH_SIZE}`, size - this.scratchSize, { at: SCRATCH_BASE + this.scratchSize });
    this.scratchSize = size;
  }
}

export function createMachine(): Machine {
  return new Machine();
}
