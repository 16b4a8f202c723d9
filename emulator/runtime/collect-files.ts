// The files a command line names: files as given, folders searched
// recursively for `.iotrace` files in sorted order. Each comes with the
// workspace root its includes are confined to: the folder given, or a
// given file's own folder.
import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface TraceFile {
  path: string;
  workspaceRoot: string;
}

/** Throws an Error with a user-facing message for a path that does not exist. */
export function collectFiles(paths: readonly string[]): TraceFile[] {
  const out: TraceFile[] = [];
  for (const p of paths) {
    let isDir: boolean;
    try {
      isDir = statSync(p).isDirectory();
    } catch {
      throw new Error(`${p}: no such file or directory`);
    }
    if (isDir) out.push(...walk(p).map((path) => ({ path, workspaceRoot: p })));
    else out.push({ path: p, workspaceRoot: dirname(p) });
  }
  return out;
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (name.endsWith('.iotrace')) out.push(p);
  }
  return out;
}
