// The deterministic benchmark workload: a VM whose guest drives a few NICs
// through a vIOMMU with dma-iommu, so every guest DMA-API map/unmap becomes
// an IOMMU_IOAS_MAP / IOMMU_IOAS_UNMAP from the VMM (as QEMU shadows it).
// Each NIC has an rx ring: the guest keeps RING buffers mapped, the NIC
// writes a packet into the oldest, the guest unmaps it and maps a fresh
// buffer at the next IOVA. That is the map/unmap churn a real rx path makes.
// The same options always give the same text (no clocks, no randomness).

export interface WorkloadOptions {
  /** Statements in the trace (exactly, comments and blank lines excluded). */
  statements: number;
  /** NICs in the VM (default 4). */
  devices?: number;
  /** rx descriptors per NIC, each holding one mapped buffer (default 256). */
  ring?: number;
}

/** One statement of the workload as its parts, for the JSON baseline of target 1. */
export type StatementParts = readonly (string | number)[];

const PAGE = 0x1000;
/** IOVAs start here (inside every model's aperture, clear of reserved windows). */
const IOVA_BASE = 0x1000_0000;
/** Guest RAM per NIC: the buffers cycle through it. */
const RAM_PER_DEVICE = 4 * 1024 * 1024;

const hex = (n: number): string => `0x${n.toString(16)}`;

/**
 * Yields the workload one statement at a time (as parts: the first is the
 * command, the rest its arguments written as they appear in the text), so a
 * 1e6-statement trace is never built twice in memory.
 */
export function* workloadStatements(opts: WorkloadOptions): Generator<StatementParts> {
  const devices = opts.devices ?? 4;
  const ring = opts.ring ?? 256;
  const buffers = RAM_PER_DEVICE / PAGE;
  const slotsPerDevice = 16 * ring;
  let left = opts.statements;
  // Every statement goes through here, so the count is exact even when it ends mid-setup.
  const emit = function* (parts: StatementParts): Generator<StatementParts> {
    if (left <= 0) return;
    left--;
    yield parts;
  };
  yield* emit(['iommu', 'iommu0', 'model=smmuv3']);
  yield* emit(['memory', 'ram', `${(devices * RAM_PER_DEVICE) / (1024 * 1024)}M`]);
  yield* emit(['ioas', '=', 'ioas_alloc']);
  for (let d = 0; d < devices; d++) {
    yield* emit(['device', `nic${d}`]);
    yield* emit([`dev${d}`, '=', 'bind', `nic${d}`]);
    yield* emit(['attach', `dev${d}`, 'ioas']);
  }
  // The IOVA and the guest buffer of the n-th buffer a device ever maps.
  const iovaOf = (d: number, n: number): number => IOVA_BASE + (d * slotsPerDevice + (n % slotsPerDevice)) * PAGE;
  const bufOf = (d: number, n: number): number => d * RAM_PER_DEVICE + (n % buffers) * PAGE;
  const map = (d: number, n: number): StatementParts => ['ioas_map', 'ioas', `(ram + ${hex(bufOf(d, n))})`, '4K', `iova=${hex(iovaOf(d, n))}`];
  for (let d = 0; d < devices; d++) for (let n = 0; n < ring; n++) yield* emit(map(d, n));
  // Steady state: per device in turn, the NIC fills the oldest buffer, the
  // guest reads the header back through the IOMMU, unmaps it and refills.
  const posted = new Array<number>(devices).fill(ring);
  const filled = new Array<number>(devices).fill(0);
  for (let step = 0; left > 0; step++) {
    const d = step % devices;
    const n = filled[d]++;
    const iova = hex(iovaOf(d, n));
    const value = hex((Math.imul(n, 0x9e3779b1) | 1) >>> 0);
    yield* emit(['dma', `nic${d}`, 'write', iova, 'u32', value]);
    if (n % 8 === 0) yield* emit(['dma', `nic${d}`, 'read', iova, 'u32', '=>', value]);
    yield* emit(['ioas_unmap', 'ioas', iova, '4K']);
    yield* emit(map(d, posted[d]++));
  }
}

/** Comment lines above the first statement (the debugger benchmark's never-hit breakpoints go there). */
const HEADER = [
  '# iotrace benchmark workload (bench/workload.ts): a VM with a few NICs',
  '# behind an emulated SMMUv3, driven through a vIOMMU with dma-iommu.',
  '# Every guest map/unmap of an rx buffer is an IOMMU_IOAS_MAP/UNMAP;',
  '# the NIC writes each buffer by DMA before the guest unmaps it.',
  '#',
  '# Generated deterministically: the same options give the same text.',
  '# Do not edit: regenerate with the options you need.',
  '#',
  '# Per steady-state step: dma write, (every 8th: dma read back),',
  '# ioas_unmap of the filled buffer, ioas_map of a fresh one.',
];
export const HEADER_LINES = HEADER.length;

/** The workload as .iotrace text, one statement per line after a header comment. */
export function workloadText(opts: WorkloadOptions): string {
  const lines: string[] = [...HEADER];
  for (const parts of workloadStatements(opts)) lines.push(parts.join(' '));
  lines.push('');
  return lines.join('\n');
}

/** The same statements as a JSON array of arrays (target 1's baseline input). */
export function workloadJson(opts: WorkloadOptions): string {
  const rows: string[] = [];
  for (const parts of workloadStatements(opts)) rows.push(JSON.stringify(parts));
  return `[${rows.join(',\n')}]`;
}
