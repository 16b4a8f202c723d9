// What every driver's domain_alloc_sva does here: take the mm's CPU page
// table in the format the IOMMU walks (arm-smmu-v3: the Arm stage-1 table
// its CD points at; intel-iommu: the x86-64 table its PASID entry points
// at), and walk it with the same walker as the driver's stage-1 paging
// domains (hw-paging-domain.ts: the model's rules, its IOTLB, A/D updates).
// The walker only ever walks: the process, not the IOMMU, maps and unmaps
// that table.
import { SvaDomain } from '../core/sva-domain.js';
import type { Iotlb } from '../iotlb.js';
import type { CpuArch } from '../memory/cpu-page-table.js';
import { USER_LIMIT, type Process } from '../memory/process.js';
import type { StatementLine } from '../statement-line.js';
import { HwPagingDomain } from './hw-paging-domain.js';
import type { HwRules } from './hw-rules.js';

export interface HwSvaOptions {
  driver: object;
  mm: Process;
  arch: CpuArch;
  /** The model's stage-1 rules. */
  rules: HwRules;
  iotlb: Iotlb;
  /** The domain's IOTLB tag: its ASID (SMMUv3) or the mm's PASID (VT-d). */
  tag: string;
  /** "SMMUv3 SVA domain", for reasons. */
  label: string;
  line: StatementLine;
}

export function hwSvaDomain(o: HwSvaOptions): SvaDomain {
  const cpuTable = o.mm.pageTable(o.arch);
  const walker = new HwPagingDomain({
    driver: o.driver,
    table: cpuTable.table,
    rules: o.rules,
    iotlb: o.iotlb,
    tag: o.tag,
    aperture: { start: 0n, last: USER_LIMIT - 1n },
    dirtyOps: false,
    lazy: false,
    line: o.line,
    label: `${o.label} of process ${o.mm.name}`,
    stage: 1,
  });
  return new SvaDomain(o.driver, o.mm, cpuTable, walker, { iotlb: o.iotlb, tag: o.tag });
}
