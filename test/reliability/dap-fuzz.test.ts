// Protocol fuzzing of the debug adapter (issue 9 §5): dist/debugAdapter.js
// (`node scripts/build.mjs`) gets random request sequences over the raw wire:
// any order (variables or stepBack before launch, a second launch), unknown
// ids (thread, frame, variables reference, goto target, breakpoint and data
// ids), malformed arguments (missing, null, strings for numbers, huge and
// fractional numbers, arrays for objects), requests while a long `repeat`
// runs, launches of a missing, binary, broken or folder "program", and a
// disconnect in the middle of a run. Requests are sent without waiting for
// each other, so they interleave with the runs they start.
//
// After each storm: the process is alive (or, after a disconnect, exited
// cleanly), every request has been answered, no answer is an exception in a
// handler (the library's "internal error" 1104), every failure carries a
// message, the requests that are surely wrong failed, and a normal session
// (restart with a good program, a breakpoint, inspect, run to the end)
// behaves exactly as on a fresh adapter.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { checkAsyncProperty } from './property-budget.js';
import { DapWire, within, type DapResponse } from './dap-wire.js';

const GOOD = resolve('test/debug/fixtures/nested.iotrace');
const dir = mkdtempSync(join(tmpdir(), 'iotrace-dap-fuzz-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const LONG = join(dir, 'long.iotrace');
writeFileSync(LONG, 'memory ram 4K\nrepeat i in 0..1_000_000_000_000 {\n  write ram u32 i & 0xffff\n}\n');
const BINARY = join(dir, 'binary.iotrace');
writeFileSync(BINARY, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 0xff, 0xfe, 0x0a, 0x80, 0x81]));
const BROKEN = resolve('test/debug/fixtures/broken.iotrace');
const MISSING = join(dir, 'no-such-file.iotrace');

/** Values of every JSON type, for arguments and fields that want something else. */
const junk = fc.oneof(
  fc.constantFrom(null, true, '', '1', 'x'.repeat(300), -1, 0.5, 1e300, 2 ** 53 + 2, -(2 ** 31), [], {}, [1, 2], { threadId: 1 }),
  fc.string({ maxLength: 20 }),
  fc.integer(),
);
/** Usually well-typed, sometimes junk: a field's value. */
const maybe = <T>(good: fc.Arbitrary<T>) => fc.oneof({ weight: 5, arbitrary: good }, { weight: 1, arbitrary: junk });
/** Small numbers (frame ids), the first handles the adapter gives out (from 1000), and ones it never does. */
const ref = maybe(fc.oneof(fc.integer({ min: 0, max: 12 }), fc.integer({ min: 1000, max: 1012 }), fc.constantFrom(1_000_000, 2 ** 31 - 1, -3)));
const thread = maybe(fc.oneof({ weight: 4, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: fc.constantFrom(0, 2, 999) }));
const line = maybe(fc.oneof(fc.integer({ min: 1, max: 30 }), fc.constantFrom(0, -1, 1_000_000)));
const program = maybe(fc.constantFrom(GOOD, GOOD, LONG, LONG, BINARY, BROKEN, MISSING, dir, ''));
const text = fc.oneof(fc.constantFrom('ioas', 'users(ioas)', 'i', 'i +', 'last_fault(nic0).kind', '__proto__', 'read32(ram)', 'ram + 0x10', '1/0', '', '('.repeat(400)), fc.string({ maxLength: 12 }));
const source = maybe(fc.record({ path: maybe(fc.constantFrom(GOOD, LONG, MISSING, 'relative.iotrace')) }));
const memRef = maybe(fc.constantFrom('process:vmm@0x0', 'phys@0x1000', 'process:vmm@0xffffffffffffffff', 'iova:iommufd:3@0x1000000', 'iova:x:y@0x0', 'vmm:0x0', 'nonsense', '0x', ''));

/** A request, or 'wait' (let the adapter catch up: some runs end, stops arrive). */
type Op = { command: string; args?: unknown } | 'wait';

