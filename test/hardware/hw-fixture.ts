// A machine with one real-hardware IOMMU and one device whose kernel driver
// is bound (so its group sits on the DMA-API default domain), plus direct
// access to that domain's page table for tests that plant descriptors the
// kernel would never write (a guest's, a corrupted one).
import assert from 'node:assert/strict';
import { HwPagingDomain } from '../../emulator/engine/drivers/hw-paging-domain.js';
import { createMachine, type Machine } from '../../emulator/engine/machine.js';
import type { DmaResult, FaultRecord, IommuOptions } from '../../emulator/engine/machine-api.js';

export interface HwFixture {
  m: Machine;
  /** Host physical address of a 4K page holding 0xcafef00d at offset 0. */
  page: bigint;
  dma: HwPagingDomain;
}

export function hwMachine(opts: IommuOptions, rid = 0x100): HwFixture {
  const m = createMachine();
  m.declareIommu('io0', opts);
  m.declareDevice('nic0', { iommu: 'io0', rid });
  const ram = m.declareMemory('ram', 0x4000n, {});
  m.cpuStore(ram, 4, 0xcafef00dn);
  m.cpuStore(ram + 0x1000n, 4, 0x5eed5eedn);
  m.driverProbe('nic0');
  const dma = m.host.device('nic0').group.domain;
  assert.ok(dma instanceof HwPagingDomain);
  return { m, page: m.pa(ram)!, dma };
}

export function read32(m: Machine, iova: bigint): DmaResult {
  return m.dma('nic0', { write: false, iova, width: 4 });
}

export function write32(m: Machine, iova: bigint, value = 1n): DmaResult {
  return m.dma('nic0', { write: true, iova, width: 4, value });
}

export function faultOf(r: DmaResult): FaultRecord {
  assert.equal(r.ok, false, 'the DMA should fault');
  return (r as { fault: FaultRecord }).fault;
}

/** Rewrites the descriptor at `level` of `iova`'s walk in the domain's table. */
export function poke(f: HwFixture, iova: bigint, level: number, update: (e: bigint) => bigint): void {
  const step = f.dma.table.walk(iova, 1).steps.find((s) => s.level === level);
  assert.ok(step, `the walk of 0x${iova.toString(16)} reaches level ${level}`);
  f.m.host.phys.store(step.table + BigInt(step.index) * 8n, 8, update(step.descriptor));
}
