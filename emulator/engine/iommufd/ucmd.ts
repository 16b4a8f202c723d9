// One ioctl call as its handler sees it (struct iommufd_ucmd): the kernel's
// copy of the user struct, and the way to copy it back.
import { StructView } from '../uapi/layout.js';

export class Ucmd {
  /** Set once the handler has copied the struct back to the caller. */
  responded = false;
  constructor(
    /** The kernel-sized copy of the user's struct (missing tail zero-filled). */
    readonly cmd: StructView,
    /** The size the caller passed. */
    public userSize: number,
  ) {}

  /**
   * Starts a call with this kernel copy (dispatch.ts reuses one per ioctl
   * number: nothing keeps a Ucmd past its handler).
   */
  begin(userSize: number): void {
    this.userSize = userSize;
    this.responded = false;
  }

  /**
   * iommufd_ucmd_respond: the whole kernel struct is rewritten to the user,
   * min(user size, kernel size) bytes; the framework applies it.
   */
  respond(): void {
    this.responded = true;
  }
}
