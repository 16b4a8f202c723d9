// The IOVA space of an IOAS as a horizontal bar: mapped areas, reserved
// ranges and allowed ranges on a common axis, with the last DMA marked.
// The axis is piecewise: every interesting boundary gets an equal share of
// width, because real spaces span 2^64 while areas are a few KiB wide and a
// linear axis would show nothing.
import { big, hex, rangeText, type WireIoas, type WireRange } from '../snapshot/machine-snapshot.js';
import { esc } from './svg.js';

const WIDTH = 560;
/** Room left of the bar for the row names, and above it for the title. */
const LEFT = 70;
const TOP = 24;
const ROW = 22;

/** Sorted distinct boundaries (start and last+1 of every range, plus the marker). */
export function boundaries(ranges: readonly WireRange[], marker?: bigint): bigint[] {
  const pts = new Set<bigint>();
  for (const r of ranges) {
    pts.add(big(r.start));
    pts.add(big(r.last) + 1n);
  }
  if (marker !== undefined) pts.add(marker);
  return [...pts].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Where an address falls on the bar: evenly between the boundaries around it. */
export function position(addr: bigint, pts: readonly bigint[]): number {
  if (pts.length < 2) return 0;
  const seg = WIDTH / (pts.length - 1);
  for (let i = 0; i + 1 < pts.length; i++) {
    const lo = pts[i]!;
    const hi = pts[i + 1]!;
    if (addr >= lo && addr <= hi) return i * seg + (Number(addr - lo) / Number(hi - lo)) * seg;
  }
  return addr < pts[0]! ? 0 : WIDTH;
}

function row(label: string, y: number, ranges: readonly WireRange[], pts: readonly bigint[], fill: string): string {
  const rects = ranges.map((r) => {
    const x0 = position(big(r.start), pts);
    const x1 = position(big(r.last) + 1n, pts);
    return `<rect x="${x0}" y="${y}" width="${Math.max(x1 - x0, 1)}" height="${ROW - 4}" fill="${fill}" fill-opacity="0.6"><title>${esc(`${label} ${rangeText(r)}`)}</title></rect>`;
  });
  return `<text x="${-LEFT}" y="${y + 14}">${esc(label)}</text>${rects.join('')}`;
}

export function iovaBarSvg(ioas: WireIoas, lastDma?: bigint): string {
  const { areas, reserved, allowed } = ioas.info;
  const pts = boundaries([...areas, ...reserved, ...allowed], lastDma);
  const ticks = pts.map((p) => `<text x="${position(p, pts)}" y="${4 * ROW + 12}" transform="rotate(30 ${position(p, pts)} ${4 * ROW + 12})">${hex(p)}</text>`);
  const marker = lastDma === undefined ? '' : `<line class="last-dma" x1="${position(lastDma, pts)}" x2="${position(lastDma, pts)}" y1="0" y2="${3 * ROW}" stroke="var(--vscode-charts-red)" stroke-width="2"><title>last DMA at ${hex(lastDma)}</title></line>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${LEFT + WIDTH + 80}" height="${TOP + 5 * ROW + 60}" font-family="var(--vscode-editor-font-family)" font-size="11" fill="var(--vscode-foreground)">`
    + `<text x="0" y="14" font-weight="bold">IOAS ${ioas.id}</text><g transform="translate(${LEFT} ${TOP})">`
    + row('areas', 0, areas, pts, 'var(--vscode-charts-blue)')
    + row('reserved', ROW, reserved, pts, 'var(--vscode-charts-red)')
    + row('allowed', 2 * ROW, allowed, pts, 'var(--vscode-charts-green)')
    + marker + ticks.join('') + '</g></svg>';
}
