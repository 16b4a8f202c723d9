// Who holds pins on host pages (the page refcount that FOLL_PIN raises). The
// kernel pins a user page once per IO page set (struct iopt_pages) that needs
// it, however many domains, copies or access records use it; the ledger asks
// every holder, so `pinned()` answers without a per-page table.

/** Something that keeps host pages pinned (an IO page set). */
export interface PinHolder {
  /** True if this holder pins the 4 KiB host frame `pfn`. */
  pinsFrame(pfn: bigint): boolean;
  /** The holder's place in the ledger while it is in it, else -1; the ledger keeps it. */
  ledgerSlot: number;
}

export class PinLedger {
  /**
   * Every holder, each at its `ledgerSlot`. Every MAP and UNMAP adds or
   * removes one, so this is an array with swap-removal rather than a Set,
   * whose hashing and rehashing under that churn cost more. Only sums are
   * visible, so the order never matters.
   */
  private readonly holders: PinHolder[] = [];

  /** Called by a holder when it starts pinning anything. */
  add(holder: PinHolder): void {
    if (holder.ledgerSlot >= 0) return;
    holder.ledgerSlot = this.holders.length;
    this.holders.push(holder);
  }

  /** Called by a holder once it pins nothing. */
  remove(holder: PinHolder): void {
    const slot = holder.ledgerSlot;
    if (slot < 0) return;
    const last = this.holders.pop()!;
    if (last !== holder) {
      this.holders[slot] = last;
      last.ledgerSlot = slot;
    }
    holder.ledgerSlot = -1;
  }

  /** How many holders there are: zero once every IO page set is gone (the leak checks ask). */
  get holderCount(): number {
    return this.holders.length;
  }

  /** How many holders pin the 4 KiB host frame `pfn`. */
  count(pfn: bigint): number {
    let n = 0;
    for (const h of this.holders) if (h.pinsFrame(pfn)) n++;
    return n;
  }
}
