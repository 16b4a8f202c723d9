// The extension's settings and the paths of the bundles it starts, in one
// place so that every feature reads them the same way.
import * as vscode from 'vscode';

export type AdapterMode = 'inline' | 'executable';

export function adapterMode(): AdapterMode {
  return vscode.workspace.getConfiguration('iotrace').get<AdapterMode>('debugAdapter.mode', 'inline');
}

/**
 * The Node.js that runs the executable adapter and `iotrace run`. By default
 * the extension host's own runtime: under desktop VS Code that is Electron,
 * which behaves as plain Node when ELECTRON_RUN_AS_NODE is set (see nodeEnv).
 */
export function nodePath(): string {
  const configured = vscode.workspace.getConfiguration('iotrace').get<string>('nodePath', '');
  return configured !== '' ? configured : process.execPath;
}

export function nodeEnv(): Record<string, string> {
  return { ELECTRON_RUN_AS_NODE: '1' };
}

export interface Bundles {
  server: string;
  debugAdapter: string;
  cli: string;
}

export function bundles(context: vscode.ExtensionContext): Bundles {
  return {
    server: context.asAbsolutePath('dist/server.js'),
    debugAdapter: context.asAbsolutePath('dist/debugAdapter.js'),
    cli: context.asAbsolutePath('dist/cli.js'),
  };
}
