// Tells the views when an iotrace session stopped (a step, a breakpoint, a
// step back, a goto) or ended, by watching the adapter's DAP events.
import * as vscode from 'vscode';
import { SNAPSHOT_REQUEST, type WireSnapshot } from '../snapshot/machine-snapshot.js';

export interface StopListener {
  /** The machine at the new stop, or why it could not be read. */
  stopped(session: vscode.DebugSession, snapshot: WireSnapshot | undefined, problem?: string): void;
  ended(): void;
}

export async function readSnapshot(session: vscode.DebugSession): Promise<{ snapshot?: WireSnapshot; problem?: string }> {
  try {
    return { snapshot: (await session.customRequest(SNAPSHOT_REQUEST)) as WireSnapshot };
  } catch (e) {
    return { problem: `The debug adapter did not answer ${SNAPSHOT_REQUEST}: ${e instanceof Error ? e.message : String(e)}` };
  }
}

export function watchStops(type: string, listeners: readonly StopListener[]): vscode.Disposable[] {
  const notify = async (session: vscode.DebugSession): Promise<void> => {
    const { snapshot, problem } = await readSnapshot(session);
    for (const l of listeners) l.stopped(session, snapshot, problem);
  };
  return [
    vscode.debug.registerDebugAdapterTrackerFactory(type, {
      createDebugAdapterTracker: (session) => ({
        onDidSendMessage: (m: { type?: string; event?: string }) => {
          // `invalidated` covers changes without a stop (e.g. the hex toggle).
          if (m.type === 'event' && (m.event === 'stopped' || m.event === 'invalidated')) void notify(session);
        },
      }),
    }),
    vscode.debug.onDidTerminateDebugSession((s) => {
      if (s.type === type) for (const l of listeners) l.ended();
    }),
  ];
}
