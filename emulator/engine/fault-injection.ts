// The machine's fault-injection hook, after the kernel's fail_nth (issue 9
// §2, tools/testing/selftests/iommu/iommufd_fail_nth.c): armed with n, the
// nth allocation from then on fails with ENOMEM, once, and the hook disarms
// itself. Every place where the kernel allocates on an ioctl's path (a
// kzalloc, an xa_alloc, pin_user_pages, an io-pgtable table page, a
// domain_alloc op) calls `check` with its name, so a test can fail each of
// them in turn and check that the ioctl unwinds cleanly.
//
// Off by default; when off, `check` is one compare, because these points sit
// on the engine's hot paths (page-table fills, pinning).
import { fail } from './errno.js';

/** The allocation points, named as the injected error's reason shows them. */
export type AllocationPoint =
  /** kzalloc of an iommufd object and the xa_alloc of its id (iommufd_object_alloc). */
  | 'object allocation'
  /** iommufd_get_group: the per-fd record of an iommu_group, on a device's first bind. */
  | 'iommufd group allocation'
  /** iopt_alloc_user_pages / iopt_alloc_file_pages: struct iopt_pages. */
  | 'iopt pages allocation'
  /** iopt_get_pages: the list of page-set slices IOAS_COPY maps. */
  | 'iopt pages list allocation'
  /** iopt_alloc_area: struct iopt_area. */
  | 'iopt area allocation'
  /** pin_user_pages / the memfd's folios: pinning a page set's pages. */
  | 'pin user pages'
  /** iopt_pages_add_access: struct iopt_pages_access of an access pin. */
  | 'access pin record'
  /** iopt_reserve_iova: the interval node of a reserved range. */
  | 'reserved range allocation'
  /** iopt_set_allow_iova: the interval node of an allowed range. */
  | 'allowed range allocation'
  /** domain_alloc_paging_flags / domain_alloc_nested / domain_alloc_sva. */
  | 'domain allocation'
  /** An io-pgtable table page (also the root a new domain starts with). */
  | 'page table page'
  /** iommufd_hwpt_attach_device / _replace_device: struct iommufd_attach_handle. */
  | 'attach handle allocation'
  /** get_unused_fd_flags + anon_inode_getfile of a fault or vEVENT queue fd. */
  | 'event fd allocation'
  /** xa_cmpxchg of a vDEVICE's virt_id into viommu->vdevs. */
  | 'vdevice id allocation'
  /** iova_bitmap_alloc of IOMMU_HWPT_GET_DIRTY_BITMAP. */
  | 'dirty bitmap allocation'
  /** iommu_sva_bind_device: struct iommu_sva (the bond). */
  | 'sva handle allocation';

export class FaultInjector {
  /** Allocations left until the one that fails; 0 when disarmed. */
  private countdown = 0;
  /** Points passed since arming (the failing one included). */
  private passed = 0;
  /** The point that failed, once one did. */
  private failedAt: AllocationPoint | undefined = undefined;

  /** Arms the hook: the `n`th allocation from now (n ≥ 1) fails, once. */
  failNth(n: number): void {
    if (!Number.isInteger(n) || n < 1) throw new Error(`fail_nth needs a whole number ≥ 1, not ${n}`);
    this.countdown = n;
    this.passed = 0;
    this.failedAt = undefined;
  }

  /**
   * Disarms the hook and says what happened since it was armed: how many
   * allocation points ran, and which one failed (undefined: n was never reached).
   */
  disarm(): { passed: number; failedAt: AllocationPoint | undefined } {
    const report = { passed: this.passed, failedAt: this.failedAt };
    this.countdown = 0;
    this.passed = 0;
    this.failedAt = undefined;
    return report;
  }

  /** An allocation at `point`: throws ENOMEM if it is the armed one. */
  check(point: AllocationPoint): void {
    if (this.countdown !== 0) this.count(point);
  }

  private count(point: AllocationPoint): void {
    this.passed++;
    if (--this.countdown !== 0) return;
    this.failedAt = point;
    fail('ENOMEM', `injected ENOMEM at ${point} (fail_nth=${this.passed})`);
  }
}
