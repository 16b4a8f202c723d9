// The debug adapter as an object inside the extension host (inline mode).
// A DAP session from @vscode/debugadapter already has the shape of
// vscode.DebugAdapter (handleMessage, onDidSendMessage), so it is handed
// over as is: the same session class that dist/debugAdapter.js runs.
import type * as vscode from 'vscode';
import { IotraceDebugSession } from '../../server/debug/session.js';

export function createInlineSession(): vscode.DebugAdapter {
  return new IotraceDebugSession();
}
