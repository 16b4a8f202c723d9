// The folder code-server opens: a copy of examples/ plus a trace with a
// broken line, so the suite never writes into the source tree.
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const BROKEN_TRACE = 'broken.iotrace';
export const BROKEN_COMMAND = 'frobnicate';

export function makeWorkspace(examples: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'iotrace-workspace-'));
  cpSync(examples, dir, { recursive: true });
  writeFileSync(join(dir, BROKEN_TRACE), `# A trace with a typo on line 3.\nioas = ioas_alloc => 1\n${BROKEN_COMMAND} ioas\n`);
  return dir;
}
