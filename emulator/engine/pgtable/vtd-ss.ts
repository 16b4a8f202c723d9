// The VT-d second-stage format (iommu-hardware §2.2) as generic_pt's vtdss
// builds it: there is no present bit — an entry exists iff R or W is set —
// tables are R|W, leaves carry the mapping's R/W and SNP when the domain
// forces snooping; A/D (bits 8/9) are set by hardware only with SSADE.
import { IOMMU_CACHE, IOMMU_READ, IOMMU_WRITE } from '../core/domain.js';
import type { Decoded, DescriptorKind, PtFormat } from './pt-format.js';
import { X86_ADDR_MASK, X86StyleFormat, leafAlignedAddress, x86Kind } from './x86-levels.js';

export const VTDSS_R = 1n;
export const VTDSS_W = 1n << 1n;
export const VTDSS_X = 1n << 2n;
export const VTDSS_A = 1n << 8n;
export const VTDSS_D = 1n << 9n;
export const VTDSS_SNP = 1n << 11n;

export class VtdSsFormat extends X86StyleFormat implements PtFormat {
  readonly name: string;
  readonly inputBits: number;

  /** `top`: 3, 4 or 5 levels (AW 1/2/3: 39/48/57 bits). `snoop`: SNP on cacheable leaves. */
  constructor(
    readonly top: 3 | 4 | 5,
    private readonly snoop: boolean,
  ) {
    super(top);
    this.inputBits = 12 + 9 * top;
    this.name = `VT-d ${top}-level second-stage table`;
  }

  tableEntry(pa: bigint): bigint {
    return (pa & X86_ADDR_MASK) | VTDSS_R | VTDSS_W;
  }

  leafEntry(pa: bigint, prot: number, depth: number): bigint {
    let e = this.leafBase(pa, depth);
    if (prot & IOMMU_READ) e |= VTDSS_R;
    if (prot & IOMMU_WRITE) e |= VTDSS_W;
    if (this.snoop && prot & IOMMU_CACHE) e |= VTDSS_SNP;
    return e;
  }

  kindOfLow(lo: number, depth: number): DescriptorKind {
    // R (bit 0) or W (bit 1) makes an entry present.
    if ((lo & 3) === 0) return 'invalid';
    const { level, shift } = this.levels[depth]!;
    const kind = x86Kind(lo, level);
    // A superpage's address bits below its size are reserved (QEMU: fault 0x0c / 0x7a);
    // blocks are at most 1 GiB, so those bits all lie in the low half.
    if (kind === 'block' && (lo & (2 ** shift - 1) & ~0xfff) !== 0) return 'reserved';
    return kind;
  }

  decode(e: bigint, depth: number): Decoded {
    const kind = this.kindOf(e, depth);
    if (kind === 'invalid') return { kind, fields: {} };
    const shift = this.levels[depth]!.shift;
    const fields: Record<string, bigint> = {
      address: kind === 'table' ? this.tableAddress(e) : leafAlignedAddress(e, shift),
      R: e & 1n,
      W: (e >> 1n) & 1n,
      X: (e >> 2n) & 1n,
    };
    if (kind !== 'table') Object.assign(fields, { PS: (e >> 7n) & 1n, A: (e >> 8n) & 1n, D: (e >> 9n) & 1n, SNP: (e >> 11n) & 1n });
    return { kind, fields };
  }
}
