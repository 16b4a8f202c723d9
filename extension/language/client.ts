// The language client: starts dist/server.js as a Node process over stdio
// (the server speaks plain LSP, so any client could), logs to an output
// channel, and can be restarted by a command when the server misbehaves.
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';

export class TraceLanguageClient implements vscode.Disposable {
  private client: LanguageClient | undefined;

  constructor(
    private readonly serverModule: string,
    private readonly output: vscode.LogOutputChannel,
  ) {}

  async start(): Promise<void> {
    const run = { module: this.serverModule, transport: TransportKind.stdio };
    const serverOptions: ServerOptions = { run, debug: { ...run, options: { execArgv: ['--nolazy', '--inspect=6019'] } } };
    const clientOptions: LanguageClientOptions = {
      // `file` only: the server reads includes from disk, so untitled and
      // virtual documents would give misleading include errors.
      documentSelector: [{ scheme: 'file', language: 'iotrace' }],
      outputChannel: this.output,
      synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher('**/*.iotrace') },
    };
    // The id `iotrace` makes the client honour the `iotrace.trace.server` setting.
    this.client = new LanguageClient('iotrace', 'iotrace language server', serverOptions, clientOptions);
    await this.client.start();
  }

  async restart(): Promise<void> {
    await this.stop();
    this.output.info('Restarting the iotrace language server.');
    await this.start();
  }

  async stop(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    if (c !== undefined && c.isRunning()) await c.stop();
  }

  get running(): boolean {
    return this.client?.isRunning() ?? false;
  }

  dispose(): void {
    void this.stop();
  }
}
