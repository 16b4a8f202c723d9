// Draws a laid-out object graph as SVG. Each node carries data-node (its
// graph id) so the webview can report clicks; colours come from the
// editor's theme variables, so the picture follows light and dark themes.
import type { ElkPoint } from 'elkjs/lib/elk-api.js';
import type { GraphNode, ObjectGraph } from './object-graph.js';
import { esc } from './svg.js';

const FILL: Record<string, string> = {
  IOAS: 'var(--vscode-charts-blue)',
  HWPT_PAGING: 'var(--vscode-charts-purple)',
  HWPT_NESTED: 'var(--vscode-charts-purple)',
  DEVICE: 'var(--vscode-charts-green)',
  device: 'var(--vscode-charts-yellow)',
  group: 'var(--vscode-charts-orange)',
};
const DEFAULT_FILL = 'var(--vscode-charts-red)';

function nodeSvg(n: GraphNode): string {
  const x = n.x ?? 0;
  const y = n.y ?? 0;
  const text = n.lines
    .map((l, i) => `<text x="${x + 10}" y="${y + 20 + i * 16}"${i === 0 ? ' font-weight="bold"' : ''}>${esc(l)}</text>`)
    .join('');
  return `<g class="node" data-node="${esc(n.id)}" data-kind="${n.kind}"><rect x="${x}" y="${y}" width="${n.width}" height="${n.height}" rx="4" fill="${FILL[n.category] ?? DEFAULT_FILL}" fill-opacity="0.25" stroke="${FILL[n.category] ?? DEFAULT_FILL}"/>${text}</g>`;
}

function path(points: ElkPoint[]): string {
  return points.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x} ${p.y}`).join(' ');
}

export function graphSvg(g: ObjectGraph): string {
  const edges = g.edges
    .flatMap((e) => e.sections ?? [])
    .map((s) => `<path class="edge" d="${path([s.startPoint, ...(s.bendPoints ?? []), s.endPoint])}" marker-end="url(#arrow)"/>`)
    .join('');
  const w = (g.width ?? 0) + 2;
  const h = (g.height ?? 0) + 2;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="-1 -1 ${w} ${h}" font-family="var(--vscode-editor-font-family)" font-size="12" fill="var(--vscode-foreground)">`
    + '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" fill="var(--vscode-foreground)"/></marker></defs>'
    + `<g stroke="var(--vscode-foreground)" fill="none" stroke-opacity="0.6">${edges}</g>${g.children.map(nodeSvg).join('')}</svg>`;
}
