// The Intel VT-d driver model (intel-iommu, scalable mode): first-stage
// paging domains (DMA API and iommufd HWPTs; 4-level, or 5 with `levels=5`),
// second-stage domains for nest parents and dirty tracking, snoop control,
// its hw_info (CAP/ECAP), the interrupt window every device reserves, and
// the fault records its faults produce (trace-language §5).
import type { Device, IovaRange } from '../../core/device.js';
import type { IommuDomain, IommuPagingDomain } from '../../core/iommu-domain.js';
import { copyStructFromUser } from '../../core/user-data.js';
import type { HwInfo, IommuDriver, UserData } from '../../core/iommu-driver.js';
import { fail } from '../../errno.js';
import type { FaultRecord, IommuOptions } from '../../machine-api.js';
import type { PhysMem } from '../../memory/physmem.js';
import type { Process } from '../../memory/process.js';
import { RadixTable } from '../../pgtable/radix-table.js';
import { VtdSsFormat } from '../../pgtable/vtd-ss.js';
import { X86_64Format } from '../../pgtable/x86-64.js';
import { HWPT_ALLOC_FLAGS, HWPT_DATA_TYPES, HW_INFO_TYPES } from '../../uapi/iommufd.js';
import { struct, StructView } from '../../uapi/layout.js';
import { HwDriverBase } from '../hw-driver-base.js';
import { HwPagingDomain } from '../hw-paging-domain.js';
import { hwSvaDomain } from '../hw-sva-domain.js';
import { vtdFaultLog, vtdFaultWords } from './vtd-faults.js';
import { HWPT_VTD_S1, VTD_S1_FLAGS, VtdNestedDomain } from './vtd-nested-domain.js';
import { VtdFirstStageRules, VtdSecondStageRules } from './vtd-rules.js';
import type { StatementLine } from '../../statement-line.js';

/** IOAPIC_RANGE_START..END: DMA there is an interrupt request, never translated. */
export const VTD_IRQ_WINDOW: IovaRange = Object.freeze({ start: 0xfee0_0000n, last: 0xfeef_ffffn });

/** struct iommu_hw_info_vtd */
const HW_INFO_VTD = struct('iommu_hw_info_vtd', [['flags', 4], ['__reserved', 4], ['cap_reg', 8], ['ecap_reg', 8]]);

/** Second-stage tables are 4-level (AW 2, 48 bits), the width Linux picks for a 48-bit MGAW. */
const SS_LEVELS = 4;

export class VtdDriver extends HwDriverBase implements IommuDriver {
  readonly model = 'vtd';
  readonly fsLevels: 4 | 5;
  readonly snoop: boolean;

  constructor(
    private readonly phys: PhysMem,
    opts: IommuOptions,
    line: StatementLine,
  ) {
    super(phys, opts, line);
    if (opts.levels !== undefined && opts.levels !== 4 && opts.levels !== 5) throw new Error(`vtd: levels=${opts.levels} must be 4 or 5`);
    this.fsLevels = opts.levels === 5 ? 5 : 4;
    this.snoop = !this.has('no_snoop');
  }

  capable(_dev: Device, cap: 'cache_coherency' | 'dirty_tracking'): boolean {
    return cap === 'dirty_tracking' || this.snoop;
  }

  reservedRegions(): IovaRange[] {
    return [VTD_IRQ_WINDOW];
  }

  protected allocDmaDomain(): HwPagingDomain {
    // x86 defaults to lazy invalidation (DMA-FQ); `strict` is iommu.strict=1.
    return this.firstStage(!this.has('strict'), 'VT-d DMA domain');
  }

  allocPaging(_dev: Device, flags: bigint, data: UserData | undefined): IommuPagingDomain {
    if (data) fail('EOPNOTSUPP', 'intel-iommu paging domains take no driver data');
    const { dirty_tracking, nest_parent, pasid } = HWPT_ALLOC_FLAGS;
    if (flags & ~(dirty_tracking | nest_parent | pasid)) fail('EOPNOTSUPP', `intel-iommu does not support HWPT flags 0x${flags.toString(16)}`);
    // Only the second stage tracks dirty pages and can be a nesting parent.
    if (flags & (dirty_tracking | nest_parent)) return this.secondStage((flags & dirty_tracking) !== 0n);
    return this.firstStage(false, 'VT-d first-stage domain');
  }

