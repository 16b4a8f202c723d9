// `iotrace import`: turns a text ftrace log with iommu events into an
// .iotrace file that replays them (iommu-hardware §6):
//   add_device_to_group      a `device` line (its group and PCI requester id)
//   attach_device_to_domain  `driver DEV probe`: a kernel driver on the DMA domain
//   map / unmap              `kernel_map` / `kernel_unmap` (expecting unmapped_size)
//   io_page_fault            the device's `dma` at that IOVA, expected to fault
// map/unmap name no device: they are given to the device of a `dma_*` event
// with the same DMA address, else to the only device, else the first one
// seen. Every statement is preceded by a comment pointing at its source
// line; lines the importer does not model are kept as comments; iommu event
// lines that do not parse are reported with their line numbers (and kept as
// comments). A line that ends an event cut short by a mail client's wrapping
// is joined back onto it.
import { parseEvent, type IommuEvent } from './ftrace-events.js';
import { parseFtraceLine, type FtraceRecord } from './ftrace-line.js';

export interface ImportOptions {
  /** The IOMMU model the trace declares (default smmuv3). */
  model?: 'smmuv3' | 'vtd';
  /** How the source is named in comments and reports. */
  source?: string;
}

export interface ImportProblem {
  line: number;
  message: string;
}

export interface ImportResult {
  text: string;
  problems: ImportProblem[];
}

interface Parsed {
  rec: FtraceRecord;
  event: IommuEvent;
}

/** An .iotrace name for a kernel device name ("0000:c2:00.0" → "dev_0000_c2_00_0"). */
export function deviceName(kernelName: string): string {
  return `dev_${kernelName.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

/** The PCI requester id of a "dddd:bb:dd.f" name, if it is one. */
function requesterId(kernelName: string): number | undefined {
  const m = /^(?:[0-9a-fA-F]{4}:)?([0-9a-fA-F]{2}):([0-9a-fA-F]{2})\.([0-7])$/.exec(kernelName);
  return m ? (parseInt(m[1]!, 16) << 8) | (parseInt(m[2]!, 16) << 3) | Number(m[3]) : undefined;
}

const hex = (v: bigint) => `0x${v.toString(16)}`;

export function importFtrace(input: string, opts: ImportOptions = {}): ImportResult {
  const source = opts.source ?? 'ftrace';
  const lines = input.split(/\r?\n/);
  const problems: ImportProblem[] = [];
  const items: ({ parsed: Parsed } | { comment: string; line: number })[] = [];

  for (let i = 0; i < lines.length; i++) {
    const text = lines[i]!;
    if (text.trim() === '') continue;
    let rec = parseFtraceLine(text, i + 1);
    if (!rec) {
      items.push({ comment: text, line: i + 1 });
      continue;
    }
    let ev = parseEvent(rec.event, rec.payload);
    // A wrapped line: join the next one when that makes a malformed iommu event parse.
    if (typeof ev === 'string' && i + 1 < lines.length && !parseFtraceLine(lines[i + 1]!, i + 2)) {
      const joined = parseFtraceLine(`${text} ${lines[i + 1]!.trim()}`, i + 1);
      const again = joined && parseEvent(joined.event, joined.payload);
      if (joined && again && typeof again !== 'string') {
        rec = joined;
        ev = again;
        i++;
      }
    }
    if (typeof ev === 'string') {
      problems.push({ line: rec.line, message: `malformed ${rec.event} event: ${ev}` });
      items.push({ comment: `MALFORMED (${ev}): ${text.trim()}`, line: rec.line });
    } else if (ev) items.push({ parsed: { rec, event: ev } });
    else items.push({ comment: text, line: rec.line });
  }

  const parsed = items.flatMap((it) => ('parsed' in it ? [it.parsed] : []));
  const devices = collectDevices(parsed);
  const byDmaAddr = new Map<bigint, string>();
  for (const p of parsed) if (p.event.kind === 'dma' && !byDmaAddr.has(p.event.dmaAddr)) byDmaAddr.set(p.event.dmaAddr, p.event.device);
  const owner = (iova: bigint, named: string | undefined): string | undefined => named ?? byDmaAddr.get(iova) ?? devices.keys().next().value;

  const out: string[] = [
    `# Imported by \`iotrace import\` from ${source}.`,
    '# Each statement follows a comment with the ftrace line it replays;',
    '# lines the importer does not model are kept as comments.',
    '',
    `iommu iommu0 model=${opts.model ?? 'smmuv3'}`,
  ];
  for (const [name, d] of devices) {
    const rid = requesterId(name);
    out.push(`device ${deviceName(name)} iommu=iommu0${d.group !== undefined ? ` group=${d.group}` : ''}${rid !== undefined ? ` rid=0x${rid.toString(16)}` : ''}`);
  }
  // Every device starts with its kernel driver bound, as the log's DMA API use implies.
  for (const name of devices.keys()) out.push(`driver ${deviceName(name)} probe`);
  out.push('');

  for (const it of items) {
    if ('comment' in it) {
      out.push(`# ${source}:${it.line}: ${it.comment.trim()}`);
      continue;
    }
    const { rec, event } = it.parsed;
    out.push(`# ${source}:${rec.line}: ${rec.text.trim()}`);
    const stmt = statement(event, owner, rec.line, problems);
    if (stmt) out.push(stmt);
  }
  if (devices.size === 0) problems.push({ line: 0, message: 'no device is named by any event (io_page_fault, add_device_to_group, attach_device_to_domain or dma_*): map/unmap cannot be replayed' });
  return { text: `${out.join('\n')}\n`, problems };
}

function collectDevices(parsed: Parsed[]): Map<string, { group?: number }> {
  const devices = new Map<string, { group?: number }>();
  for (const { event } of parsed) {
    const name = 'device' in event ? event.device : undefined;
    if (name === undefined) continue;
    const d = devices.get(name) ?? {};
    if (event.kind === 'group' && event.add) d.group = event.group;
    devices.set(name, d);
  }
  return devices;
}

function statement(event: IommuEvent, owner: (iova: bigint, named: string | undefined) => string | undefined, line: number, problems: ImportProblem[]): string | undefined {
  switch (event.kind) {
    case 'map':
    case 'unmap': {
      const dev = owner(event.iova, event.device);
      if (dev === undefined) {
        problems.push({ line, message: `${event.kind} at ${hex(event.iova)}: no device to attribute it to` });
        return undefined;
      }
      if (event.kind === 'map') return `kernel_map ${deviceName(dev)} iova=${hex(event.iova)} pa=${hex(event.paddr)} size=${hex(event.size)} prot=3`;
      return `kernel_unmap ${deviceName(dev)} iova=${hex(event.iova)} size=${hex(event.size)} => ${hex(event.unmapped)}`;
    }
    case 'fault':
      return `dma ${deviceName(event.device)} ${event.write ? 'write' : 'read'} ${hex(event.iova)} u8${event.write ? ' 0' : ''} => fault translation`;
    default:
      // Group membership is in the device lines; attach and dma_* events only identify devices.
      return undefined;
  }
}
