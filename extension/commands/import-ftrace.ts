// Import ftrace log: runs `iotrace import` on a chosen log and opens the
// trace it writes as a new, unsaved .iotrace document, so the user reviews
// it before saving. Lines the importer could not parse are listed in the
// output channel (the trace keeps them as comments).
import { execFile } from 'node:child_process';
import * as vscode from 'vscode';
import { nodeEnv, nodePath } from '../settings.js';

async function importFtrace(cli: string, output: vscode.LogOutputChannel): Promise<void> {
  const picked = await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: 'Import', title: 'Import an ftrace log with iommu events' });
  const log = picked?.[0];
  if (log === undefined) return;
  const model = await vscode.window.showQuickPick(['smmuv3', 'vtd'], { title: 'The IOMMU model the trace declares' });
  if (model === undefined) return;
  const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>((resolve) => {
    // Exit code 1 (some lines did not parse) still prints the trace.
    execFile(nodePath(), [cli, 'import', '--model', model, log.fsPath], { env: { ...process.env, ...nodeEnv() }, maxBuffer: 64 << 20 }, (_e, out, err) =>
      resolve({ stdout: out, stderr: err }),
    );
  });
  if (stdout.trim() === '') return void vscode.window.showErrorMessage(`iotrace import failed: ${stderr.trim()}`);
  const doc = await vscode.workspace.openTextDocument({ language: 'iotrace', content: stdout });
  await vscode.window.showTextDocument(doc);
  const problems = stderr.split('\n').filter((l) => l.trim() !== '');
  if (problems.length > 0) {
    for (const p of problems) output.warn(p);
    void vscode.window.showWarningMessage(`${problems.length} line(s) of the log did not parse; they are kept as comments (see the iotrace output).`);
  }
}

export function registerImportFtrace(cli: string, output: vscode.LogOutputChannel): vscode.Disposable {
  return vscode.commands.registerCommand('iotrace.importFtrace', () => importFtrace(cli, output));
}
