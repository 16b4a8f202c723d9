// F5 on an open trace debugs it; launch.json gets a starting configuration;
// the Run and Debug picker offers every open trace. Debugging runs the
// trace, so it needs a trusted workspace.
import * as vscode from 'vscode';
import { completeLaunchConfig, launchConfigFor, type LaunchConfig } from './launch-config.js';

function activeTrace(): string | undefined {
  const doc = vscode.window.activeTextEditor?.document;
  return doc?.languageId === 'iotrace' && doc.uri.scheme === 'file' ? doc.uri.fsPath : undefined;
}

function folderOf(path: string): string | undefined {
  return vscode.workspace.getWorkspaceFolder(vscode.Uri.file(path))?.uri.fsPath;
}

export class InitialConfigurations implements vscode.DebugConfigurationProvider {
  provideDebugConfigurations(): vscode.DebugConfiguration[] {
    return [{ ...launchConfigFor('${file}', true), name: 'Debug the open trace' }];
  }
}

/** Dynamic: one entry per .iotrace file open in an editor, in tab order. */
export class DynamicConfigurations implements vscode.DebugConfigurationProvider {
  provideDebugConfigurations(): vscode.DebugConfiguration[] {
    const seen = new Set<string>();
    const out: vscode.DebugConfiguration[] = [];
    for (const group of vscode.window.tabGroups.all) {
      for (const tab of group.tabs) {
        const input = tab.input;
        if (!(input instanceof vscode.TabInputText) || !input.uri.fsPath.endsWith('.iotrace') || seen.has(input.uri.fsPath)) continue;
        seen.add(input.uri.fsPath);
        out.push(launchConfigFor(input.uri.fsPath));
      }
    }
    return out;
  }
}

export class ResolveConfiguration implements vscode.DebugConfigurationProvider {
  async resolveDebugConfiguration(
    _folder: vscode.WorkspaceFolder | undefined,
    given: vscode.DebugConfiguration,
  ): Promise<vscode.DebugConfiguration | undefined> {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage('Debugging a trace runs it: trust this workspace first.');
      return undefined;
    }
    const trace = activeTrace();
    const done = completeLaunchConfig(given as Partial<LaunchConfig>, { ...(trace !== undefined ? { activeTrace: trace } : {}), folderOf });
    if ('error' in done) {
      // `null` would open launch.json; `undefined` just aborts, which fits a message.
      void vscode.window.showErrorMessage(done.error);
      return undefined;
    }
    return done.config;
  }
}

export function registerConfigurationProviders(type: string): vscode.Disposable[] {
  return [
    vscode.debug.registerDebugConfigurationProvider(type, new InitialConfigurations(), vscode.DebugConfigurationProviderTriggerKind.Initial),
    vscode.debug.registerDebugConfigurationProvider(type, new DynamicConfigurations(), vscode.DebugConfigurationProviderTriggerKind.Dynamic),
    vscode.debug.registerDebugConfigurationProvider(type, new ResolveConfiguration()),
  ];
}