  /** intel_iommu_domain_alloc_nested: a guest first stage on a second-stage nest parent. */
  allocNested(parent: IommuPagingDomain, _dev: Device, flags: bigint, data: UserData): IommuDomain {
    if (flags & ~HWPT_ALLOC_FLAGS.pasid) fail('EOPNOTSUPP', `intel-iommu nested domains take no flags 0x${flags.toString(16)}`);
    if (data.type !== HWPT_DATA_TYPES.vtd_s1) fail('EOPNOTSUPP', `intel-iommu nested domains need data_type vtd_s1 (1), not 0x${data.type.toString(16)}`);
    if (!(parent instanceof HwPagingDomain) || parent.stage !== 2) fail('EINVAL', `${parent.describe()} is not a second-stage nest parent`);
    const cfg = copyStructFromUser(data, HWPT_DATA_TYPES.vtd_s1, HWPT_VTD_S1, '__reserved');
    if (cfg.get('flags') & ~VTD_S1_FLAGS) fail('EOPNOTSUPP', `unknown vtd_s1 flags 0x${(cfg.get('flags') & ~VTD_S1_FLAGS).toString(16)}`);
    return new VtdNestedDomain(this, parent, this.phys, this.iotlb, `DID ${this.allocTag()}`, cfg.get('pgtbl_addr'), cfg.num('addr_width'));
  }

  attachDev(domain: IommuDomain): void {
    // intel_pasid_setup_nested: the guest table must be 4- or 5-level.
    if (domain instanceof VtdNestedDomain && domain.addrWidth !== 48 && domain.addrWidth !== 57) {
      fail('EINVAL', `vtd_s1 addr_width ${domain.addrWidth} is neither 48 (4-level) nor 57 (5-level)`);
    }
  }

  setDevPasid(domain: IommuDomain): void {
    this.attachDev(domain);
  }

  /**
   * intel_svm_domain_alloc: the PASID entry's first stage is the mm's
   * 4-level x86-64 table (a CPU without LA57, whatever `levels` the DMA
   * domains use); its IOTLB entries are tagged by the mm's PASID.
   */
  allocSva(_dev: Device, mm: Process, pasid: number): IommuDomain {
    return hwSvaDomain({ driver: this, mm, arch: 'x86_64', rules: new VtdFirstStageRules(48), iotlb: this.iotlb, tag: `PASID ${pasid}`, label: 'VT-d SVA domain', line: this.line });
  }

  hwInfo(_dev: Device, type: bigint): HwInfo {
    if (type !== HW_INFO_TYPES.default && type !== HW_INFO_TYPES.intel_vtd) fail('EOPNOTSUPP', `intel-iommu has no hw_info of type 0x${type.toString(16)}`);
    const info = StructView.zeroed(HW_INFO_VTD);
    // CAP: ND=2 (256 domains), SAGAW 4-level (+5-level), MGAW 47 (48 bits), SLLPS 2M|1G, PSI, FL1GP, FL5LP.
    const sagaw = (1n << 2n) | (this.fsLevels === 5 ? 1n << 3n : 0n);
    info.set('cap_reg', 2n | (sagaw << 8n) | (47n << 16n) | (3n << 34n) | (1n << 39n) | (1n << 56n) | (this.fsLevels === 5 ? 1n << 60n : 0n));
    // ECAP: C, QI, DT, SC (snoop control), NEST, PSS=19 (20-bit PASIDs), PASID, SLADS, SLTS, FLTS, SMTS, SSADS.
    const sc = this.snoop ? 1n << 7n : 0n;
    info.set('ecap_reg', 1n | (1n << 1n) | (1n << 2n) | sc | (1n << 26n) | (19n << 35n) | (1n << 40n) | (1n << 45n) | (1n << 46n) | (1n << 47n) | (1n << 43n) | (1n << 55n));
    return { type: HW_INFO_TYPES.intel_vtd, data: info.bytes };
  }

  describeFault(f: FaultRecord, dev: Device): FaultRecord {
    if (f.reason === undefined) return f;
    return { ...f, raw: vtdFaultWords(f, dev.rid), log: vtdFaultLog(f, dev) };
  }

  private firstStage(lazy: boolean, label: string): HwPagingDomain {
    const format = new X86_64Format(this.fsLevels);
    // First-stage IOVAs are the lower canonical half.
    return this.domain(format, new VtdFirstStageRules(format.vaBits), 1, false, lazy, label, (1n << BigInt(format.vaBits - 1)) - 1n);
  }

  private secondStage(dirty: boolean): HwPagingDomain {
    const format = new VtdSsFormat(SS_LEVELS, this.snoop);
    return this.domain(format, new VtdSecondStageRules(format.inputBits), 2, dirty, false, 'VT-d second-stage domain', (1n << BigInt(format.inputBits)) - 1n);
  }

  private domain(format: X86_64Format | VtdSsFormat, rules: VtdFirstStageRules | VtdSecondStageRules, stage: 1 | 2, dirty: boolean, lazy: boolean, label: string, last: bigint): HwPagingDomain {
    return new HwPagingDomain({
      driver: this,
      table: new RadixTable(format, this.pages),
      rules,
      iotlb: this.iotlb,
      tag: `DID ${this.allocTag()}`,
      aperture: { start: 0n, last },
      dirtyOps: dirty,
      lazy,
      line: this.line,
      label,
      stage,
    });
  }
}
