// `include "file"`: the path is resolved relative to the including file and
// must stay inside the workspace folder, symlinks resolved (a link inside
// the folder may not lead out of it); a cycle is an error. The included
// file is parsed and checked in the includer's scope (as if its text stood
// there), and its checked program is attached to the statement.
import { realpathSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import type { Diagnostic, IncludeStmt, Program } from './ast.js';
import type { Checker, IncludeHook } from './checker.js';
import { parse } from './parser.js';

export interface IncludeOptions {
  workspaceRoot: string;
  readFile: (path: string) => string;
}

/** `stack` holds the resolved paths of the files being checked, outermost first. */
export function includeHook(opts: IncludeOptions, diagnostics: Diagnostic[], stack: string[]): IncludeHook {
  return (stmt: IncludeStmt, checker: Checker): Program | undefined => {
    const target = resolve(dirname(stmt.file), stmt.path);
    if (!isInside(opts.workspaceRoot, target) || !isInside(realPath(opts.workspaceRoot), realPath(target))) {
      checker.error(stmt.pathRange, `cannot include '${stmt.path}': it is outside the workspace folder ${opts.workspaceRoot}`);
      return undefined;
    }
    const cycleStart = stack.indexOf(target);
    if (cycleStart >= 0) {
      const chain = [...stack.slice(cycleStart), target].map((p) => relative(opts.workspaceRoot, p)).join(' -> ');
      checker.error(stmt.pathRange, `include cycle: ${chain}`);
      return undefined;
    }
    let text: string;
    try {
      text = opts.readFile(target);
    } catch (e) {
      const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
      checker.error(stmt.pathRange, `cannot read included file '${stmt.path}': ${why}`);
      return undefined;
    }
    const parsed = parse(target, text);
    diagnostics.push(...parsed.diagnostics);
    stack.push(target);
    try {
      checker.checkProgram(parsed.program);
    } finally {
      stack.pop();
    }
    return parsed.program;
  };
}

function isInside(root: string, path: string): boolean {
  const rel = relative(resolve(root), path);
  return rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

/** The path with every symlink resolved; as given when it does not exist (reading it then fails anyway). */
function realPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}
