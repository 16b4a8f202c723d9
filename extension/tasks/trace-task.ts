// `iotrace run` / `iotrace check` as VS Code tasks. The `$iotrace` problem
// matcher (package.json) turns the CLI's `file:line:col: ...` lines into
// Problems, so a mismatch lands at its statement.
import * as vscode from 'vscode';
import { nodeEnv, nodePath } from '../settings.js';

export const TASK_TYPE = 'iotrace';

export interface TraceTaskDefinition extends vscode.TaskDefinition {
  type: typeof TASK_TYPE;
  command?: 'run' | 'check';
  paths: string[];
}

export function traceTask(def: TraceTaskDefinition, scope: vscode.WorkspaceFolder | vscode.TaskScope, cli: string): vscode.Task {
  const command = def.command ?? 'run';
  const cwd = typeof scope === 'object' ? scope.uri.fsPath : undefined;
  const exec = new vscode.ProcessExecution(nodePath(), [cli, command, ...def.paths], { env: nodeEnv(), ...(cwd !== undefined ? { cwd } : {}) });
  const task = new vscode.Task(def, scope, `${command} ${def.paths.join(' ')}`, 'iotrace', exec, ['$iotrace']);
  task.group = vscode.TaskGroup.Test;
  task.presentationOptions = { reveal: vscode.TaskRevealKind.Always, clear: true };
  return task;
}

/** Offers `iotrace: run .` and `iotrace: check .` for every workspace folder. */
export class TraceTaskProvider implements vscode.TaskProvider {
  constructor(private readonly cli: string) {}

  provideTasks(): vscode.Task[] {
    if (!vscode.workspace.isTrusted) return [];
    const folders = vscode.workspace.workspaceFolders ?? [];
    return folders.flatMap((folder) =>
      (['run', 'check'] as const).map((command) => traceTask({ type: TASK_TYPE, command, paths: ['.'] }, folder, this.cli)),
    );
  }

  resolveTask(task: vscode.Task): vscode.Task | undefined {
    const def = task.definition as TraceTaskDefinition;
    if (!Array.isArray(def.paths)) return undefined;
    return traceTask(def, task.scope ?? vscode.TaskScope.Workspace, this.cli);
  }
}
