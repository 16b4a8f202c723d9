// How a VT-d unit judges a walk (iommu-hardware §2.1-2.2, QEMU intel_iommu):
//   first stage   canonical input, P bit, reserved PS, R/W; hardware sets
//                 A on every access and D on writes.
//   second stage  input within the address width, R/W (no present bit: an
//                 unmapped IOVA reads "PTE Read access is not set"), reserved
//                 superpage bits; A/D only with SSADE (dirty tracking on).
import type { PtLeaf, PtLookup } from '../../pgtable/radix-table.js';
import { VTDSS_A, VTDSS_D, VTDSS_R, VTDSS_W } from '../../pgtable/vtd-ss.js';
import { X86_A, X86_D, X86_RW } from '../../pgtable/x86-64.js';
import { hex, type HwFault, type HwRules, type LeafGrant } from '../hw-rules.js';
import { FR_BEYOND_MGAW, FR_FS_NOT_PRESENT, FR_FS_RESERVED, FR_FS_WRITE, FR_NON_CANONICAL, FR_READ, FR_SS_RESERVED, FR_WRITE } from './vtd-faults.js';

function fault(kind: HwFault['kind'], reason: number, level: number | undefined, detail: string): HwFault {
  return { kind, level, detail, record: { reason } };
}

export class VtdFirstStageRules implements HwRules {
  readonly stage = 1;

  /** `vaBits`: 48 (4-level) or 57 (5-level). */
  constructor(private readonly vaBits: number) {}

  input(iova: bigint): HwFault | undefined {
    const top = iova >> BigInt(this.vaBits - 1);
    const ones = (1n << BigInt(65 - this.vaBits)) - 1n;
    if (top === 0n || top === ones) return undefined;
    return fault('translation', FR_NON_CANONICAL, undefined, `${hex(iova)} is not a canonical ${this.vaBits}-bit address`);
  }

  stopped(walk: PtLookup & { ok: false }, iova: bigint): HwFault {
    if (walk.why === 'reserved') return fault('translation', FR_FS_RESERVED, walk.level, `${hex(iova)}: the level-${walk.level} entry has a reserved bit set (PS)`);
    return fault('translation', FR_FS_NOT_PRESENT, walk.level, `${hex(iova)}: the level-${walk.level} entry is not present`);
  }

  leaf(leaf: PtLeaf, iova: bigint, write: boolean): HwFault | LeafGrant {
    const e = leaf.descriptor;
    const writable = (e & X86_RW) !== 0n;
    if (write && !writable) return this.permission(iova, write, leaf.level);
    return { read: true, write: writable, updated: e | X86_A | (write ? X86_D : 0n) };
  }

  permission(iova: bigint, _write: boolean, level: number): HwFault {
    return fault('permission', FR_FS_WRITE, level, `${hex(iova)}: the level-${level} entry is read-only (R/W clear)`);
  }

  isDirty(e: bigint): boolean {
    return (e & X86_D) !== 0n;
  }

  clean(e: bigint): bigint {
    return e & ~X86_D;
  }
}

export class VtdSecondStageRules implements HwRules {
  readonly stage = 2;

  /** `inputBits`: the address width (39/48/57). */
  constructor(private readonly inputBits: number) {}

  input(iova: bigint): HwFault | undefined {
    if (iova >> BigInt(this.inputBits) === 0n) return undefined;
    return fault('address_size', FR_BEYOND_MGAW, undefined, `${hex(iova)} is beyond the ${this.inputBits}-bit address width`);
  }

  stopped(walk: PtLookup & { ok: false }, iova: bigint, write: boolean): HwFault {
    if (walk.why === 'reserved') return fault('translation', FR_SS_RESERVED, walk.level, `${hex(iova)}: the level-${walk.level} entry has reserved address bits set`);
    return fault('translation', write ? FR_WRITE : FR_READ, walk.level, `${hex(iova)}: the level-${walk.level} entry grants nothing (R=W=0: not present)`);
  }

  leaf(leaf: PtLeaf, iova: bigint, write: boolean, dirtyTracking: boolean): HwFault | LeafGrant {
    const e = leaf.descriptor;
    const read = (e & VTDSS_R) !== 0n;
    const writable = (e & VTDSS_W) !== 0n;
    if (!(write ? writable : read)) return this.permission(iova, write, leaf.level);
    // SSADE: the hardware records accesses and writes only while dirty tracking is on.
    const updated = dirtyTracking ? e | VTDSS_A | (write ? VTDSS_D : 0n) : e;
    return { read, write: writable, updated };
  }

  permission(iova: bigint, write: boolean, level: number): HwFault {
    return fault('permission', write ? FR_WRITE : FR_READ, level, `${hex(iova)}: the level-${level} entry has ${write ? 'W' : 'R'} clear`);
  }

  isDirty(e: bigint): boolean {
    return (e & VTDSS_D) !== 0n;
  }

  clean(e: bigint): bigint {
    return e & ~VTDSS_D;
  }
}
