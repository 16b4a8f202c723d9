// The Arm SMMUv3 driver model (arm-smmu-v3): stage-1 paging domains (DMA
// API and iommufd HWPTs), stage-2 nest parents, HTTU, its hw_info (the IDR
// registers), the software MSI window every device reserves, and the event
// records its faults produce (trace-language §5); arm_smmuv3 vIOMMUs whose
// nested domains run the guest's vSTE (smmuv3-viommu.ts).
import type { Device, IovaRange } from '../../core/device.js';
import type { IommuDomain, IommuPagingDomain } from '../../core/iommu-domain.js';
import type { HwInfo, IommuDriver, UserData } from '../../core/iommu-driver.js';
import type { ViommuCore, ViommuOps } from '../../core/viommu-ops.js';
import { fail } from '../../errno.js';
import type { FaultRecord, IommuOptions } from '../../machine-api.js';
import type { PhysMem } from '../../memory/physmem.js';
import type { Process } from '../../memory/process.js';
import { ArmLpaeFormat } from '../../pgtable/arm-lpae.js';
import { RadixTable } from '../../pgtable/radix-table.js';
import { HWPT_ALLOC_FLAGS, HW_INFO_TYPES, VIOMMU_TYPES } from '../../uapi/iommufd.js';
import { struct, StructView } from '../../uapi/layout.js';
import { HwDriverBase } from '../hw-driver-base.js';
import { HwPagingDomain } from '../hw-paging-domain.js';
import { hwSvaDomain } from '../hw-sva-domain.js';
import { smmuEventLog, smmuEventWords } from './smmuv3-events.js';
import { ArmNestedDomain } from './smmuv3-nested-domain.js';
import { SmmuRules } from './smmuv3-rules.js';
import { ArmVsmmu } from './smmuv3-viommu.js';
import type { StatementLine } from '../../statement-line.js';

/** MSI_IOVA_BASE / MSI_IOVA_LENGTH: the software MSI window arm-smmu-v3 reserves. */
export const SMMU_MSI_WINDOW: IovaRange = Object.freeze({ start: 0x800_0000n, last: 0x80f_ffffn });

/** struct iommu_hw_info_arm_smmuv3 */
const HW_INFO_SMMUV3 = struct('iommu_hw_info_arm_smmuv3', [
  ['flags', 4], ['__reserved', 4], ['idr0', 4], ['idr1', 4], ['idr2', 4], ['idr3', 4], ['idr4', 4], ['idr5', 4], ['iidr', 4], ['aidr', 4],
]);

/** IDR5.OAS encodings: 32, 36, 40, 42, 44, 48, 52 bits. */
const OAS_BITS = [32, 36, 40, 42, 44, 48, 52];

export class Smmuv3Driver extends HwDriverBase implements IommuDriver {
  readonly model = 'smmuv3';
  readonly granule: bigint;
  readonly ias: number;
  readonly oas: number;
  readonly httu: boolean;
  /** arm-smmu-v3 sets user_pasid_table: under a nested domain the guest owns the CD table. */
  readonly userPasidTable = true;

  constructor(
    readonly phys: PhysMem,
    opts: IommuOptions,
    line: StatementLine,
  ) {
    super(phys, opts, line);
    this.granule = opts.granule ?? 4096n;
    this.oas = opts.oas ?? 48;
    this.ias = opts.ias ?? 48;
    this.httu = !this.has('no_httu');
    if (!OAS_BITS.includes(this.oas)) throw new Error(`smmuv3: oas=${this.oas} is not an IDR5.OAS size (${OAS_BITS.join(', ')})`);
    if (![4096n, 16384n, 65536n].includes(this.granule)) throw new Error(`smmuv3: granule=${this.granule} is not 4K, 16K or 64K`);
  }

  capable(_dev: Device, cap: 'cache_coherency' | 'dirty_tracking'): boolean {
    return cap === 'cache_coherency' || this.httu;
  }

  reservedRegions(): IovaRange[] {
    return [SMMU_MSI_WINDOW];
  }

  protected allocDmaDomain(): HwPagingDomain {
    // arm64 defaults to strict invalidation (iommu.strict=1); `lazy` selects DMA-FQ.
    return this.domain(1, false, this.has('lazy'), 'SMMUv3 DMA domain');
  }

  allocPaging(_dev: Device, flags: bigint, data: UserData | undefined): IommuPagingDomain {
    if (data) fail('EOPNOTSUPP', 'arm-smmu-v3 paging domains take no driver data');
    const { dirty_tracking, nest_parent, pasid } = HWPT_ALLOC_FLAGS;
    const f = flags & ~pasid;
    if (f === 0n) return this.domain(1, false, false, 'SMMUv3 stage-1 domain');
    if (f === dirty_tracking) {
      if (!this.httu) fail('EOPNOTSUPP', 'this SMMUv3 has no HTTU dirty tracking (no_httu)');
      return this.domain(1, true, false, 'SMMUv3 stage-1 dirty-tracking domain');
    }
    if (flags === nest_parent) return this.domain(2, false, false, 'SMMUv3 stage-2 domain');
    return fail('EOPNOTSUPP', `arm-smmu-v3 cannot allocate a paging domain with flags 0x${flags.toString(16)}`);
  }