const req = (command: string, args?: fc.Arbitrary<unknown>): fc.Arbitrary<Op> =>
  args ? fc.oneof({ weight: 6, arbitrary: args }, { weight: 1, arbitrary: junk }).map((a) => ({ command, args: a })) : fc.constant({ command });

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.constant<Op>('wait'),
  req('initialize', fc.record({ adapterID: fc.constant('iotrace'), pathFormat: fc.constantFrom('path', 'uri'), linesStartAt1: fc.boolean(), supportsProgressReporting: fc.boolean() })),
  req('launch', fc.record({ program, stopOnEntry: maybe(fc.boolean()) })),
  req('configurationDone'),
  req('setBreakpoints', fc.record({ source, breakpoints: maybe(fc.array(fc.record({ line, condition: maybe(text), hitCondition: maybe(fc.constantFrom('3', '>= 2', '% 2', 'x')), logMessage: maybe(text) }, { requiredKeys: ['line'] }), { maxLength: 3 })) })),
  req('setFunctionBreakpoints', fc.record({ breakpoints: maybe(fc.array(fc.record({ name: maybe(fc.constantFrom('map_page', 'nope')), condition: maybe(text) }, { requiredKeys: ['name'] }), { maxLength: 2 })) })),
  req('setExceptionBreakpoints', fc.record({ filters: maybe(fc.array(fc.constantFrom('mismatch', 'errno', 'fault', 'stale', 'bogus'), { maxLength: 3 })) })),
  req('dataBreakpointInfo', fc.record({ name: maybe(text), variablesReference: ref }, { requiredKeys: ['name'] })),
  req('setDataBreakpoints', fc.record({ breakpoints: maybe(fc.array(fc.record({ dataId: maybe(fc.constantFrom('expr users(ioas)', 'expr (', 'memory process:vmm@0x0 4', 'memory phys@0x0 99999999999', 'memory vmm:0x0 4', 'memory x', 'bogus')) }), { maxLength: 2 })) })),
  req('threads'),
  req('stackTrace', fc.record({ threadId: thread, startFrame: maybe(fc.integer({ min: -2, max: 5 })), levels: maybe(fc.integer({ min: -2, max: 5 })) }, { requiredKeys: ['threadId'] })),
  req('scopes', fc.record({ frameId: ref })),
  req('variables', fc.record({ variablesReference: ref, start: maybe(fc.integer({ min: -5, max: 200 })), count: maybe(fc.integer({ min: -5, max: 200 })), filter: maybe(fc.constantFrom('indexed', 'named')) }, { requiredKeys: ['variablesReference'] })),
  req('evaluate', fc.record({ expression: maybe(text), frameId: ref, context: fc.constantFrom('watch', 'repl', 'hover') }, { requiredKeys: ['expression'] })),
  req('completions', fc.record({ text: maybe(text), column: maybe(fc.integer({ min: -2, max: 30 })), frameId: ref }, { requiredKeys: ['text', 'column'] })),
  ...['continue', 'next', 'stepIn', 'stepOut', 'stepBack', 'reverseContinue', 'pause'].map((c) => req(c, fc.record({ threadId: thread }))),
  req('gotoTargets', fc.record({ source, line })),
  req('goto', fc.record({ threadId: thread, targetId: ref })),
  req('readMemory', fc.record({ memoryReference: memRef, offset: maybe(fc.integer({ min: -16, max: 16 })), count: maybe(fc.constantFrom(0, 4, 64, 2 ** 31, -1)) }, { requiredKeys: ['memoryReference', 'count'] })),
  req('writeMemory', fc.record({ memoryReference: memRef, data: maybe(fc.constantFrom('AAAA', '', '!!')) })),
  req('exceptionInfo', fc.record({ threadId: thread })),
  req('setVariable', fc.record({ variablesReference: ref, name: text, value: text })),
  req('source', fc.record({ sourceReference: ref })),
  req('breakpointLocations', fc.record({ source, line, endLine: line }, { requiredKeys: ['source', 'line'] })),
  req('restart', fc.record({ arguments: fc.record({ program, stopOnEntry: maybe(fc.boolean()) }) }, { requiredKeys: [] })),
  req('terminate'),
  req('machineSnapshot'),
  req('objectOrigin', fc.record({ fd: maybe(fc.constant('iommufd')), id: ref })),
  req('toggleFormatting'),
  fc.constantFrom('frobnicate', 'restartFrame', 'stepInTargets', 'attach', 'modules', 'loadedSources', 'disassemble').map((command): Op => ({ command, args: { x: 1 } })),
);

/** A storm: a handful of requests to put a session in some state, then the random ones; sometimes a disconnect while a long run goes on. */
const storm = fc.record({
  prelude: fc.constantFrom('none', 'initialize', 'launch-good', 'launch-long'),
  ops: fc.array(op, { minLength: 5, maxLength: 40 }),
  disconnect: fc.constantFrom('none', 'none', 'mid-continue'),
});

interface Sent {
  command: string;
  args: unknown;
  response: Promise<DapResponse>;
}

