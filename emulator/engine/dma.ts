// A device's DMA as the IOMMU sees it (iommufd-reference §4.4): the domain
// that applies (the group's RID domain — default, blocking or attached — or
// the domain at the PASID), a walk of its page table, and host memory or a
// fault. The last fault is remembered per device, completed with the
// model's own record (SMMUv3 event, VT-d fault record); so is the last DMA
// that an IOTLB answered with a stale translation.
import type { Device } from './core/device.js';
import type { IommuDomain, WalkOutcome } from './core/iommu-domain.js';
import type { DmaRequest, DmaResult, FaultRecord, StaleHit } from './machine-api.js';
import type { PhysMem } from './memory/physmem.js';
import { routeDmaFault } from './iommufd/iopf.js';

/**
 * Translations are contiguous within 2 KiB (the smallest granule of every
 * model), so a burst is walked once per 2 KiB chunk.
 */
const CHUNK = 2048n;

/** The domain a DMA from `dev` (tagged with `pasid`) goes through, or why there is none. */
export function dmaDomain(dev: Device, pasid: number | undefined): { domain: IommuDomain } | { fault: WalkOutcome & { ok: false } } {
  const group = dev.group;
  if (pasid === undefined) return { domain: group.domain };
  const max = dev.maxPasids;
  if (max === 0) return { fault: { ok: false, kind: 'pasid', steps: [], detail: `device ${dev.name} cannot issue PASID-tagged DMA` } };
  if (pasid >= max) return { fault: { ok: false, kind: 'pasid', steps: [], detail: `PASID ${pasid} is beyond device ${dev.name}'s ${max} PASIDs` } };
  const domain = group.pasids.get(pasid) ?? (group.domain.translateSubstream ? group.domain : undefined);
  if (!domain) return { fault: { ok: false, kind: 'blocked', steps: [], detail: `nothing is attached at PASID ${pasid} of device ${dev.name}` } };
  return { domain };
}

/** One translation of `iova` for `dev`; `update` gives the walk its hardware side effects. */
export function translateFor(dev: Device, iova: bigint, write: boolean, pasid: number | undefined, update: boolean): WalkOutcome {
  // Untagged DMA (nearly all of it) goes through the group's domain: no PASID checks to make.
  if (pasid === undefined) return dev.group.domain.translate(iova, write, update);
  const d = dmaDomain(dev, pasid);
  if ('fault' in d) return d.fault;
  const { domain } = d;
  return domain.translateSubstream ? domain.translateSubstream(pasid, iova, write, update) : domain.translate(iova, write, update);
}

function faultRecord(dev: Device, out: WalkOutcome & { ok: false }, iova: bigint, write: boolean, pasid: number | undefined): FaultRecord {
  const f: FaultRecord = { kind: out.kind, addr: iova, pasid, write, stage: out.stage, level: out.level, detail: out.detail, ...out.record };
  return dev.iommu.driver.describeFault?.(f, dev) ?? f;
}

/**
 * Side-effect-free translation for queries: the address an access with any
 * permission reaches (a write-only mapping still translates).
 */
export function probeTranslation(dev: Device, iova: bigint, pasid?: number): { pa: bigint } | { fault: FaultRecord } {
  let out = translateFor(dev, iova, false, pasid, false);
  if (!out.ok && out.kind === 'permission') out = translateFor(dev, iova, true, pasid, false);
  return out.ok ? { pa: out.pa } : { fault: faultRecord(dev, out, iova, false, pasid) };
}

/** Performs the DMA: every byte reaches host memory, or the first faulting chunk stops it. */
export function performDma(phys: PhysMem, dev: Device, req: DmaRequest): DmaResult {
  const length = req.len ?? req.width ?? 4;
  // A single access within one chunk (every aligned one) is one translation
  // and host memory's own load or store: the burst path's pieces, byte
  // staging and byte-at-a-time value cost more than the translation.
  if (req.len === undefined && offsetInChunk(req.iova) + length <= CHUNK_BYTES) return singleAccess(phys, dev, req, length as 1 | 2 | 4 | 8);
  const pieces: { pa: bigint; n: number; off: number }[] = [];
  let stale: StaleHit | undefined;
  for (let off = 0; off < length; ) {
    const iova = req.iova + BigInt(off);
    const n = Math.min(length - off, Number(CHUNK - (iova % CHUNK)));
    const out = translateFor(dev, iova, req.write, req.pasid, true);
    if (!out.ok) return faulted(dev, out, iova, req);
    // Hardware uses a stale IOTLB entry as it is; the engine only records that it did.
    if (out.stale && !stale) dev.lastStaleHit = stale = out.stale;
    pieces.push({ pa: out.pa, n, off });
    off += n;
  }
  const first = pieces[0]?.pa ?? 0n;
  const seen = stale ? { stale } : {};
  if (req.write) {
    const bytes = new Uint8Array(length);
    if (req.len === undefined) {
      let v = BigInt.asUintN(length * 8, req.value ?? 0n);
      for (let i = 0; i < length; i++, v >>= 8n) bytes[i] = Number(v & 0xffn);
    } else bytes.fill(req.fill ?? 0);
    for (const p of pieces) phys.write(p.pa, bytes.subarray(p.off, p.off + p.n));
    return { ok: true, pa: first, ...seen };
  }
  const data = new Uint8Array(length);
  for (const p of pieces) data.set(phys.read(p.pa, p.n), p.off);
  if (req.len !== undefined) return { ok: true, pa: first, data, ...seen };
  let value = 0n;
  for (let i = length - 1; i >= 0; i--) value = (value << 8n) | BigInt(data[i]!);
  return { ok: true, pa: first, value, ...seen };
}

const CHUNK_BYTES = Number(CHUNK);

/** `iova % CHUNK`; below 2^53 (every DMA-API address) as plain number arithmetic. */
function offsetInChunk(iova: bigint): number {
  const n = Number(iova);
  return n < 2 ** 53 ? n % CHUNK_BYTES : Number(iova % CHUNK);
}

/** One load or store that one translation covers. */
function singleAccess(phys: PhysMem, dev: Device, req: DmaRequest, width: 1 | 2 | 4 | 8): DmaResult {
  const out = translateFor(dev, req.iova, req.write, req.pasid, true);
  if (!out.ok) return faulted(dev, out, req.iova, req);
  const pa = out.pa;
  const stale = out.stale;
  if (stale) dev.lastStaleHit = stale;
  if (req.write) {
    phys.store(pa, width, req.value ?? 0n);
    return stale ? { ok: true, pa, stale } : { ok: true, pa };
  }
  const value = phys.load(pa, width);
  return stale ? { ok: true, pa, value, stale } : { ok: true, pa, value };
}

/** A DMA stopped at `iova`: the fault is the device's last, and goes where the domain routes faults. */
function faulted(dev: Device, out: WalkOutcome & { ok: false }, iova: bigint, req: DmaRequest): DmaResult {
  const fault = faultRecord(dev, out, iova, req.write, req.pasid);
  dev.lastFault = fault;
  routeDmaFault(dev, fault);
  return { ok: false, fault };
}
