// The arm_smmuv3 vIOMMU (arm-smmu-v3-iommufd.c): a VM's SMMUv3 on a stage-2
// nest parent. It allocates nested domains from the guest's vSTE, runs the
// guest's invalidation commands (TLBIs forced onto the parent's VMID, vSIDs
// translated through the vDEVICEs) and turns stage-1 events of its devices
// into vEVENTs carrying the vSID.
import type { Device } from '../../core/device.js';
import type { IommuDomain } from '../../core/iommu-domain.js';
import type { UserData, UserDataArray } from '../../core/iommu-driver.js';
import { copyStructFromUser } from '../../core/user-data.js';
import type { NestedFault, ViommuCore, ViommuOps } from '../../core/viommu-ops.js';
import { KernelError, fail } from '../../errno.js';
import { childTag } from '../../iotlb.js';
import { HWPT_DATA_TYPES, HWPT_INVALIDATE_DATA_TYPES, VEVENTQ_TYPES } from '../../uapi/iommufd.js';
import type { HwPagingDomain } from '../hw-paging-domain.js';
import { decodeGuestCommand, type GuestCommand } from './smmuv3-commands.js';
import { ArmNestedDomain, type NestedSmmu } from './smmuv3-nested-domain.js';
import { HWPT_ARM_SMMUV3, validateVste } from './smmuv3-ste.js';

/** struct iommu_viommu_arm_smmuv3_invalidate { __aligned_le64 cmd[2]; } */
const CMD_BYTES = 16;
/** CMDQ_BATCH_ENTRIES (BITS_PER_LONG): converted commands are issued in batches of 63. */
const CMDQ_BATCH = 64;
/** The event ids arm_smmu_handle_event forwards to a vIOMMU (anything without S2). */
const FORWARDED_EVENTS = new Set([0x04, 0x06, 0x08, 0x0a, 0x10, 0x11, 0x12, 0x13]);
const SID_MASK = 0xffff_ffffn << 32n;

export class ArmVsmmu implements ViommuOps {
  constructor(
    private readonly smmu: NestedSmmu,
    readonly core: ViommuCore,
    readonly parent: HwPagingDomain,
  ) {}

  /** arm_vsmmu_alloc_domain_nested: no flags; the vSTE validated as arm_smmu_validate_vste does. */
  allocDomainNested(_dev: Device, flags: bigint, data: UserData): IommuDomain {
    if (flags !== 0n) fail('EOPNOTSUPP', `arm_smmuv3 nested domains take no flags (0x${flags.toString(16)})`);
    const arg = copyStructFromUser(data, HWPT_DATA_TYPES.arm_smmuv3, HWPT_ARM_SMMUV3, 'ste1');
    return new ArmNestedDomain(this.smmu, this, this.parent, validateVste(arg.get('ste0'), arg.get('ste1')));
  }

  /**
   * arm_vsmmu_cache_invalidate: the whole array is copied first, then each
   * command converted and issued in batches. A command that cannot be
   * converted (EIO) ends the call, and the converted commands of its batch
   * are never issued — yet entry_num counts them, as the kernel's does.
   */
  cacheInvalidate(array: UserDataArray): { done: number; error?: KernelError } {
    const cmds = copyFullArray(array);
    let issued = 0;
    const batch: GuestCommand[] = [];
    try {
      for (let i = 0; i < cmds.length; i++) {
        batch.push(this.convert(i, cmds[i]![0], cmds[i]![1]));
        if (i + 1 === cmds.length || batch.length === CMDQ_BATCH - 1) {
          for (const c of batch.splice(0)) this.issue(c);
          issued = i + 1;
        }
      }
    } catch (e) {
      if (e instanceof KernelError) return { done: issued + batch.length, error: e };
      throw e;
    }
    return { done: cmds.length };
  }

  /** arm_vmaster_report_event: a stage-1 event of a device with a vDEVICE, its SID replaced by the vSID. */
  stage1Event(fault: NestedFault): { type: bigint; data: Uint8Array } | undefined {
    const raw = fault.record?.raw;
    if (!raw || fault.record?.s2 || !FORWARDED_EVENTS.has(Number(raw[0]! & 0xffn))) return undefined;
    const vsid = this.core.vdevIdOf(fault.dev);
    if (vsid === undefined) return undefined;
    const evt = [(raw[0]! & ~SID_MASK) | ((vsid & 0xffff_ffffn) << 32n), ...raw.slice(1)];
    const data = new Uint8Array(32);
    const view = new DataView(data.buffer);
    evt.forEach((w, i) => view.setBigUint64(i * 8, w, true));
    return { type: VEVENTQ_TYPES.arm_smmuv3, data };
  }

  /** arm_vsmmu_convert_user_cmd: EIO for an opcode outside the list or a vSID without a vDEVICE. */
  private convert(index: number, cmd0: bigint, cmd1: bigint): GuestCommand {
    const cmd = decodeGuestCommand(cmd0, cmd1);
    if (!cmd) fail('EIO', `entry ${index}: opcode 0x${(cmd0 & 0xffn).toString(16)} is not a command a guest may issue`);
    if ('vsid' in cmd && !this.core.deviceOf(cmd.vsid)) fail('EIO', `entry ${index}: no vDEVICE of vIOMMU ${this.core.id} has vSID 0x${cmd.vsid.toString(16)}`);
    return cmd;
  }

  private issue(cmd: GuestCommand): void {
    const { iotlb } = this.smmu;
    const vmid = this.parent.tag;
    switch (cmd.op) {
      case 'nh_all':
        return iotlb.invalidateChildren(vmid);
      case 'nh_asid':
        return iotlb.invalidateTag(childTag(vmid, `ASID ${cmd.asid}`));
      case 'nh_va':
        if (cmd.asid === undefined) return iotlb.invalidateChildren(vmid, { iova: cmd.va, size: cmd.size });
        iotlb.invalidateRange(childTag(vmid, `ASID ${cmd.asid}`), cmd.va, cmd.size);
        return;
      case 'cfgi_cd':
      case 'cfgi_cd_all': {
        const domain = this.core.deviceOf(cmd.vsid)?.group.domain;
        if (!(domain instanceof ArmNestedDomain) || domain.vsmmu !== this) return;
        if (cmd.op === 'cfgi_cd') domain.forgetCd(cmd.ssid);
        else domain.forgetCds();
        return;
      }
      case 'atc_inv':
        // Devices have no ATC in the emulator: nothing is cached to drop.
        return;
    }
  }
}

/**
 * iommu_copy_struct_from_full_user_array: the type must match; each entry is
 * zero-extended from entry_len bytes, and bytes past the 16 the kernel knows
 * must be zero (E2BIG).
 */
function copyFullArray(array: UserDataArray): [bigint, bigint][] {
  const type = HWPT_INVALIDATE_DATA_TYPES.arm_smmuv3;
  if (array.type !== type) fail('EINVAL', `data_type 0x${array.type.toString(16)} is not arm_smmuv3 (0x${type.toString(16)})`);
  return Array.from({ length: array.entryNum }, (_, i) => {
    const bytes = array.process.read(array.uptr + BigInt(array.entryLen * i), array.entryLen);
    if (bytes.subarray(CMD_BYTES).some((b) => b !== 0)) fail('E2BIG', `entry ${i}: bytes past the ${CMD_BYTES}-byte command are not zero`);
    const cmd = new Uint8Array(CMD_BYTES);
    cmd.set(bytes.subarray(0, CMD_BYTES));
    const view = new DataView(cmd.buffer);
    return [view.getBigUint64(0, true), view.getBigUint64(8, true)];
  });
}
