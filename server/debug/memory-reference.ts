// DAP memory references for the machine's address spaces, as text a client
// passes back verbatim: `phys@0x1000`, `process:vmm@0x40000000`,
// `iova:iommufd:3@0x0` (a paging HWPT's IOVA space).
import type { AddressSpace } from '../../emulator/engine/inspect/memory.js';

export function formatMemoryReference(space: AddressSpace, addr: bigint): string {
  const hex = `0x${addr.toString(16)}`;
  switch (space.kind) {
    case 'phys':
      return `phys@${hex}`;
    case 'process':
      return `process:${space.name}@${hex}`;
    case 'iova':
      return `iova:${space.fd}:${space.hwpt}@${hex}`;
  }
}

export function parseMemoryReference(ref: string): { space: AddressSpace; addr: bigint } {
  const m = /^([^@]+)@(0x[0-9a-f]+|\d+)$/i.exec(ref.trim());
  if (!m) throw new Error(`"${ref}" is not a memory reference (phys@ADDR, process:NAME@ADDR or iova:FD:HWPT@ADDR)`);
  const parts = m[1]!.split(':');
  const addr = BigInt(m[2]!);
  if (parts[0] === 'phys' && parts.length === 1) return { space: { kind: 'phys' }, addr };
  if (parts[0] === 'process' && parts.length === 2) return { space: { kind: 'process', name: parts[1]! }, addr };
  if (parts[0] === 'iova' && parts.length === 3) return { space: { kind: 'iova', fd: parts[1]!, hwpt: Number(parts[2]) }, addr };
  throw new Error(`unknown address space "${m[1]}" (phys, process:NAME or iova:FD:HWPT)`);
}
