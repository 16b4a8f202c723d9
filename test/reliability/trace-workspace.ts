// A throw-away workspace folder on disk for the tests that need real files
// (includes, symlinks, binary input), run through the same entry point as
// the CLI (runFile on a fresh machine).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMachine } from '../../emulator/engine/machine.js';
import { runFile, type FileReport, type RunFileOptions } from '../../emulator/runtime/run-file.js';

export class TraceWorkspace {
  readonly root = mkdtempSync(join(tmpdir(), 'iotrace-reliability-'));

  write(name: string, content: string | Uint8Array): string {
    const path = join(this.root, name);
    writeFileSync(path, content);
    return path;
  }

  /** Runs `name` with the workspace as the include boundary. */
  run(name: string, opts: Partial<RunFileOptions> = {}): FileReport {
    return runFile(join(this.root, name), { workspaceRoot: this.root, createMachine, ...opts });
  }

  dispose(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** The report's errors as `line:col message` (1-based, as the CLI prints them). */
export function errors(r: FileReport): string[] {
  return r.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.range.start.line + 1}:${d.range.start.character + 1} ${d.message}`);
}
