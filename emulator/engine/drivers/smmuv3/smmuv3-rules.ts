// How an SMMUv3 judges a walk of its Arm LPAE tables (iommu-hardware §1.3-1.4),
// in the order the architecture (and QEMU's smmu-common) checks: translation
// (input range, invalid or reserved descriptors), access flag, permission,
// address size. With HTTU the hardware sets AF itself (HA) and turns a
// writable-clean leaf (DBM with AP[2]/S2AP.W clear) dirty on a write (HD).
import type { PtLeaf, PtLookup } from '../../pgtable/radix-table.js';
import { LPAE_AF, LPAE_AP_RDONLY, LPAE_AP_UNPRIV, LPAE_DBM, LPAE_S2AP_READ, LPAE_S2AP_WRITE } from '../../pgtable/arm-lpae.js';
import { hex, type HwFault, type HwRules, type LeafGrant } from '../hw-rules.js';
import { CLASS_IN, F_ACCESS, F_ADDR_SIZE, F_PERMISSION, F_TRANSLATION } from './smmuv3-events.js';

// The low attribute bits as numbers (they all lie in the descriptor's low 32 bits).
const AF = Number(LPAE_AF);
const AP_UNPRIV = Number(LPAE_AP_UNPRIV);
const AP_RDONLY = Number(LPAE_AP_RDONLY);
const S2AP_READ = Number(LPAE_S2AP_READ);
const S2AP_WRITE = Number(LPAE_S2AP_WRITE);

export interface SmmuRulesConfig {
  stage: 1 | 2;
  /** Output address size of this stage (IPS / effective S2PS). */
  oas: number;
  /** HTTU: hardware access flag (HA) and dirty state (HD, only for tables built with DBM). */
  ha: boolean;
  hd: boolean;
}

export class SmmuRules implements HwRules {
  readonly stage: 1 | 2;

  /** 2^OAS: a leaf's output address must lie below it. */
  private readonly oaLimit: bigint;

  constructor(private readonly cfg: SmmuRulesConfig) {
    this.stage = cfg.stage;
    this.oaLimit = 1n << BigInt(cfg.oas);
  }

  input(): undefined {
    return undefined;
  }

  stopped(walk: PtLookup & { ok: false }, iova: bigint): HwFault {
    // An S2-only stream's input beyond IAS is reported as an address-size fault.
    if (walk.why === 'range' && this.stage === 2) return this.fault(F_ADDR_SIZE, 'address_size', walk.level, iova, `${hex(iova)} is beyond the stage-2 input size`);
    const what = walk.why === 'range' ? 'is outside the translation table\'s input range' : walk.why === 'invalid' ? `has an invalid level-${walk.level} descriptor` : `has a reserved level-${walk.level} descriptor`;
    return this.fault(F_TRANSLATION, 'translation', walk.level, iova, `${hex(iova)} ${what}`);
  }

  /**
   * The checks run on every IOTLB miss, so the low attribute bits (AF, AP,
   * S2AP) are tested as one 32-bit number and the descriptor is rebuilt only
   * when the hardware changes it: a BigInt per bit test cost more than the
   * walk.
   */
  leaf(leaf: PtLeaf, iova: bigint, write: boolean): HwFault | LeafGrant {
    const lo = leaf.lo;
    let set = 0;
    if ((lo & AF) === 0) {
      if (!this.cfg.ha) return this.fault(F_ACCESS, 'access_flag', leaf.level, iova, `${hex(iova)}: the level-${leaf.level} leaf has AF clear`);
      set |= AF;
    }
    const dbm = this.cfg.hd && (leaf.descriptor & LPAE_DBM) !== 0n;
    let read: boolean;
    let writable: boolean;
    let clear = 0;
    if (this.stage === 1) {
      read = (lo & AP_UNPRIV) !== 0;
      const rdonly = (lo & AP_RDONLY) !== 0;
      writable = read && (!rdonly || dbm);
      if (write && writable && rdonly) clear = AP_RDONLY;
    } else {
      read = (lo & S2AP_READ) !== 0;
      writable = (lo & S2AP_WRITE) !== 0 || dbm;
      if (write && writable) set |= S2AP_WRITE & ~lo;
    }
    if (!(write ? writable : read)) return this.permission(iova, write, leaf.level);
    if (leaf.oa >= this.oaLimit) return this.fault(F_ADDR_SIZE, 'address_size', leaf.level, iova, `${hex(iova)}: output address ${hex(leaf.oa)} is beyond the ${this.cfg.oas}-bit output size`);
    const updated = set === 0 && clear === 0 ? leaf.descriptor : (leaf.descriptor | BigInt(set)) & ~BigInt(clear);
    return { read, write: writable, updated };
  }

  permission(iova: bigint, write: boolean, level: number): HwFault {
    const why = this.stage === 1 ? (write ? 'is read-only (AP[2])' : 'is not accessible unprivileged (AP[1] clear)') : `lacks S2AP ${write ? 'write' : 'read'}`;
    return this.fault(F_PERMISSION, 'permission', level, iova, `${hex(iova)}: the level-${level} leaf ${why}`);
  }

  isDirty(e: bigint): boolean {
    if ((e & LPAE_DBM) === 0n) return false;
    return this.stage === 1 ? (e & LPAE_AP_RDONLY) === 0n : (e & LPAE_S2AP_WRITE) !== 0n;
  }

  clean(e: bigint): bigint {
    return this.stage === 1 ? e | LPAE_AP_RDONLY : e & ~LPAE_S2AP_WRITE;
  }

  private fault(event: number, kind: HwFault['kind'], level: number, iova: bigint, detail: string): HwFault {
    const s2 = this.stage === 2 && event !== F_ADDR_SIZE;
    return { kind, level, detail, record: { event, class: CLASS_IN, s2, ipa: s2 ? iova : undefined } };
  }
}
