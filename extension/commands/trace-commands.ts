// Commands on a trace (run it as a task, debug it) and on a debug session
// (go to the statement at the cursor, toggle hex/decimal in Variables).
import * as vscode from 'vscode';
import { DEBUG_TYPE, launchConfigFor } from '../debug/launch-config.js';
import { TASK_TYPE, traceTask } from '../tasks/trace-task.js';

/** The custom DAP request that flips number formatting (as mock-debug's toggleFormatting). */
export const TOGGLE_FORMAT_REQUEST = 'toggleFormatting';

function traceUri(uri: unknown): vscode.Uri | undefined {
  if (uri instanceof vscode.Uri) return uri;
  const doc = vscode.window.activeTextEditor?.document;
  return doc?.languageId === 'iotrace' ? doc.uri : undefined;
}

async function runTrace(cli: string, uri: unknown): Promise<void> {
  const target = traceUri(uri);
  if (target === undefined) return void vscode.window.showErrorMessage('Open an .iotrace file to run it.');
  const folder = vscode.workspace.getWorkspaceFolder(target);
  await vscode.tasks.executeTask(traceTask({ type: TASK_TYPE, command: 'run', paths: [target.fsPath] }, folder ?? vscode.TaskScope.Workspace, cli));
}

async function debugTrace(uri: unknown): Promise<void> {
  const target = traceUri(uri);
  if (target === undefined) return void vscode.window.showErrorMessage('Open an .iotrace file to debug it.');
  await vscode.debug.startDebugging(vscode.workspace.getWorkspaceFolder(target), launchConfigFor(target.fsPath));
}

/** DAP `gotoTargets` + `goto` for the cursor's line: jump there, forwards or backwards. */
async function gotoStatement(): Promise<void> {
  const session = vscode.debug.activeDebugSession;
  const editor = vscode.window.activeTextEditor;
  if (session?.type !== DEBUG_TYPE || editor === undefined) return;
  const { targets } = (await session.customRequest('gotoTargets', {
    source: { path: editor.document.uri.fsPath },
    line: editor.selection.active.line + 1,
  })) as { targets: { id: number }[] };
  if (targets.length === 0) return void vscode.window.showInformationMessage('No statement to go to on this line.');
  const { threads } = (await session.customRequest('threads')) as { threads: { id: number }[] };
  await session.customRequest('goto', { threadId: threads[0]?.id ?? 1, targetId: targets[0]!.id });
}

async function toggleNumberFormat(): Promise<void> {
  const session = vscode.debug.activeDebugSession;
  if (session?.type === DEBUG_TYPE) await session.customRequest(TOGGLE_FORMAT_REQUEST);
}

export function registerTraceCommands(cli: string): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('iotrace.runTrace', (uri: unknown) => runTrace(cli, uri)),
    vscode.commands.registerCommand('iotrace.debugTrace', (uri: unknown) => debugTrace(uri)),
    vscode.commands.registerCommand('iotrace.gotoStatement', gotoStatement),
    vscode.commands.registerCommand('iotrace.toggleNumberFormat', toggleNumberFormat),
  ];
}
