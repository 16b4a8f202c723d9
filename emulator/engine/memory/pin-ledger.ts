// Who holds pins on host pages (the page refcount that FOLL_PIN raises). The
// kernel pins a user page once per IO page set (struct iopt_pages) that needs
// it, however many domains, copies or access records use it; the ledger asks
// every holder, so `pinned()` answers without a per-page table.

/** Something that keeps host pages pinned (an IO page set). */
export interface PinHolder {
  /** True if this holder pins the 4 KiB host frame `pfn`. */
  pinsFrame(pfn: bigint): boolean;
}

export class PinLedger {
  // Insertion-ordered; only sums are visible, so order never matters.
  private readonly holders = new Set<PinHolder>();

  /** Called by a holder when it starts pinning anything. */
  add(holder: PinHolder): void {
    this.holders.add(holder);
  }

  /** Called by a holder once it pins nothing. */
  remove(holder: PinHolder): void {
    this.holders.delete(holder);
  }

  /** How many holders pin the 4 KiB host frame `pfn`. */
  count(pfn: bigint): number {
    let n = 0;
    for (const h of this.holders) if (h.pinsFrame(pfn)) n++;
    return n;
  }
}
