/// <reference types="mocha" />
// Extension-host tests: run inside a real VS Code by @vscode/test-cli
// (`npm run test:extension-host`, wherever VS Code can be downloaded; not in
// npm test). The workspace is examples/ (see .vscode-test.mjs).
import assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { IotraceApi } from '../../../extension/extension.js';

const EXTENSION_ID = 'iotrace.iotrace';
const folder = (): vscode.WorkspaceFolder => vscode.workspace.workspaceFolders![0]!;
const example = (name: string): vscode.Uri => vscode.Uri.file(path.join(folder().uri.fsPath, name));

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, ms = 30_000): Promise<T> {
  for (let waited = 0; waited < ms; waited += 200) {
    const v = await probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

suite('activation', () => {
  test('opening a trace activates the extension and starts the language server', async () => {
    await vscode.window.showTextDocument(example('01-nic-passthrough.iotrace'));
    const ext = vscode.extensions.getExtension<IotraceApi>(EXTENSION_ID)!;
    const api = await until('activation', () => (ext.isActive ? ext.exports : undefined));
    await until('the language client', () => (api.languageClientRunning() ? true : undefined));
  });

  test('every command in the manifest is registered', async () => {
    const manifest = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as { contributes: { commands: { command: string }[] } };
    const registered = new Set(await vscode.commands.getCommands(true));
    for (const { command } of manifest.contributes.commands) assert.ok(registered.has(command), command);
  });

  test('the language server reports a broken line', async () => {
    const file = example('host-test-broken.iotrace');
    await vscode.workspace.fs.writeFile(file, new TextEncoder().encode('frobnicate\n'));
    try {
      await vscode.window.showTextDocument(file);
      const diags = await until('a diagnostic', () => {
        const d = vscode.languages.getDiagnostics(file);
        return d.length > 0 ? d : undefined;
      });
      assert.match(diags[0]!.message, /unknown command 'frobnicate'/);
      assert.equal(diags[0]!.range.start.line, 0);
    } finally {
      await vscode.workspace.fs.delete(file);
    }
  });
});

suite('debugging', () => {
  test('F5 on an open trace stops on entry and steps', async () => {
    const uri = example('01-nic-passthrough.iotrace');
    await vscode.window.showTextDocument(uri);
    const started = new Promise<vscode.DebugSession>((resolve) => vscode.debug.onDidStartDebugSession(resolve));
    assert.ok(await vscode.debug.startDebugging(folder(), { type: 'iotrace', request: 'launch', name: 'host test', program: uri.fsPath, stopOnEntry: true }));
    const session = await started;
    const topLine = async (): Promise<number | undefined> => {
      try {
        const r = (await session.customRequest('stackTrace', { threadId: 1 })) as { stackFrames: { line: number }[] };
        return r.stackFrames[0]?.line;
      } catch {
        return undefined;
      }
    };
    const first = await until('the stop on entry', topLine);
    await session.customRequest('next', { threadId: 1 });
    await until('a step', async () => ((await topLine()) !== first ? true : undefined));
    await session.customRequest('stepBack', { threadId: 1 });
    await until('the step back', async () => ((await topLine()) === first ? true : undefined));
    await vscode.debug.stopDebugging(session);
  });
});
