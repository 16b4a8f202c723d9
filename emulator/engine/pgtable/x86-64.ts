// The x86-64 paging format as a VT-d first-stage table (iommu-hardware §2.1),
// built as generic_pt's x86_64 format builds it: leaves U|A (plus RW|D when
// writable), tables P|RW|U|A, 4- or 5-level.
import { IOMMU_WRITE } from '../core/domain.js';
import type { Decoded, DescriptorKind, PtFormat } from './pt-format.js';
import { X86_ADDR_MASK, X86StyleFormat, x86Kind } from './x86-levels.js';

export const X86_P = 1n;
export const X86_RW = 1n << 1n;
export const X86_US = 1n << 2n;
export const X86_A = 1n << 5n;
export const X86_D = 1n << 6n;
export const X86_XD = 1n << 63n;

export class X86_64Format extends X86StyleFormat implements PtFormat {
  readonly name: string;
  /**
   * Every input reaches the walk, which indexes the low 48/57 bits: whether
   * the upper bits are a canonical sign extension is the IOMMU's check.
   */
  readonly inputBits = 64;
  /** The virtual address width (48 or 57): canonical addresses sign-extend bit vaBits-1. */
  readonly vaBits: number;

  constructor(readonly top: 4 | 5) {
    super(top);
    this.vaBits = top === 5 ? 57 : 48;
    this.name = `x86-64 ${top}-level first-stage table`;
  }

  tableEntry(pa: bigint): bigint {
    return (pa & X86_ADDR_MASK) | X86_P | X86_RW | X86_US | X86_A;
  }

  leafEntry(pa: bigint, prot: number, depth: number): bigint {
    let e = this.leafBase(pa, depth) | X86_P | X86_US | X86_A;
    if (prot & IOMMU_WRITE) e |= X86_RW | X86_D;
    return e;
  }

  kindOfLow(lo: number, depth: number): DescriptorKind {
    return (lo & 1) === 0 ? 'invalid' : x86Kind(lo, this.levels[depth]!.level);
  }

  decode(e: bigint, depth: number): Decoded {
    const kind = this.kindOf(e, depth);
    if (kind === 'invalid') return { kind, fields: {} };
    const fields: Record<string, bigint> = {
      address: kind === 'table' ? this.tableAddress(e) : this.leafAddress(e, depth),
      P: 1n,
      RW: (e >> 1n) & 1n,
      US: (e >> 2n) & 1n,
      A: (e >> 5n) & 1n,
      XD: e >> 63n,
    };
    if (kind !== 'table') Object.assign(fields, { D: (e >> 6n) & 1n, PS: (e >> 7n) & 1n });
    return { kind, fields };
  }
}
