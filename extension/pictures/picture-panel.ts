// The webview that shows the pictures: the object graph, or the IOVA space
// of each IOAS. It redraws on every stop, so it follows stepping in both
// directions; clicking an object opens the trace line that created it.
import * as vscode from 'vscode';
import { big, ORIGIN_REQUEST, type WireSnapshot } from '../snapshot/machine-snapshot.js';
import type { StopListener } from '../views/stop-watcher.js';
import { graphSvg } from './graph-svg.js';
import { iovaBarSvg } from './iova-bar.js';
import { layOut, objectGraph, objectOfNode } from './object-graph.js';
import { esc } from './svg.js';
import { webviewPage } from './webview-page.js';

export type PictureKind = 'graph' | 'iova';

const TITLES: Record<PictureKind, string> = { graph: 'iotrace: object graph', iova: 'iotrace: IOVA space' };

export async function pictureBody(kind: PictureKind, s: WireSnapshot): Promise<string> {
  if (kind === 'graph') return s.objects.length + s.devices.length === 0 ? '<p>No objects yet.</p>' : graphSvg(await layOut(objectGraph(s)));
  if (s.ioas.length === 0) return '<p>No IOAS yet.</p>';
  const last = s.lastDma !== undefined ? big(s.lastDma.iova) : undefined;
  return s.ioas.map((i) => `<section>${iovaBarSvg(i, last)}</section>`).join('');
}

export class PicturePanels implements StopListener, vscode.Disposable {
  private readonly panels = new Map<PictureKind, vscode.WebviewPanel>();
  private last: WireSnapshot | undefined;

  open(kind: PictureKind): void {
    const existing = this.panels.get(kind);
    if (existing !== undefined) {
      existing.reveal();
      return;
    }
    const panel = vscode.window.createWebviewPanel(`iotrace.${kind}`, TITLES[kind], vscode.ViewColumn.Beside, { enableScripts: true });
    panel.onDidDispose(() => this.panels.delete(kind));
    panel.webview.onDidReceiveMessage((m: { node?: string }) => {
      const obj = typeof m.node === 'string' ? objectOfNode(m.node) : undefined;
      if (obj !== undefined) void revealOrigin(obj);
    });
    this.panels.set(kind, panel);
    void this.draw(kind, panel);
  }

  stopped(_session: vscode.DebugSession, snapshot: WireSnapshot | undefined, problem?: string): void {
    this.last = snapshot;
    for (const [kind, panel] of this.panels) void this.draw(kind, panel, problem);
  }

  ended(): void {
    this.last = undefined;
    for (const [kind, panel] of this.panels) void this.draw(kind, panel, 'The debug session has ended.');
  }

  private async draw(kind: PictureKind, panel: vscode.WebviewPanel, problem?: string): Promise<void> {
    const body = this.last !== undefined ? await pictureBody(kind, this.last) : `<p>${esc(problem ?? 'Start debugging a trace to see its machine.')}</p>`;
    panel.webview.html = webviewPage(panel.webview.cspSource, body);
  }

  dispose(): void {
    for (const p of this.panels.values()) p.dispose();
  }
}

/**
 * Asks the adapter (custom request `objectOrigin`) which statement created the
 * object and shows that line; objects it cannot place (the session ended)
 * fall back to the Variables view, where the machine's objects are listed.
 */
async function revealOrigin(obj: { fd: string; id: number }): Promise<void> {
  const session = vscode.debug.activeDebugSession;
  try {
    if (session?.type !== 'iotrace') throw new Error('no iotrace debug session');
    const at = (await session.customRequest(ORIGIN_REQUEST, obj)) as { file: string; line: number };
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(at.file));
    const pos = new vscode.Position(at.line, 0);
    await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One, selection: new vscode.Range(pos, pos) });
  } catch {
    await vscode.commands.executeCommand('workbench.debug.action.focusVariablesView');
  }
}
