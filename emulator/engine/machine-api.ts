// The engine as its front ends see it: the runtime (and through it the CLI,
// the debugger and the language server) drives one emulated machine through
// this interface only. Every operation that the kernel can refuse throws a
// KernelError (errno + reason); ioctls instead return their result, because
// some of them write outputs back even when they fail.
import type { KernelError } from './errno.js';

export type IommuModel = 'mock' | 'smmuv3' | 'vtd';

export interface IommuOptions {
  model: IommuModel;
  granule?: bigint;
  ias?: number;
  oas?: number;
  pasidBits?: number;
  /** Model switches given as bare words (`s2fwb`, `no_httu`, `levels=5` is a key). */
  switches?: string[];
  levels?: number;
}

export interface DeviceOptions {
  /** The IOMMU instance; absent: the only one (an error when there are several). */
  iommu?: string;
  /** Devices with the same group number share an iommu_group. */
  group?: number;
  rid?: number;
  pasidBits?: number;
  pri?: boolean;
  noDirty?: boolean;
  /** Firmware reserved regions, inclusive ranges. */
  reserved?: { start: bigint; last: bigint }[];
}

export interface MemoryOptions {
  /** Default: the VMM ('vmm'). */
  process?: string;
  /** A fixed address; default: placed deterministically. */
  at?: bigint;
  hugepage?: bigint;
  memfd?: boolean;
}

export interface IoctlResult {
  /** Undefined on success. */
  error?: KernelError;
  /**
   * The caller's struct after the kernel wrote back (or as passed, if it did
   * not): the buffer passed itself, which the kernel's copy_to_user writes.
   */
  arg: Uint8Array | null;
}

export type FaultKind =
  | 'translation'
  | 'permission'
  | 'address_size'
  | 'access_flag'
  | 'blocked'
  | 'bad_ste'
  | 'bad_cd'
  | 'pasid';

export interface FaultRecord {
  kind: FaultKind;
  /** The input address of the access (IOVA). */
  addr: bigint;
  pasid?: number;
  write: boolean;
  stage?: number;
  level?: number;
  /** SMMUv3 event id, VT-d fault reason: the model's own record (hardware issue). */
  event?: number;
  reason?: number;
  ipa?: bigint;
  fetchAddr?: bigint;
  /** SMMUv3 CLASS (0 CD fetch, 1 stage-1 table fetch, 2 input address) and S2 bit. */
  class?: number;
  s2?: boolean;
  /** The hardware's raw record: SMMUv3 event dwords 0-3, or the VT-d fault record's two qwords. */
  raw?: bigint[];
  /** How Linux would log it (arm-smmu-v3 event lines, DMAR fault line). */
  log?: string[];
  /** Human-readable: which domain, which level, why. */
  detail: string;
}

export interface WalkStep {
  stage: number;
  level: number;
  /** Physical address of the table that was read. */
  table: bigint;
  index: number;
  descriptor: bigint;
  /** What the descriptor is at this level (real page-table formats). */
  kind?: 'table' | 'block' | 'page' | 'invalid' | 'reserved';
  /** The descriptor's decoded fields by their architecture names (OA, AP, S2AP, AF, R, W, PS, ...). */
  fields?: Record<string, bigint>;
  /** The IOTLB answered instead of memory (the step is the cached leaf). */
  iotlb?: 'hit' | 'stale-hit';
}

export type DmaResult =
  | { ok: true; pa: bigint; value?: bigint; data?: Uint8Array; stale?: StaleHit }
  | { ok: false; fault: FaultRecord };

/** A DMA that used an IOTLB entry the page table no longer backs (iommu-hardware §5.4). */
export interface StaleHit {
  iova: bigint;
  /** The output address the stale entry gave (where the DMA went). */
  pa: bigint;
  /** The statement line that unmapped the page without invalidating it, when known. */
  unmappedAt?: number;
  message: string;
}

export interface DmaRequest {
  write: boolean;
  iova: bigint;
  /** Access width in bytes; or `len` for a burst. */
  width?: 1 | 2 | 4 | 8;
  len?: number;
  value?: bigint;
  /** The byte a burst write stores (default 0). */
  fill?: number;
  pasid?: number;
}

export type Owner = 'none' | 'kernel' | 'user';

/** One `struct iommu_hwpt_pgfault` read from a fault fd. */
export interface PageFaultMessage {
  flags: number;
  /** The DEVICE object id. */
  devId: number;
  pasid: number;
  grpid: number;
  perm: number;
  addr: bigint;
  length: number;
  cookie: number;
}

/** One record read from a vEVENTQ fd: its header, and the driver's payload (empty for LOST_EVENTS). */
export interface VeventMessage {
  flags: number;
  sequence: number;
  data: Uint8Array;
}

export interface MachineApi {
  // ---- topology ----
  declareIommu(name: string, opts: IommuOptions): void;
  declareDevice(name: string, opts: DeviceOptions): void;
  declareProcess(name: string): void;
  /** Returns the region's start address. */
  declareMemory(name: string, size: bigint, opts: MemoryOptions): bigint;
  munmap(addr: bigint, length: bigint, process?: string): void;

  // ---- iommufd files (one named 'iommufd' is open at the start) ----
  /** Opens another /dev/iommu; returns its fd number (lowest free). */
  openIommufd(name: string): number;
  closeIommufd(name: string): void;
  /** The fd later statements use: the most recently opened still open. */
  currentIommufd(): string | undefined;
  /** Where queries resolve ids: the current fd, else the most recently closed. */
  queryIommufd(): string | undefined;
  fdNumber(name: string): number;
  /** A raw ioctl on an iommufd: `cmd` is the full number (0x3b85), `arg` the user struct (outputs are written into it). */
  ioctl(fd: string, cmd: number, arg: Uint8Array | null): IoctlResult;

