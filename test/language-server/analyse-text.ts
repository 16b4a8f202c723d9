// Analyses in-memory files for the unit tests: a virtual workspace at /ws.
import { analyse, type Analysis } from '../../server/language/analysis.js';

export const ROOT = '/ws';

/** Analyses `/ws/main.iotrace` = `text`; `others` are further files by name. */
export function analyseText(text: string, others: Record<string, string> = {}): Analysis {
  const files = new Map<string, string>(Object.entries(others).map(([k, v]) => [`${ROOT}/${k}`, v]));
  const readFile = (path: string): string => {
    const t = files.get(path);
    if (t === undefined) throw Object.assign(new Error('no such file'), { code: 'ENOENT' });
    return t;
  };
  return analyse(`${ROOT}/main.iotrace`, text, { workspaceRoot: ROOT, readFile });
}

/** The position of the `n`-th (0-based) occurrence of `needle`, plus `offset` characters. */
export function at(text: string, needle: string, offset = 0, n = 0): { line: number; character: number } {
  let i = -1;
  for (let k = 0; k <= n; k++) {
    i = text.indexOf(needle, i + 1);
    if (i < 0) throw new Error(`'${needle}' not found`);
  }
  const before = text.slice(0, i + offset);
  const line = before.split('\n').length - 1;
  return { line, character: before.length - before.lastIndexOf('\n') - 1 };
}

export const SETUP = 'iommu iommu0 model=mock\ndevice nic0\nmemory ram 64K\n';
