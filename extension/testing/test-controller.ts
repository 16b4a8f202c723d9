// Test Explorer: every .iotrace file that states expectations is a test,
// shown in its folders. Run executes `iotrace run --json` on the files and
// puts each mismatch at its statement; Debug starts the debugger on a file.
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { launchConfigFor } from '../debug/launch-config.js';
import { nodeEnv, nodePath } from '../settings.js';
import { hasExpectations, outcomeOf, parseReports, type ResultMessage } from './report-results.js';

export class TraceTests implements vscode.Disposable {
  private readonly controller = vscode.tests.createTestController('iotrace', 'iotrace traces');
  private readonly disposables: vscode.Disposable[] = [this.controller];

  constructor(private readonly cli: string) {
    this.controller.resolveHandler = async (item) => {
      if (item === undefined) await this.discover();
    };
    this.controller.refreshHandler = () => this.discover();
    this.controller.createRunProfile('Run', vscode.TestRunProfileKind.Run, (req, token) => this.run(req, token), true);
    this.controller.createRunProfile('Debug', vscode.TestRunProfileKind.Debug, (req) => this.debug(req), true);
    const watcher = vscode.workspace.createFileSystemWatcher('**/*.iotrace');
    watcher.onDidCreate(() => void this.discover());
    watcher.onDidDelete(() => void this.discover());
    watcher.onDidChange((uri) => void this.update(uri));
    this.disposables.push(watcher);
  }

  /** Rebuilds the tree from the workspace, files sorted so the order is stable. */
  async discover(): Promise<void> {
    const uris = (await vscode.workspace.findFiles('**/*.iotrace', '**/node_modules/**')).sort((a, b) => a.fsPath.localeCompare(b.fsPath));
    this.controller.items.replace([]);
    for (const uri of uris) await this.update(uri);
  }

  private async update(uri: vscode.Uri): Promise<void> {
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    if (folder === undefined) return;
    const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
    const parts = path.relative(folder.uri.fsPath, uri.fsPath).split(path.sep);
    let items = this.controller.items;
    let dir = folder.uri;
    for (const part of parts.slice(0, -1)) {
      dir = vscode.Uri.joinPath(dir, part);
      const id = dir.toString();
      const existing = items.get(id) ?? this.controller.createTestItem(id, part, dir);
      items.add(existing);
      items = existing.children;
    }
    if (!hasExpectations(text)) {
      items.delete(uri.toString());
      return;
    }
    if (items.get(uri.toString()) === undefined) items.add(this.controller.createTestItem(uri.toString(), parts[parts.length - 1]!, uri));
  }

  private files(req: vscode.TestRunRequest): vscode.TestItem[] {
    const out: vscode.TestItem[] = [];
    const visit = (item: vscode.TestItem): void => {
      if (req.exclude?.includes(item)) return;
      if (item.children.size === 0) {
        if (item.uri?.fsPath.endsWith('.iotrace')) out.push(item);
      } else item.children.forEach(visit);
    };
    if (req.include !== undefined) req.include.forEach(visit);
    else this.controller.items.forEach(visit);
    return out;
  }

  private async run(req: vscode.TestRunRequest, token: vscode.CancellationToken): Promise<void> {
    const run = this.controller.createTestRun(req);
    for (const item of this.files(req)) {
      if (token.isCancellationRequested) run.skipped(item);
      else if (!vscode.workspace.isTrusted) run.skipped(item);
      else await this.runOne(run, item);
    }
    run.end();
  }

  private async runOne(run: vscode.TestRun, item: vscode.TestItem): Promise<void> {
    const file = item.uri!.fsPath;
    const cwd = vscode.workspace.getWorkspaceFolder(item.uri!)?.uri.fsPath ?? path.dirname(file);
    run.started(item);
    const stdout = await new Promise<string>((resolve) => {
      // Exit code 1 (mismatch) and 2 (errors) still print the JSON report.
      execFile(nodePath(), [this.cli, 'run', '--json', file], { cwd, env: { ...process.env, ...nodeEnv() } }, (_err, out, err) => {
        if (err !== '') run.appendOutput(err.replace(/\n/g, '\r\n'));
        resolve(out);
      });
    });
    const report = parseReports(stdout)[0];
    if (report === undefined) {
      run.errored(item, new vscode.TestMessage('iotrace run printed no report.'));
      return;
    }
    const outcome = outcomeOf(report);
    const messages = outcome.messages.map((m) => toMessage(m, cwd));
    if (outcome.status === 'passed') run.passed(item);
    else if (outcome.status === 'failed') run.failed(item, messages);
    else run.errored(item, messages);
  }

  private async debug(req: vscode.TestRunRequest): Promise<void> {
    const item = this.files(req)[0];
    if (item === undefined) return;
    await vscode.debug.startDebugging(vscode.workspace.getWorkspaceFolder(item.uri!), launchConfigFor(item.uri!.fsPath));
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

function toMessage(m: ResultMessage, cwd: string): vscode.TestMessage {
  const msg = m.expected !== undefined && m.actual !== undefined ? vscode.TestMessage.diff(m.text, m.expected, m.actual) : new vscode.TestMessage(m.text);
  const pos = new vscode.Position(m.line - 1, m.column - 1);
  msg.location = new vscode.Location(vscode.Uri.file(path.resolve(cwd, m.file)), pos);
  return msg;
}