  /** arm_smmu_attach_dev_nested's refusals. */
  attachDev(domain: IommuDomain, dev: Device): void {
    if (!(domain instanceof ArmNestedDomain)) return;
    if (domain.parent.driver !== this) fail('EINVAL', `${domain.describe()} belongs to another SMMU`);
    if (dev.group.pasids.size > 0) fail('EBUSY', `device ${dev.name} has PASIDs attached: the guest's CD table cannot replace the host's`);
    // A translating vSTE needs the vSID for CD/ATC invalidations and vEVENTs; abort and bypass do not.
    const vsmmu = domain.vsmmu as ArmVsmmu;
    if (domain.vste.config === 'translate' && vsmmu.core.vdevIdOf(dev) === undefined) fail('ENOENT', `device ${dev.name} has no vDEVICE on vIOMMU ${vsmmu.core.id}`);
  }

  setDevPasid(domain: IommuDomain, dev: Device, pasid: number): void {
    // arm_smmu_set_dev_pasid: the CD table is the guest's while the RID is nested.
    if (domain.type !== 'blocked' && dev.group.domain instanceof ArmNestedDomain) fail('EINVAL', `PASID ${pasid}: device ${dev.name}'s CD table belongs to the guest's nested domain`);
    if (domain instanceof HwPagingDomain && domain.stage === 2) fail('EINVAL', `PASID ${pasid}: a stage-2 domain cannot be attached at a PASID (it needs a CD)`);
  }

  viommuSupported(_dev: Device, type: bigint): boolean {
    return type === VIOMMU_TYPES.arm_smmuv3;
  }

  /** arm_vsmmu_init: the parent must be this SMMU's stage-2 domain; the type takes no data. */
  viommuInit(core: ViommuCore, _type: bigint, parent: IommuPagingDomain): ViommuOps {
    if (!(parent instanceof HwPagingDomain) || parent.driver !== this || parent.stage !== 2) fail('EINVAL', `${parent.describe()} is not a stage-2 domain of this SMMU`);
    return new ArmVsmmu(this, core, parent);
  }

  /** arm_smmu_sva_domain_alloc: a fresh ASID; the CD's TTB0 is the mm's Arm stage-1 table, walked with HTTU when the SMMU has it. */
  allocSva(_dev: Device, mm: Process): IommuDomain {
    const rules = new SmmuRules({ stage: 1, oas: this.oas, ha: this.httu, hd: this.httu });
    return hwSvaDomain({ driver: this, mm, arch: 'arm64', rules, iotlb: this.iotlb, tag: `ASID ${this.allocTag()}`, label: 'SMMUv3 SVA domain', line: this.line });
  }

  hwInfo(_dev: Device, type: bigint): HwInfo {
    if (type !== HW_INFO_TYPES.default && type !== HW_INFO_TYPES.arm_smmuv3) fail('EOPNOTSUPP', `arm-smmu-v3 has no hw_info of type 0x${type.toString(16)}`);
    const info = StructView.zeroed(HW_INFO_SMMUV3);
    // IDR0: S2P, S1P, TTF=AArch64, COHACC, HTTU (access+dirty), ASID16, VMID16, 2-level stream table.
    info.set('idr0', 1n | (1n << 1n) | (2n << 2n) | (1n << 4n) | ((this.httu ? 2n : 0n) << 6n) | (1n << 12n) | (1n << 18n) | (1n << 27n));
    // IDR1: SIDSIZE 16, SSIDSIZE 20.
    info.set('idr1', 16n | (20n << 6n));
    // IDR5: OAS, GRAN4K/16K/64K.
    info.set('idr5', BigInt(OAS_BITS.indexOf(this.oas)) | (1n << 4n) | (1n << 5n) | (1n << 6n));
    return { type: HW_INFO_TYPES.arm_smmuv3, data: info.bytes };
  }

  describeFault(f: FaultRecord, dev: Device): FaultRecord {
    if (f.event === undefined) return f;
    const raw = smmuEventWords(f, dev.rid);
    return { ...f, raw, log: smmuEventLog(f, dev, raw) };
  }

  private domain(stage: 1 | 2, dirty: boolean, lazy: boolean, label: string): HwPagingDomain {
    // Stage 1 translates the VA (IAS, at most 48 bits) to the IPA; stage 2 the IPA to the PA (OAS).
    const format = new ArmLpaeFormat({ stage, granule: this.granule, ias: stage === 1 ? Math.min(this.ias, 48) : this.oas, oas: this.oas, httuDirty: dirty });
    const id = this.allocTag();
    return new HwPagingDomain({
      driver: this,
      table: new RadixTable(format, this.pages),
      rules: new SmmuRules({ stage, oas: format.cfg.oas, ha: this.httu, hd: this.httu && dirty }),
      iotlb: this.iotlb,
      tag: stage === 1 ? `ASID ${id}` : `VMID ${id}`,
      aperture: { start: 0n, last: (1n << BigInt(format.inputBits)) - 1n },
      dirtyOps: dirty,
      lazy,
      line: this.line,
      label,
      stage,
      flushNested: stage === 2,
    });
  }
}