const PRELUDES: Record<string, Op[]> = {
  none: [],
  initialize: [{ command: 'initialize', args: { adapterID: 'iotrace', pathFormat: 'path' } }],
  'launch-good': [{ command: 'initialize', args: { adapterID: 'iotrace', pathFormat: 'path' } }, { command: 'launch', args: { program: GOOD, stopOnEntry: true } }, { command: 'configurationDone' }],
  'launch-long': [{ command: 'initialize', args: { adapterID: 'iotrace', pathFormat: 'path' } }, { command: 'launch', args: { program: LONG } }, { command: 'configurationDone' }],
};

let requestsSent = 0;
let storms = 0;
let disconnects = 0;

async function runStorm(s: { prelude: string; ops: Op[]; disconnect: string }): Promise<void> {
  const wire = new DapWire();
  storms++;
  if (s.disconnect === 'mid-continue') disconnects++;
  const sent: Sent[] = [];
  const send = (command: string, args?: unknown) => {
    requestsSent++;
    const r = { command, args, response: wire.send(command, args).response };
    sent.push(r);
    return r;
  };
  const context = () => `prelude ${s.prelude}, disconnect ${s.disconnect}\nrequests: ${JSON.stringify(sent.map((r) => [r.command, r.args]))}\nadapter stderr: ${wire.stderr.join('').slice(0, 2000)}`;
  try {
    for (const o of [...PRELUDES[s.prelude]!, ...s.ops]) {
      if (o === 'wait') await new Promise((r) => setTimeout(r, 20));
      else send(o.command, o.args);
    }
    if (s.disconnect === 'mid-continue') {
      // A long run, and the client goes away while it runs.
      send('terminate');
      const from = wire.events.length;
      send('restart', { arguments: { program: LONG } });
      await wire.event('initialized', from, 3000);
      send('configurationDone');
      send('continue', { threadId: 1 });
      await new Promise((r) => setTimeout(r, 30));
      const bye = send('disconnect', {});
      assert.equal((await within(bye.response, 5000))?.success, true, 'disconnect is answered');
      assert.ok(await wire.exited(5000), 'the adapter exits after a disconnect');
      assert.equal(wire.exit?.code, 0, 'and exits cleanly');
    } else {
      // A launch waits for configurationDone: send one so that every request can be answered.
      send('configurationDone');
    }
    for (const r of sent) {
      const res = await within(r.response, 10_000);
      if (s.disconnect === 'mid-continue' && !res) continue; // sent after the disconnect's answer could not be
      assert.ok(res, `${r.command} ${JSON.stringify(r.args)} was never answered`);
      assert.notEqual(res.body?.error?.id, 1104, `${r.command} ${JSON.stringify(r.args)} threw inside the adapter: ${res.message}`);
      if (!res.success) assert.ok(res.message && res.message.length > 0, `${r.command} failed without a message`);
      const why = surelyWrong(r.command, r.args);
      if (why) assert.equal(res.success, false, `${r.command} ${JSON.stringify(r.args)} (${why}) was accepted`);
    }
    if (s.disconnect === 'mid-continue') return;
    assert.equal(wire.exit, undefined, 'the adapter is still running');
    assert.deepEqual(await normalSession(wire), await freshTranscript(), 'a normal session after the storm shows what it shows on a fresh adapter');
  } catch (e) {
    throw new Error(`${e instanceof Error ? e.message : String(e)}\n${context()}`);
  } finally {
    wire.kill();
  }
}

const NEEDS_OBJECT = new Set(['initialize', 'launch', 'setBreakpoints', 'setFunctionBreakpoints', 'setExceptionBreakpoints', 'dataBreakpointInfo', 'setDataBreakpoints', 'stackTrace', 'scopes', 'variables', 'evaluate', 'completions', 'continue', 'next', 'stepIn', 'stepOut', 'stepBack', 'reverseContinue', 'goto', 'gotoTargets', 'readMemory', 'writeMemory', 'breakpointLocations', 'setVariable']);
const THREADED = new Set(['continue', 'next', 'stepIn', 'stepOut', 'stepBack', 'reverseContinue', 'goto', 'stackTrace']);

