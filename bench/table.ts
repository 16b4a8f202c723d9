// The results as the table `npm run bench` prints (and docs/performance.md shows).
import { round, type BenchResult } from './result.js';

export function resultTable(rows: readonly BenchResult[]): string {
  const cells = rows.map((r) => [
    r.id,
    r.verdict === 'pending' ? '-' : `${round(r.measured)} ${r.unit}`,
    r.verdict === 'pending' ? '-' : `${round(r.baseline)} ${r.unit}`,
    round(r.ratio),
    r.target || '-',
    r.verdict === 'pending' ? (r.note ?? 'pending') : r.verdict,
  ]);
  const head = ['target', 'measured', 'baseline', 'ratio', 'target ratio', 'result'];
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]): string => `| ${c.map((x, i) => x.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.map(line)].join('\n');
}
