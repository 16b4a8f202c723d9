// `iotrace import [--model smmuv3|vtd] [-o OUT] PATH`: converts a text
// ftrace log into an .iotrace file, written to OUT or printed. Malformed
// iommu event lines are reported as `PATH:LINE: message`; the trace is still
// written (with them as comments) and the exit code is 1.
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { importFtrace, type ImportOptions } from './ftrace-import.js';

export const IMPORT_USAGE = `usage: iotrace import [--model smmuv3|vtd] [-o OUT] PATH

  import  convert a text ftrace log (trace-cmd report, /sys/kernel/tracing/trace)
          with iommu map/unmap/io_page_fault events into an .iotrace file
          --model  the IOMMU model the trace declares (default smmuv3)
          -o OUT   write the trace to OUT instead of printing it`;

export interface ImportIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

export function importCommand(argv: readonly string[], io: ImportIo): number {
  let model: ImportOptions['model'];
  let output: string | undefined;
  const paths: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--model') {
      const m = argv[++i];
      if (m !== 'smmuv3' && m !== 'vtd') return usage(io, `--model takes smmuv3 or vtd, not ${m ?? 'nothing'}`);
      model = m;
    } else if (a === '-o') {
      output = argv[++i];
      if (output === undefined) return usage(io, '-o needs a file name');
    } else if (a.startsWith('-')) return usage(io, `unknown option '${a}'`);
    else paths.push(a);
  }
  if (paths.length !== 1) return usage(io, 'import takes exactly one PATH');
  const path = paths[0]!;
  const r = importFtrace(readFileSync(path, 'utf8'), { model, source: basename(path) });
  for (const p of r.problems) io.err(`${path}:${p.line}: ${p.message}`);
  if (output !== undefined) writeFileSync(output, r.text);
  else io.out(r.text.trimEnd());
  return r.problems.length > 0 ? 1 : 0;
}

function usage(io: ImportIo, message: string): number {
  io.err(`iotrace: ${message}`);
  io.err(IMPORT_USAGE);
  return 2;
}
