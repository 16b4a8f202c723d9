// Starts dist/server.js as a child process and speaks JSON-RPC to it, as an
// editor would: the protocol-level tests drive the real bundle through this.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  createProtocolConnection, StreamMessageReader, StreamMessageWriter, type ProtocolConnection, type Diagnostic, type ClientCapabilities,
} from 'vscode-languageserver-protocol/node';

export const SERVER = join(__dirname, '..', '..', 'dist', 'server.js');

export interface Client {
  conn: ProtocolConnection;
  child: ChildProcess;
  /** Opens a document (text given or read from disk by the caller). */
  open(path: string, text: string): string;
  change(uri: string, version: number, changes: { range?: { start: { line: number; character: number }; end: { line: number; character: number } }; text: string }[]): void;
  /** The next published diagnostics for `uri` that satisfy `accept`. */
  diagnostics(uri: string, accept?: (d: Diagnostic[]) => boolean): Promise<Diagnostic[]>;
  request<R>(method: string, params: unknown): Promise<R>;
  close(): Promise<void>;
}

export const uriOf = (path: string): string => pathToFileURL(path).toString();

export async function startServer(rootPath: string, capabilities: ClientCapabilities = {}, initializationOptions?: unknown): Promise<Client> {
  if (!existsSync(SERVER)) throw new Error(`${SERVER} is missing: run 'npm run build' first`);
  const child = spawn(process.execPath, [SERVER, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const conn = createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  const published = new Map<string, Diagnostic[]>();
  const waiters: { uri: string; accept: (d: Diagnostic[]) => boolean; resolve: (d: Diagnostic[]) => void }[] = [];
  conn.onNotification('textDocument/publishDiagnostics', (p: { uri: string; diagnostics: Diagnostic[] }) => {
    published.set(p.uri, p.diagnostics);
    for (const w of [...waiters]) {
      if (w.uri === p.uri && w.accept(p.diagnostics)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(p.diagnostics);
      }
    }
  });
  conn.onRequest('workspace/diagnostic/refresh', () => null);
  conn.onRequest('workspace/inlayHint/refresh', () => null);
  conn.listen();
  await conn.sendRequest('initialize', { processId: process.pid, rootUri: uriOf(rootPath), capabilities, initializationOptions, workspaceFolders: [{ uri: uriOf(rootPath), name: 'ws' }] });
  await conn.sendNotification('initialized', {});
  let version = 1;
  return {
    conn,
    child,
    open(path, text) {
      const uri = uriOf(path);
      void conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'iotrace', version: version++, text } });
      return uri;
    },
    change(uri, v, contentChanges) {
      void conn.sendNotification('textDocument/didChange', { textDocument: { uri, version: v }, contentChanges });
    },
    diagnostics(uri, accept = () => true) {
      return new Promise((res) => waiters.push({ uri, accept, resolve: res }));
    },
    request: <R>(method: string, params: unknown) => conn.sendRequest(method, params) as Promise<R>,
    async close() {
      await conn.sendRequest('shutdown');
      await conn.sendNotification('exit');
      conn.dispose();
      child.kill();
    },
  };
}
