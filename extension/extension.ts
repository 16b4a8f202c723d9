// Activation: wires the language client, the debugger (adapter factory,
// configuration providers, commands), the IOMMU view, the pictures, Test
// Explorer and the task provider. Each lives in its own module; this file
// only connects them.
import * as vscode from 'vscode';
import { registerImportFtrace } from './commands/import-ftrace.js';
import { registerTraceCommands } from './commands/trace-commands.js';
import { AdapterFactory } from './debug/adapter-factory.js';
import { registerConfigurationProviders } from './debug/configuration-provider.js';
import { createInlineSession } from './debug/inline-session.js';
import { DEBUG_TYPE } from './debug/launch-config.js';
import { TraceLanguageClient } from './language/client.js';
import { PicturePanels } from './pictures/picture-panel.js';
import { bundles } from './settings.js';
import { TASK_TYPE, TraceTaskProvider } from './tasks/trace-task.js';
import { TraceTests } from './testing/test-controller.js';
import { IommuTreeProvider } from './views/iommu-tree.js';
import { readSnapshot, watchStops } from './views/stop-watcher.js';

/** What activate returns: lets extension-host tests see inside. */
export interface IotraceApi {
  languageClientRunning(): boolean;
}

export async function activate(context: vscode.ExtensionContext): Promise<IotraceApi> {
  const paths = bundles(context);
  const output = vscode.window.createOutputChannel('iotrace', { log: true });
  const client = new TraceLanguageClient(paths.server, output);
  const tree = new IommuTreeProvider();
  const pictures = new PicturePanels();

  context.subscriptions.push(
    output,
    client,
    tree,
    pictures,
    vscode.window.registerTreeDataProvider('iotrace.iommu', tree),
    vscode.debug.registerDebugAdapterDescriptorFactory(DEBUG_TYPE, new AdapterFactory(paths.debugAdapter, createInlineSession, output)),
    ...registerConfigurationProviders(DEBUG_TYPE),
    ...registerTraceCommands(paths.cli),
    registerImportFtrace(paths.cli, output),
    ...watchStops(DEBUG_TYPE, [tree, pictures]),
    vscode.tasks.registerTaskProvider(TASK_TYPE, new TraceTaskProvider(paths.cli)),
    new TraceTests(paths.cli),
    vscode.commands.registerCommand('iotrace.restartLanguageServer', () => client.restart()),
    vscode.commands.registerCommand('iotrace.showObjectGraph', () => pictures.open('graph')),
    vscode.commands.registerCommand('iotrace.showIovaSpace', () => pictures.open('iova')),
    vscode.commands.registerCommand('iotrace.refreshIommuView', async () => {
      const session = vscode.debug.activeDebugSession;
      if (session?.type !== DEBUG_TYPE) return;
      const { snapshot, problem } = await readSnapshot(session);
      for (const view of [tree, pictures]) view.stopped(session, snapshot, problem);
    }),
  );

  try {
    await client.start();
  } catch (e) {
    // The rest of the extension (debugging, tests, tasks) works without it.
    output.error(`The language server did not start: ${e instanceof Error ? e.message : String(e)}`);
  }
  return { languageClientRunning: () => client.running };
}
