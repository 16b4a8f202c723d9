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
  /** The caller's struct after the kernel wrote back (or as passed, if it did not). */
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
}

export type DmaResult =
  | { ok: true; pa: bigint; value?: bigint; data?: Uint8Array }
  | { ok: false; fault: FaultRecord };

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
  /** A raw ioctl on an iommufd: `cmd` is the full number (0x3b85), `arg` the user struct. */
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
  /** The mock nested HWPT's IOTLB slot `i` (`iotlb(HWPT, I)`); optional until every engine has it. */
  iotlb?(fd: string, hwptId: bigint, i: number): bigint;
  /** The mock device's cache slot `i` (`dev_cache(DEV, I)`, DEV a dev_id); optional likewise. */
  devCache?(fd: string, devId: bigint, i: number): bigint;
}