/** Why a request can only fail, whatever state the session is in (undefined: it may succeed). */
function surelyWrong(command: string, args: unknown): string | undefined {
  if (['frobnicate', 'setVariable'].includes(command)) return 'not a request this adapter does';
  const isObject = typeof args === 'object' && args !== null && !Array.isArray(args);
  if (NEEDS_OBJECT.has(command) && !isObject) return 'its arguments are not an object';
  if (!isObject) return undefined;
  const a = args as Record<string, unknown>;
  if (THREADED.has(command) && a.threadId !== 1) return 'unknown thread';
  if (command === 'variables' && !(Number.isSafeInteger(a.variablesReference) && (a.variablesReference as number) > 0 && (a.variablesReference as number) < 1_000_000)) return 'no such variables reference';
  if (command === 'launch' && a.program !== GOOD && a.program !== LONG) return 'not a runnable trace';
  if (command === 'readMemory' && !(Number.isSafeInteger(a.count) && (a.count as number) >= 0)) return 'bad count';
  if (['scopes', 'evaluate'].includes(command) && a.frameId !== undefined && !(Number.isSafeInteger(a.frameId) && (a.frameId as number) >= 0 && (a.frameId as number) < 1000)) return 'no such frame';
  return undefined;
}

/** What an ordinary session shows, as one comparable value. */
interface Transcript {
  breakpoints: unknown;
  stop: unknown;
  frames: unknown;
  value: unknown;
  locals: unknown;
  summary: unknown;
}

/**
 * A whole ordinary session: restart with a good program, a breakpoint,
 * inspect there, run to the end, disconnect. After a storm it must show
 * exactly what it shows on a fresh adapter.
 */
async function normalSession(wire: DapWire): Promise<Transcript> {
  const from = wire.events.length;
  await wire.request('initialize', { adapterID: 'iotrace', pathFormat: 'path', linesStartAt1: true, columnsStartAt1: true });
  const restarted = wire.send('restart', { arguments: { program: GOOD } }).response;
  const initialized = await wire.event('initialized', from);
  assert.ok(initialized, 'a restart with a good program initializes');
  // Events before it may still come from what the storm left running; none after it can.
  const since = wire.events.indexOf(initialized);
  const bps = await wire.request('setBreakpoints', { source: { path: GOOD }, breakpoints: [{ line: 22 }] });
  assert.equal((await wire.request('setExceptionBreakpoints', { filters: [] }))?.success, true, 'setExceptionBreakpoints');
  assert.equal((await wire.request('configurationDone'))?.success, true, 'configurationDone');
  assert.equal((await within(restarted, 5000))?.success, true, 'the restart is answered');
  const stop = await wire.event('stopped', since);
  const st = await wire.request('stackTrace', { threadId: 1 });
  const ev = await wire.request('evaluate', { expression: 'users(ioas)', frameId: 0, context: 'watch' });
  const scopes = await wire.request('scopes', { frameId: 0 });
  const locals = (scopes?.body as { scopes: { name: string; variablesReference: number }[] }).scopes.find((x) => x.name === 'Locals')!;
  const vars = await wire.request('variables', { variablesReference: locals.variablesReference });
  const outputs = wire.events.length;
  assert.equal((await wire.request('continue', { threadId: 1 }))?.success, true, 'continue');
  assert.ok(await wire.event('terminated', outputs), 'the run ends');
  const summary = wire.events.slice(outputs).find((e) => e.event === 'output' && /end of trace/.test(String(e.body?.output)));
  assert.equal((await wire.request('disconnect', {}))?.success, true, 'disconnect');
  assert.ok(await wire.exited(5000), 'the adapter exits after the disconnect');
  return {
    breakpoints: bps?.body,
    stop: stop?.body,
    frames: st?.body,
    // The storm may have toggled hex/decimal display: a preference of the client's, not state.
    value: String(ev?.body?.result).replace(/^0x2$/, '2'),
    locals: (vars?.body as { variables: { name: string; value: string }[] }).variables.map((v) => v.name),
    summary: summary?.body?.output,
  };
}

let fresh: Transcript | undefined;

/** The transcript of a normal session on an adapter that saw nothing else. */
async function freshTranscript(): Promise<Transcript> {
  if (!fresh) {
    const wire = new DapWire();
    try {
      fresh = await normalSession(wire);
    } finally {
      wire.kill();
    }
    assert.deepEqual([(fresh.stop as { reason: string }).reason, fresh.value], ['breakpoint', '2']);
    assert.match(String(fresh.summary), /end of trace: \d+ statements, 2 mismatches/);
  }
  return fresh;
}

describe('debug adapter protocol fuzzing', () => {
  it('survives random request storms, answers every request, and a normal session works after', async (t) => {
    await checkAsyncProperty('dap request storms', fc.asyncProperty(storm, runStorm), 6);
    assert.ok(requestsSent > 0);
    t.diagnostic(`${storms} storms (${disconnects} ending in a disconnect mid-run), ${requestsSent} requests`);
  });
});
