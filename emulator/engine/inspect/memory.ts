// Reading (and, for the debugger's memory view, writing) one of the
// machine's address spaces without side effects: host physical memory, a
// process's virtual memory (untouched pages read as the zeros they will
// hold; nothing is faulted in), or a paging domain's IOVA space through its
// page table. Unmapped holes come back as unreadable runs.
import { isPagingDomain } from '../core/iommu-domain.js';
import { Hwpt } from '../iommufd/hwpt.js';
import type { Machine } from '../machine.js';
import { openIommufds } from './files.js';

export type AddressSpace =
  | { kind: 'phys' }
  | { kind: 'process'; name: string }
  | { kind: 'iova'; fd: string; hwpt: number };

/** A run of bytes, or of `length` unreadable bytes. */
export type MemoryChunk = { addr: bigint; bytes: Uint8Array } | { addr: bigint; unreadable: number };

const PAGE = 0x1000n;

/** Where each page of the space lives in host physical memory: a pa, 'zero' (mapped, never touched), or undefined. */
type PageResolver = (addr: bigint) => bigint | 'zero' | undefined;

function resolver(machine: Machine, space: AddressSpace): PageResolver {
  switch (space.kind) {
    case 'phys':
      return (addr) => addr;
    case 'process': {
      const proc = machine.host.process(space.name);
      return (va) => (proc.regionAt(va) ? proc.translate(va, false) ?? 'zero' : undefined);
    }
    case 'iova': {
      const file = openIommufds(machine).find((f) => f.name === space.fd)?.file;
      if (!file) throw new Error(`no open iommufd named ${space.fd}`);
      const hwpt = file.objects.find(space.hwpt);
      if (!(hwpt instanceof Hwpt) || !isPagingDomain(hwpt.domain)) throw new Error(`object ${space.hwpt} is not a paging HWPT`);
      const domain = hwpt.domain;
      return (iova) => domain.iovaToPhys(iova);
    }
  }
}

export function readSpace(machine: Machine, space: AddressSpace, addr: bigint, length: number): MemoryChunk[] {
  const resolve = resolver(machine, space);
  const chunks: MemoryChunk[] = [];
  let done = 0;
  while (done < length) {
    const a = addr + BigInt(done);
    const n = Math.min(length - done, Number(PAGE - (a % PAGE)));
    const pa = resolve(a);
    const bytes = pa === undefined ? undefined : pa === 'zero' ? new Uint8Array(n) : machine.host.phys.read(pa, n);
    const prev = chunks.at(-1);
    if (bytes && prev && 'bytes' in prev) {
      const merged = new Uint8Array(prev.bytes.length + n);
      merged.set(prev.bytes);
      merged.set(bytes, prev.bytes.length);
      prev.bytes = merged;
    } else if (!bytes && prev && 'unreadable' in prev) prev.unreadable += n;
    else chunks.push(bytes ? { addr: a, bytes } : { addr: a, unreadable: n });
    done += n;
  }
  return chunks;
}

/** Writes bytes into the space; returns how many were written (stops at the first unmapped page). */
export function writeSpace(machine: Machine, space: AddressSpace, addr: bigint, data: Uint8Array): number {
  const resolve = resolver(machine, space);
  const proc = space.kind === 'process' ? machine.host.process(space.name) : undefined;
  let done = 0;
  while (done < data.length) {
    const a = addr + BigInt(done);
    const n = Math.min(data.length - done, Number(PAGE - (a % PAGE)));
    let pa = resolve(a);
    // A write touches the page, as a CPU store would.
    if (pa === 'zero') pa = proc!.translate(a, true);
    if (pa === undefined) break;
    machine.host.phys.write(pa, data.subarray(done, done + n));
    done += n;
  }
  return done;
}