  // ---- VFIO device cdev ----
  vfioIoctl(device: string, cmd: number, arg: Uint8Array | null): IoctlResult;
  /** Closing the VFIO device file: detaches everything, then unbinds. */
  vfioClose(device: string): void;

  // ---- user memory for ioctl payloads ----
  /** Copies `bytes` into the VMM's argument area and returns its user address. */
  userScratch(bytes: Uint8Array): bigint;
  /** Reads user memory of a process (EFAULT if unmapped). */
  readUser(addr: bigint, length: number, process?: string): Uint8Array;
  /** Forgets the argument area (between statements). */
  resetScratch(): void;

  // ---- host kernel ----
  driverProbe(device: string): void;
  driverRemove(device: string): void;
  iommufdAttach(fd: string, devId: bigint, ptId: bigint, pasid?: number): number;
  iommufdReplace(fd: string, devId: bigint, ptId: bigint, pasid?: number): number;
  kernelMap(device: string, iova: bigint, pa: bigint, size: bigint, prot: number): void;
  kernelUnmap(device: string, iova: bigint, size: bigint): bigint;
  accessCreate(fd: string, ioasId: bigint, flags: bigint): number;
  accessPin(fd: string, accessId: bigint, iova: bigint, length: bigint, flags: bigint): void;
  accessUnpin(fd: string, accessId: bigint, iova: bigint, length: bigint): void;
  accessRw(fd: string, accessId: bigint, iova: bigint, length: bigint, flags: bigint, data?: Uint8Array): Uint8Array;
  accessReplace(fd: string, accessId: bigint, ioasId: bigint): void;
  accessDestroy(fd: string, accessId: bigint): void;

  // ---- event queue fds: a FAULT's or a VEVENTQ's own file, named by the object's id in `fd` ----
  /** read() of `count` bytes: whole fault groups that fit (ESPIPE unless a multiple of 40; EBADF once closed). */
  faultRead(fd: string, faultId: bigint, count: number): PageFaultMessage[];
  /** write() of `struct iommu_hwpt_page_response`s: the bytes consumed (EINVAL if none was). */
  faultRespond(fd: string, faultId: bigint, responses: { cookie: bigint; code: bigint }[]): number;
  faultClose(fd: string, faultId: bigint): void;
  /** read() of `count` bytes: whole records that fit; `type` is the queue's vEVENT type. */
  veventqRead(fd: string, veventqId: bigint, count: number): { type: bigint; events: VeventMessage[] };
  veventqClose(fd: string, veventqId: bigint): void;

  // ---- SVA (iommu_sva_bind_device) and processes ----
  svaBind(device: string, process: string): { handle: number; pasid: number };
  svaUnbind(handle: number): void;
  /** The process exits: its memory is gone; its mm (and PASID) once no SVA domain holds it. */
  processExit(process: string): void;

  // ---- CPU and devices ----
  cpuLoad(addr: bigint, width: 1 | 2 | 4 | 8, process?: string): bigint;
  cpuStore(addr: bigint, width: 1 | 2 | 4 | 8, value: bigint, process?: string): void;
  dma(device: string, req: DmaRequest): DmaResult;

  // ---- queries (no side effects; they throw KernelError-free Errors with a message on bad input) ----
  users(fd: string, id: bigint): number;
  exists(fd: string, id: bigint): boolean;
  mapped(fd: string, id: bigint, iova: bigint): boolean;
  translate(device: string, iova: bigint, pasid?: number): { pa: bigint } | { fault: FaultRecord };
  pa(addr: bigint, process?: string): bigint | undefined;
  owner(device: string): Owner;
  pinned(addr: bigint): number;
  attached(fd: string, devId: bigint, pasid?: number): number;
  walk(device: string, iova: bigint, pasid?: number): WalkStep[];
  lastFault(device: string): FaultRecord | undefined;
  root(fd: string, hwptId: bigint): bigint;
  pte(fd: string, hwptId: bigint, iova: bigint, level: number): bigint;
  physLoad(pa: bigint, width: 1 | 2 | 4 | 8): bigint;
  // ---- page tables software builds (guest_pt; optional until every engine has them) ----
  /** Declares a guest page table; returns the address of its top table. */
  guestPt?(name: string, format: 'arm64_s1' | 'arm64_s2' | 'x86_64', base: bigint | undefined, granule: bigint | undefined): bigint;
  guestMap?(name: string, iova: bigint, oa: bigint, length: bigint, prot: 'r' | 'w' | 'rw'): void;
  /** Returns the bytes unmapped. */
  guestUnmap?(name: string, iova: bigint, length: bigint): bigint;
  /** The runtime tells the engine which statement line runs next (for stale-IOTLB messages). */
  setStatementLine?(line: number | undefined): void;
  /** The device's last DMA that hit a stale IOTLB entry. */
  lastStaleHit?(device: string): StaleHit | undefined;
  /** The mock nested HWPT's IOTLB slot `i` (`iotlb(HWPT, I)`); optional until every engine has it. */
  iotlb?(fd: string, hwptId: bigint, i: number): bigint;
  /** The mock device's cache slot `i` (`dev_cache(DEV, I)`, DEV a dev_id); optional likewise. */
  devCache?(fd: string, devId: bigint, i: number): bigint;
}
