// Drives the built adapter (dist/debugAdapter.js, `npm run build`) over DAP
// with @vscode/debugadapter-testsupport's DebugClient, as a real client would.
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';

export const FIXTURES = resolve('test/debug/fixtures');
export const NESTED = resolve(FIXTURES, 'nested.iotrace');

/** Stopped events in arrival order, per client: a stop can arrive before the test asks for it. */
const stops = new WeakMap<DebugClient, { queue: DebugProtocol.StoppedEvent[]; wake?: () => void }>();

export async function startClient(): Promise<DebugClient> {
  const dc = new DebugClient('node', resolve('dist/debugAdapter.js'), 'iotrace');
  const box: { queue: DebugProtocol.StoppedEvent[]; wake?: () => void } = { queue: [] };
  stops.set(dc, box);
  dc.on('stopped', (e: DebugProtocol.StoppedEvent) => {
    box.queue.push(e);
    box.wake?.();
  });
  await dc.start();
  return dc;
}

async function nextStop(dc: DebugClient, timeout = 5000): Promise<DebugProtocol.StoppedEvent> {
  const box = stops.get(dc)!;
  const deadline = Date.now() + timeout;
  while (box.queue.length === 0) {
    if (Date.now() > deadline) throw new Error(`no stopped event after ${timeout} ms`);
    await new Promise<void>((r) => {
      box.wake = r;
      setTimeout(r, 50);
    });
  }
  return box.queue.shift()!;
}

/** initialize, launch, then `setup` (breakpoints) between `initialized` and configurationDone. */
export async function launch(dc: DebugClient, args: { program?: string; stopOnEntry?: boolean }, setup?: () => Promise<unknown>): Promise<void> {
  await dc.initializeRequest();
  const launched = dc.launchRequest({ program: args.program ?? NESTED, stopOnEntry: args.stopOnEntry ?? false } as DebugProtocol.LaunchRequestArguments);
  await dc.waitForEvent('initialized');
  await setup?.();
  await dc.configurationDoneRequest();
  await launched;
}

/** Waits for the next stop; returns its reason and the innermost frame's 1-based line. */
export async function stopped(dc: DebugClient): Promise<{ reason: string; line: number; frames: DebugProtocol.StackFrame[]; text?: string }> {
  const ev = await nextStop(dc);
  const st = await dc.stackTraceRequest({ threadId: 1 });
  const frames = st.body.stackFrames;
  return { reason: ev.body.reason, line: frames[0]?.line ?? 0, frames, text: ev.body.text };
}

export async function evaluate(dc: DebugClient, expression: string, frameId = 0): Promise<string> {
  return (await dc.evaluateRequest({ expression, frameId, context: 'watch' })).body.result;
}

export function setLines(dc: DebugClient, lines: (number | DebugProtocol.SourceBreakpoint)[], path = NESTED) {
  return dc.setBreakpointsRequest({ source: { path }, breakpoints: lines.map((l) => (typeof l === 'number' ? { line: l } : l)) });
}

/** Every scope of the innermost frame, expanded fully, as indented text. */
export async function variableTree(dc: DebugClient): Promise<string> {
  const scopes = (await dc.scopesRequest({ frameId: 0 })).body.scopes;
  let out = '';
  const expand = async (ref: number, indent: string): Promise<void> => {
    for (const v of (await dc.variablesRequest({ variablesReference: ref })).body.variables) {
      out += `${indent}${v.name}: ${v.value}${v.memoryReference ? ` [${v.memoryReference}]` : ''}\n`;
      if (v.variablesReference) await expand(v.variablesReference, `${indent}  `);
    }
  };
  for (const s of scopes) {
    out += `${s.name}\n`;
    await expand(s.variablesReference, '  ');
  }
  return out;
}

export function assertLine(actual: { line: number }, line: number, what: string): void {
  assert.equal(actual.line, line, what);
}
