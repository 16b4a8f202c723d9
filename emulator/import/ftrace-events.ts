// The payloads of the events an importer understands (iommu-hardware §6.2
// and §6.3): the `iommu` system's map, unmap, io_page_fault and group/attach
// events in their current and pre-2021 formats (with the unmerged `dev=`
// variant), and the `dma` system's events, used only to tell which device a
// map belongs to.
export type IommuEvent =
  | { kind: 'map'; iova: bigint; paddr: bigint; size: bigint; device?: string }
  | { kind: 'unmap'; iova: bigint; size: bigint; unmapped: bigint; device?: string }
  | { kind: 'fault'; driver: string; device: string; iova: bigint; write: boolean }
  | { kind: 'group'; add: boolean; group: number; device: string }
  | { kind: 'attach'; attach: boolean; device: string }
  | { kind: 'dma'; device: string; dmaAddr: bigint };

const HEX = '0x([0-9a-fA-F]+)';
const DEV = '(?:dev=(\\S+)\\s+)?';
const MAP = new RegExp(`^IOMMU:\\s*${DEV}iova=${HEX}(?:\\s*-\\s*${HEX})?\\s+paddr=${HEX}\\s+size=(\\d+)$`);
const UNMAP = new RegExp(`^IOMMU:\\s*${DEV}iova=${HEX}(?:\\s*-\\s*${HEX})?\\s+size=(\\d+)\\s+unmapped_size=(\\d+)$`);
const FAULT = new RegExp(`^IOMMU:(\\S+)\\s+(\\S+)\\s+iova=${HEX}\\s+flags=${HEX}$`);
const GROUP = /^IOMMU: groupID=(\d+) device=(\S+)$/;
const ATTACH = /^IOMMU: device=(\S+)$/;
const DMA = /^(\S+)\s+(?:dir=\S+\s+)?dma_addr=([0-9a-fA-F]+)\s/;

const big = (h: string) => BigInt(`0x${h}`);

/**
 * Parses an event's payload: the event, undefined for an event this importer
 * does not model, or a string saying why an iommu event is malformed.
 */
export function parseEvent(event: string, payload: string): IommuEvent | string | undefined {
  switch (event) {
    case 'map': {
      const m = MAP.exec(payload);
      if (!m) return 'expected "IOMMU: iova=0x... - 0x... paddr=0x... size=N"';
      const size = BigInt(m[5]!);
      if (m[3] !== undefined && big(m[3]) !== big(m[2]!) + size) return `the end 0x${m[3]} is not iova + size`;
      return { kind: 'map', iova: big(m[2]!), paddr: big(m[4]!), size, device: m[1] };
    }
    case 'unmap': {
      const m = UNMAP.exec(payload);
      if (!m) return 'expected "IOMMU: iova=0x... - 0x... size=N unmapped_size=N"';
      return { kind: 'unmap', iova: big(m[2]!), size: BigInt(m[4]!), unmapped: BigInt(m[5]!), device: m[1] };
    }
    case 'io_page_fault': {
      const m = FAULT.exec(payload);
      if (!m) return 'expected "IOMMU:<driver> <device> iova=0x... flags=0x..."';
      return { kind: 'fault', driver: m[1]!, device: m[2]!, iova: big(m[3]!), write: (big(m[4]!) & 1n) !== 0n };
    }
    case 'add_device_to_group':
    case 'remove_device_from_group': {
      const m = GROUP.exec(payload);
      if (!m) return 'expected "IOMMU: groupID=N device=NAME"';
      return { kind: 'group', add: event.startsWith('add'), group: Number(m[1]), device: m[2]! };
    }
    case 'attach_device_to_domain':
    case 'detach_device_from_domain': {
      const m = ATTACH.exec(payload);
      if (!m) return 'expected "IOMMU: device=NAME"';
      return { kind: 'attach', attach: event.startsWith('attach'), device: m[1]! };
    }
    default: {
      if (!event.startsWith('dma_')) return undefined;
      const m = DMA.exec(`${payload} `);
      return m ? { kind: 'dma', device: m[1]!, dmaAddr: big(m[2]!) } : undefined;
    }
  }
}
