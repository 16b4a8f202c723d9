// Inlay hints: after each command statement the background run executed, its
// live outcome (the id a bind or alloc returned, the iova an automatic map
// picked, the errno, the value a DMA read, `fault translation @ L3`).
import type { Range } from '../../emulator/language/ast.js';
import type { Analysis } from './analysis.js';
import type { LiveResult } from './live-results.js';
import { rangesOverlap } from './positions.js';

export interface InlayHint {
  position: { line: number; character: number };
  label: string;
  tooltip?: string;
}

export function inlayHints(a: Analysis, live: LiveResult | undefined, range: Range): InlayHint[] {
  if (!live || live.analysis !== a) return [];
  const out: InlayHint[] = [];
  for (const r of live.results.values()) {
    if (r.kind !== 'command' || r.file !== a.file || !rangesOverlap(r.range, range)) continue;
    const times = r.count > 1 ? ` (×${r.count}, last)` : '';
    out.push({ position: r.range.end, label: `→ ${r.shown}${times}`, tooltip: r.reason });
  }
  return out.sort((x, y) => x.position.line - y.position.line || x.position.character - y.position.character);
}
