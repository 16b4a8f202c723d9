// What a launch configuration becomes before the adapter sees it. Kept free
// of `vscode` so the rules are unit-tested: F5 on an open trace with no
// launch.json must just work, and a configuration without a program must be
// refused with a message rather than reach the adapter.
export const DEBUG_TYPE = 'iotrace';

export interface LaunchConfig {
  type: string;
  request: string;
  name: string;
  program?: string;
  stopOnEntry?: boolean;
  cwd?: string;
  [key: string]: unknown;
}

export interface LaunchContext {
  /** The file in the active editor when it is an .iotrace file. */
  activeTrace?: string;
  /** The workspace folder that holds a path, if any. */
  folderOf(path: string): string | undefined;
}

export type Completed = { config: LaunchConfig } | { error: string };

export function launchConfigFor(program: string, stopOnEntry = false): LaunchConfig {
  const base = program.split(/[\\/]/).pop() ?? program;
  return { type: DEBUG_TYPE, request: 'launch', name: `Debug ${base}`, program, stopOnEntry };
}

/**
 * Fills what the user left out. An empty configuration (F5 with no
 * launch.json) debugs the active trace; `cwd` defaults to the program's
 * workspace folder so includes resolve as `iotrace run` resolves them.
 */
export function completeLaunchConfig(given: Partial<LaunchConfig>, ctx: LaunchContext): Completed {
  let config: LaunchConfig;
  if (given.type === undefined && given.request === undefined && given.name === undefined) {
    if (ctx.activeTrace === undefined) return { error: 'Open an .iotrace file to debug it, or add a launch configuration with a "program".' };
    config = launchConfigFor(ctx.activeTrace);
  } else {
    config = { type: DEBUG_TYPE, request: 'launch', name: 'Debug trace', ...given } as LaunchConfig;
  }
  if (config.request !== 'launch') return { error: `iotrace debugging supports only "launch", not "${config.request}".` };
  if (typeof config.program !== 'string' || config.program === '') {
    return { error: 'The launch configuration has no "program": the .iotrace file to debug.' };
  }
  if (config.cwd === undefined) {
    const folder = ctx.folderOf(config.program);
    if (folder !== undefined) config.cwd = folder;
  }
  return { config };
}
