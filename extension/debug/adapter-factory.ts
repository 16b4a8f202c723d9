// How VS Code gets a debug adapter for a session: inline (the DAP session
// object runs inside the extension host) or executable (dist/debugAdapter.js
// as its own Node process over stdio, exactly as another DAP client runs it).
// The `iotrace.debugAdapter.mode` setting chooses.
import * as vscode from 'vscode';
import { adapterMode, nodeEnv, nodePath } from '../settings.js';

export class AdapterFactory implements vscode.DebugAdapterDescriptorFactory {
  constructor(
    private readonly adapterScript: string,
    private readonly createInline: () => vscode.DebugAdapter,
    private readonly output: vscode.LogOutputChannel,
  ) {}

  createDebugAdapterDescriptor(session: vscode.DebugSession): vscode.DebugAdapterDescriptor {
    if (adapterMode() === 'inline') {
      this.output.info(`Debug session "${session.name}": inline adapter.`);
      return new vscode.DebugAdapterInlineImplementation(this.createInline());
    }
    this.output.info(`Debug session "${session.name}": ${nodePath()} ${this.adapterScript}`);
    return new vscode.DebugAdapterExecutable(nodePath(), [this.adapterScript], { env: nodeEnv() });
  }
}
