// The DAP session: protocol concerns only (capabilities, ids for frames and
// variables, line bases, turning runtime events into DAP events). The
// program state lives in the DebugRuntime (emulator/runtime/debug-runtime.ts).
import { resolve } from 'node:path';
import {
  Breakpoint, Handles, InitializedEvent, InvalidatedEvent, LoggingDebugSession, OutputEvent, ProgressEndEvent, ProgressStartEvent,
  ProgressUpdateEvent, Response, Scope, Source, StackFrame, StoppedEvent, TerminatedEvent, Thread,
} from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { readSpace, writeSpace } from '../../emulator/engine/inspect/memory.js';
import { machineSnapshot } from '../../emulator/engine/inspect/snapshot.js';
import { createMachine, Machine } from '../../emulator/engine/machine.js';
import { checkFile } from '../../emulator/language/index.js';
import type { Expr } from '../../emulator/language/ast.js';
import { parseHitCondition, parseLogMessage, type ExceptionFilter } from '../../emulator/runtime/breakpoints.js';
import { DebugRuntime, type Output, type Stop } from '../../emulator/runtime/debug-runtime.js';
import { mismatchMessage, type Mismatch } from '../../emulator/runtime/outcome.js';
import { parseExpression } from '../../emulator/runtime/parse-expression.js';
import { queryNames } from '../../emulator/runtime/queries.js';
import { formatValue, isError } from '../../emulator/runtime/values.js';
import { parseMemoryReference } from './memory-reference.js';
import { objectOrigin } from './object-origin.js';
import { requestProblem } from './request-checks.js';
import { SourceLines } from './source-lines.js';
import type { TreeNode } from './tree-node.js';
import { localsNodes, machineScopes, valueNode } from './variable-tree.js';

export interface LaunchArgs extends DebugProtocol.LaunchRequestArguments {
  program: string;
  stopOnEntry?: boolean;
  cwd?: string;
}

const THREAD = 1;
const PAGE = 100;
/** The most bytes one readMemory answers (clients page through larger views): a request for 2^31 must not allocate them. */
const MAX_READ = 1 << 20;
/** The most bytes a data breakpoint on memory watches. */
const MAX_WATCH = 4096;

const EXCEPTION_FILTERS: DebugProtocol.ExceptionBreakpointsFilter[] = [
  { filter: 'mismatch', label: 'Mismatches', description: 'A statement whose outcome differs from its `=>`', supportsCondition: true, conditionDescription: 'e.g. got == "EBUSY"' },
  { filter: 'errno', label: 'Any errno', description: 'The kernel refused a call', supportsCondition: true, conditionDescription: 'e.g. errno == EBUSY' },
  { filter: 'fault', label: 'DMA faults', description: 'A device access faulted', supportsCondition: true, conditionDescription: 'e.g. kind == "permission"' },
  { filter: 'stale', label: 'Stale IOTLB hits', description: 'A DMA was translated by an IOTLB entry the page table no longer backs', supportsCondition: true, conditionDescription: 'e.g. iova == 0xfe980000' },
];

export class IotraceDebugSession extends LoggingDebugSession {
  private runtime?: DebugRuntime;
  private lines?: SourceLines;
  private launchArgs?: LaunchArgs;
  private configured!: Promise<void>;
  private markConfigured!: () => void;
  private readonly handles = new Handles<() => TreeNode[]>();
  /** Numbers in hex (the default) or decimal: the `toggleFormatting` custom request flips it. */
  private hex = true;
  private progressReporting = false;
  /** The id of the progress shown for the current long run, if any. */
  private progressId?: string;
  private progressCount = 0;

  constructor() {
    super();
    // The AST counts lines and columns from 0.
    this.setDebuggerLinesStartAt1(false);
    this.setDebuggerColumnsStartAt1(false);
    this.resetConfigured();
  }

  private resetConfigured(): void {
    this.configured = new Promise((r) => (this.markConfigured = r));
  }

  protected override initializeRequest(response: DebugProtocol.InitializeResponse, args: DebugProtocol.InitializeRequestArguments): void {
    this.progressReporting = args.supportsProgressReporting ?? false;
    response.body = {
      supportsConfigurationDoneRequest: true,
      supportsStepBack: true,
      supportsGotoTargetsRequest: true,
      supportsConditionalBreakpoints: true,
      supportsHitConditionalBreakpoints: true,
      supportsLogPoints: true,
      supportsFunctionBreakpoints: true,
      supportsBreakpointLocationsRequest: true,
      supportsEvaluateForHovers: true,
      supportsExceptionInfoRequest: true,
      supportsExceptionFilterOptions: true,
      exceptionBreakpointFilters: EXCEPTION_FILTERS,
      supportsSetVariable: false,
      supportsReadMemoryRequest: true,
      supportsWriteMemoryRequest: true,
      supportsDataBreakpoints: true,
      supportsDataBreakpointBytes: true,
      supportsCompletionsRequest: true,
      supportsRestartRequest: true,
      supportsTerminateRequest: true,
    };
    this.sendResponse(response);
  }

  protected override configurationDoneRequest(response: DebugProtocol.ConfigurationDoneResponse): void {
    this.markConfigured();
    this.sendResponse(response);
  }

  /** Malformed requests and unknown ids are answered here, before any handler sees them (request-checks.ts). */
  protected override dispatchRequest(request: DebugProtocol.Request): void {
    const problem = requestProblem(request, {
      threadId: THREAD,
      frames: () => this.runtime?.run.frames().length ?? 0,
      isVariablesReference: (ref) => this.handles.get(ref) !== undefined,
    });
    if (problem) this.sendErrorResponse(new Response(request), 20, problem);
    else super.dispatchRequest(request);
  }

  protected override async launchRequest(response: DebugProtocol.LaunchResponse, args: LaunchArgs): Promise<void> {
    // One trace per session: a second launch would leave the first one running unseen.
    if (this.runtime) return this.sendErrorResponse(response, 13, 'a trace is already loaded in this session: restart it, or start another session');
    this.launchArgs = args;
    const problem = await this.load(args);
    if (problem) return this.sendErrorResponse(response, problem.code, problem.message);
    this.sendResponse(response);
    this.runtime!.start(args.stopOnEntry ?? false);
  }

  /**
   * Checks `args.program`, makes its runtime, announces `initialized` and
   * waits for the client's configuration; the error to answer with, if any
   * (also when a restart replaced this load while it waited).
   */
  private async load(args: LaunchArgs): Promise<{ code: number; message: string } | undefined> {
    const file = resolve(args.cwd ?? process.cwd(), args.program);
    let loaded;
    try {
      loaded = checkFile(file, { workspaceRoot: resolve(file, '..') });
    } catch (e) {
      return { code: 1, message: `cannot read ${file}: ${e instanceof Error ? e.message : String(e)}` };
    }
    const errors = loaded.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length > 0) {
      for (const d of errors) this.output({ text: d.message, category: 'stderr', stmt: { file: d.file, line: d.range.start.line, column: d.range.start.character } });
      return { code: 2, message: `${file} has ${errors.length} error(s); the first: ${errors[0]!.message}` };
    }
    this.lines = new SourceLines(loaded.program);
    const rt = new DebugRuntime(loaded.program, createMachine);
    this.runtime = rt;
    rt.on('stopped', (s: Stop) => {
      this.endProgress();
      this.sendEvent(new StoppedEvent(s.reason, THREAD, s.hit?.text));
    });
    rt.on('output', (o: Output) => this.output(o));
    rt.on('end', (ms: Mismatch[]) => {
      this.endProgress();
      this.finish(ms);
    });
    rt.on('progress', (statements: number) => this.progress(statements));
    // Breakpoints are verified against the loaded program: ask for them now.
    this.sendEvent(new InitializedEvent());
    await this.configured;
    return this.runtime === rt ? undefined : { code: 15, message: 'the launch was replaced by a restart' };
  }

  /** A long run shows how far it got (clients that asked for progress reports). */
  private progress(statements: number): void {
    if (!this.progressReporting) return;
    const text = `${statements} statements run`;
    if (this.progressId === undefined) {
      this.progressId = `run-${++this.progressCount}`;
      this.sendEvent(new ProgressStartEvent(this.progressId, 'Running the trace', text));
    } else this.sendEvent(new ProgressUpdateEvent(this.progressId, text));
  }

  private endProgress(): void {
    if (this.progressId === undefined) return;
    this.sendEvent(new ProgressEndEvent(this.progressId));
    this.progressId = undefined;
  }

  private output(o: Output): void {
    const e = new OutputEvent(`${o.text}\n`, o.category) as DebugProtocol.OutputEvent;
    if (o.stmt) {
      e.body.source = new Source(o.stmt.file, o.stmt.file);
      e.body.line = this.convertDebuggerLineToClient(o.stmt.line);
      e.body.column = this.convertDebuggerColumnToClient(o.stmt.column);
    }
    this.sendEvent(e);
  }

  private finish(ms: Mismatch[]): void {
    for (const m of ms) this.output({ text: `${m.file}:${m.range.start.line + 1}:${m.range.start.character + 1}: ${mismatchMessage(m)}`, category: 'stderr', stmt: { file: m.file, line: m.range.start.line, column: m.range.start.character } });
    const rt = this.runtime!;
    this.output({ text: `end of trace: ${rt.run.statements} statements, ${ms.length} mismatch${ms.length === 1 ? '' : 'es'}`, category: 'console' });
    this.sendEvent(new TerminatedEvent());
  }

  /** Runs the trace again from the start: with the launch arguments the client sends (its edited configuration), else the last ones. */
  protected override async restartRequest(response: DebugProtocol.RestartResponse, args?: DebugProtocol.RestartArguments): Promise<void> {
    const launch = (args?.arguments as LaunchArgs | undefined) ?? this.launchArgs;
    if (!launch) return this.sendErrorResponse(response, 14, 'nothing to restart: no trace was launched');
    if (typeof launch.program !== 'string') return this.sendErrorResponse(response, 20, 'restart: arguments.program must be a string');
    this.runtime?.cancel();
    this.runtime?.removeAllListeners();
    this.runtime = undefined;
    // Breakpoints live in the runtime: the client sends them again after the new `initialized`.
    this.handles.reset();
    // A launch or restart still waiting for its configuration gives up (load() sees it was replaced).
    this.markConfigured();
    this.resetConfigured();
    this.launchArgs = launch;
    const problem = await this.load(launch);
    if (problem) return this.sendErrorResponse(response, problem.code, problem.message);
    this.sendResponse(response);
    this.runtime!.start(launch.stopOnEntry ?? false);
  }

  protected override disconnectRequest(response: DebugProtocol.DisconnectResponse, args: DebugProtocol.DisconnectArguments): void {
    this.runtime?.cancel();
    // The base class answers and shuts the session down (the process exits when run standalone).
    super.disconnectRequest(response, args);
  }

  protected override terminateRequest(response: DebugProtocol.TerminateResponse): void {
    this.runtime?.cancel();
    this.sendResponse(response);
    this.sendEvent(new TerminatedEvent());
  }

  // ---- breakpoints ----

  protected override setBreakPointsRequest(response: DebugProtocol.SetBreakpointsResponse, args: DebugProtocol.SetBreakpointsArguments): void {
    const rt = this.runtime;
    const file = resolve(args.source.path ?? '');
    const out: DebugProtocol.Breakpoint[] = [];
    const set: Parameters<DebugRuntime['breakpoints']['setLines']>[1] = [];
    for (const req of args.breakpoints ?? []) {
      const stmt = this.lines?.statementAtOrAfter(file, this.convertClientLineToDebugger(req.line));
      const bp = new Breakpoint(false) as DebugProtocol.Breakpoint;
      if (!rt || !stmt) {
        bp.message = rt ? 'no statement at or after this line' : 'no program is loaded';
        out.push(bp);
        continue;
      }
      const id = rt.breakpoints.allocateId();
      const entry: (typeof set)[number] = { id, file: stmt.file, line: stmt.range.start.line };
      const problem = this.breakpointOptions(entry, req);
      bp.id = id;
      bp.verified = problem === undefined;
      if (problem) bp.message = problem;
      else set.push(entry);
      bp.line = this.convertDebuggerLineToClient(stmt.range.start.line);
      bp.source = new Source(file, file);
      out.push(bp);
    }
    rt?.breakpoints.setLines(set[0]?.file ?? file, set);
    response.body = { breakpoints: out };
    this.sendResponse(response);
  }

  /** Condition, hit count and log message of a line breakpoint; the first problem, if any. */
  private breakpointOptions(entry: { condition?: Expr; hit?: { op: '>=' | '%'; n: number }; log?: (string | Expr)[] }, req: DebugProtocol.SourceBreakpoint): string | undefined {
    if (req.condition) {
      const p = parseExpression(req.condition);
      if (!p.ok) return `condition: ${p.message}`;
      entry.condition = p.expr;
    }
    if (req.hitCondition) {
      const h = parseHitCondition(req.hitCondition);
      if ('error' in h!) return h.error;
      entry.hit = h;
    }
    if (req.logMessage) {
      const l = parseLogMessage(req.logMessage);
      if ('error' in l) return `log message: ${l.error}`;
      entry.log = l;
    }
    return undefined;
  }

  protected override breakpointLocationsRequest(response: DebugProtocol.BreakpointLocationsResponse, args: DebugProtocol.BreakpointLocationsArguments): void {
    const file = resolve(args.source.path ?? '');
    const start = this.convertClientLineToDebugger(args.line);
    const end = args.endLine === undefined ? start : this.convertClientLineToDebugger(args.endLine);
    const stmts = this.lines?.statementsBetween(file, start, end) ?? [];
    response.body = { breakpoints: stmts.map((s) => ({ line: this.convertDebuggerLineToClient(s.range.start.line), column: this.convertDebuggerColumnToClient(s.range.start.character) })) };
    this.sendResponse(response);
  }

  protected override setFunctionBreakPointsRequest(response: DebugProtocol.SetFunctionBreakpointsResponse, args: DebugProtocol.SetFunctionBreakpointsArguments): void {
    const rt = this.runtime;
    const set: { id: number; name: string; condition?: Expr }[] = [];
    const out = args.breakpoints.map((fb) => {
      const bp = new Breakpoint(!!rt) as DebugProtocol.Breakpoint;
      if (!rt) return bp;
      bp.id = rt.breakpoints.allocateId();
      const entry: (typeof set)[number] = { id: bp.id, name: fb.name };
      if (fb.condition) {
        const p = parseExpression(fb.condition);
        if (!p.ok) {
          bp.verified = false;
          bp.message = `condition: ${p.message}`;
          return bp;
        }
        entry.condition = p.expr;
      }
      set.push(entry);
      return bp;
    });
    rt?.breakpoints.setFunctions(set);
    response.body = { breakpoints: out };
    this.sendResponse(response);
  }

  protected override setExceptionBreakPointsRequest(response: DebugProtocol.SetExceptionBreakpointsResponse, args: DebugProtocol.SetExceptionBreakpointsArguments): void {
    const filters = new Map<ExceptionFilter, Expr | undefined>();
    const out: DebugProtocol.Breakpoint[] = [];
    const options = [...(args.filters ?? []).map((filterId) => ({ filterId, condition: undefined as string | undefined })), ...(args.filterOptions ?? [])];
    for (const o of options) {
      if (!EXCEPTION_FILTERS.some((f) => f.filter === o.filterId)) {
        out.push({ verified: false, message: `unknown filter ${o.filterId}` });
        continue;
      }
      const p = o.condition ? parseExpression(o.condition) : undefined;
      if (p && !p.ok) {
        out.push({ verified: false, message: `condition: ${p.message}` });
        continue;
      }
      filters.set(o.filterId as ExceptionFilter, p?.expr);
      out.push({ verified: true });
    }
    this.runtime?.breakpoints.setExceptions(filters);
    response.body = { breakpoints: out };
    this.sendResponse(response);
  }

  protected override exceptionInfoRequest(response: DebugProtocol.ExceptionInfoResponse): void {
    const ex = this.runtime?.lastStop?.hit?.exception;
    if (!ex) return this.sendErrorResponse(response, 3, 'the run is not stopped on an exception');
    const at = `${ex.stmt.file}:${ex.stmt.range.start.line + 1}`;
    response.body = {
      exceptionId: ex.filter,
      description: ex.description,
      breakMode: 'always',
      details: { message: ex.description, typeName: ex.filter, stackTrace: at },
    };
    this.sendResponse(response);
  }

  protected override dataBreakpointInfoRequest(response: DebugProtocol.DataBreakpointInfoResponse, args: DebugProtocol.DataBreakpointInfoArguments): void {
    if (args.asAddress) {
      const ref = args.name;
      response.body = { dataId: `memory ${ref} ${args.bytes ?? 1}`, description: `${args.bytes ?? 1} bytes at ${ref}`, accessTypes: ['write'] };
    } else {
      // A variable with a watch expression (an object's `users`), or any expression by its text.
      const node = args.variablesReference ? this.handles.get(args.variablesReference)?.().find((n) => n.name === args.name) : undefined;
      const expr = node ? node.watch : args.name;
      response.body = expr && parseExpression(expr).ok
        ? { dataId: `expr ${expr}`, description: `${expr} changes`, accessTypes: ['write'] }
        : { dataId: null, description: `${args.name} cannot be watched` };
    }
    this.sendResponse(response);
  }

  protected override setDataBreakpointsRequest(response: DebugProtocol.SetDataBreakpointsResponse, args: DebugProtocol.SetDataBreakpointsArguments): void {
    const rt = this.runtime;
    if (!rt) return this.sendErrorResponse(response, 4, 'no program is loaded');
    const set = [];
    const out: DebugProtocol.Breakpoint[] = [];
    for (const d of args.breakpoints) {
      const watch = dataWatch(d.dataId);
      if (typeof watch === 'string') {
        out.push({ verified: false, message: watch });
        continue;
      }
      const id = rt.breakpoints.allocateId();
      set.push({ id, description: watch.description, read: watch.read });
      out.push({ id, verified: true });
    }
    rt.breakpoints.setData(set, rt.run);
    response.body = { breakpoints: out };
    this.sendResponse(response);
  }

  // ---- execution ----

  protected override threadsRequest(response: DebugProtocol.ThreadsResponse): void {
    response.body = { threads: [new Thread(THREAD, 'trace')] };
    this.sendResponse(response);
  }

  private control(response: DebugProtocol.Response, action: (rt: DebugRuntime) => void): void {
    const rt = this.runtime;
    if (!rt) return this.sendErrorResponse(response, 4, 'no program is loaded');
    this.handles.reset();
    this.sendResponse(response);
    action(rt);
  }

  protected override continueRequest(r: DebugProtocol.ContinueResponse): void {
    r.body = { allThreadsContinued: true };
    this.control(r, (rt) => rt.continue());
  }

  protected override nextRequest(r: DebugProtocol.NextResponse): void {
    this.control(r, (rt) => rt.next());
  }

  protected override stepInRequest(r: DebugProtocol.StepInResponse): void {
    this.control(r, (rt) => rt.stepIn());
  }

  protected override stepOutRequest(r: DebugProtocol.StepOutResponse): void {
    this.control(r, (rt) => rt.stepOut());
  }

  protected override stepBackRequest(r: DebugProtocol.StepBackResponse): void {
    this.control(r, (rt) => rt.stepBack());
  }

  protected override reverseContinueRequest(r: DebugProtocol.ReverseContinueResponse): void {
    this.control(r, (rt) => rt.reverseContinue());
  }

  protected override pauseRequest(r: DebugProtocol.PauseResponse): void {
    this.runtime?.pause();
    this.sendResponse(r);
  }

  protected override gotoTargetsRequest(response: DebugProtocol.GotoTargetsResponse, args: DebugProtocol.GotoTargetsArguments): void {
    const line = this.convertClientLineToDebugger(args.line);
    const all = this.lines?.all() ?? [];
    const stmt = this.lines?.statementAtOrAfter(args.source.path ?? '', line);
    response.body = {
      targets: stmt ? [{ id: all.indexOf(stmt), label: `line ${stmt.range.start.line + 1}`, line: this.convertDebuggerLineToClient(stmt.range.start.line) }] : [],
    };
    this.sendResponse(response);
  }

  protected override gotoRequest(response: DebugProtocol.GotoResponse, args: DebugProtocol.GotoArguments): void {
    const stmt = this.lines?.all()[args.targetId];
    if (!stmt) return this.sendErrorResponse(response, 5, `no goto target ${args.targetId}`);
    this.control(response, (rt) => rt.goto(stmt));
  }

  // ---- inspection ----

  protected override stackTraceRequest(response: DebugProtocol.StackTraceResponse, args: DebugProtocol.StackTraceArguments): void {
    const rt = this.runtime;
    const frames = rt?.run.frames() ?? [];
    const failed = rt?.lastStop?.hit?.exception?.stmt;
    const shown = frames.map((f, i) => {
      // Stopped on a failure: the innermost frame points at the statement that failed.
      const stmt = i === 0 && failed ? failed : f.statement;
      const line = this.convertDebuggerLineToClient(stmt?.range.start.line ?? 0);
      return new StackFrame(i, f.name, new Source(f.file, f.file), line, this.convertDebuggerColumnToClient(stmt?.range.start.character ?? 0));
    });
    const start = args.startFrame ?? 0;
    response.body = { stackFrames: shown.slice(start, args.levels ? start + args.levels : undefined), totalFrames: shown.length };
    this.sendResponse(response);
  }

  protected override scopesRequest(response: DebugProtocol.ScopesResponse, args: DebugProtocol.ScopesArguments): void {
    const rt = this.runtime;
    const scopes: DebugProtocol.Scope[] = [];
    if (rt) {
      const run = rt.run;
      scopes.push(new Scope('Locals', this.handles.create(() => localsNodes(run, args.frameId)), false));
      for (const s of machineScopes(run, () => rt.lastDma())) scopes.push(new Scope(s.name, this.handles.create(s.children), true));
    }
    response.body = { scopes };
    this.sendResponse(response);
  }

  protected override variablesRequest(response: DebugProtocol.VariablesResponse, args: DebugProtocol.VariablesArguments): void {
    const children = this.handles.get(args.variablesReference)?.() ?? [];
    const page = args.filter === 'indexed' || args.start !== undefined ? children.slice(args.start ?? 0, (args.start ?? 0) + (args.count ?? children.length)) : children;
    response.body = { variables: page.map((n) => this.variable(n)) };
    this.sendResponse(response);
  }

  private variable(n: TreeNode): DebugProtocol.Variable {
    const v: DebugProtocol.Variable = { name: n.name, value: this.shown(n.value), variablesReference: 0, presentationHint: { attributes: ['readOnly'] } };
    // Marks the variables VS Code's "toggle hex" context-menu entry applies to.
    (v as { __vscodeVariableMenuContext?: string }).__vscodeVariableMenuContext = 'iotraceNumber';
    if (n.children) {
      const kids = n.children;
      v.variablesReference = this.handles.create(kids);
      // Large collections page; the count is known without building the nodes' own children.
      const count = kids().length;
      if (count > PAGE) v.indexedVariables = count;
    }
    if (n.memoryReference) v.memoryReference = n.memoryReference;
    return v;
  }

  /** The tree renders hex; in decimal mode every hex literal of a value is shown in decimal. */
  private shown(text: string): string {
    return this.hex ? text : text.replace(/\b0x[0-9a-f]+\b/gi, (h) => BigInt(h).toString());
  }

  protected override customRequest(command: string, response: DebugProtocol.Response, args?: unknown): void {
    if (command === 'toggleFormatting') {
      this.hex = !this.hex;
      response.body = { hex: this.hex };
      this.sendResponse(response);
      this.sendEvent(new InvalidatedEvent(['variables']));
    } else if (command === 'machineSnapshot') this.machineSnapshot(response);
    else if (command === 'objectOrigin') this.objectOrigin(response, args);
    else this.sendErrorResponse(response, 10, `unknown request ${command}`);
  }

  /**
   * The whole machine at this stop for the extension's views: the engine's
   * MachineSnapshot plus the last DMA, bigints as hex strings (DAP is JSON).
   */
  private machineSnapshot(response: DebugProtocol.Response): void {
    const rt = this.runtime;
    const m = rt?.run.machine;
    if (!rt || !(m instanceof Machine)) return this.sendErrorResponse(response, 4, 'no program is loaded');
    const dma = rt.lastDma();
    const body = { ...machineSnapshot(m), ...(dma && { lastDma: { device: dma.device, iova: dma.iova } }) };
    response.body = JSON.parse(JSON.stringify(body, (_k, v: unknown) => (typeof v === 'bigint' ? `0x${v.toString(16)}` : v))) as unknown;
    this.sendResponse(response);
  }

  /** The statement that created object `{ fd, id }` (for the object graph's click): `{ file, line }`, line 0-based. */
  private objectOrigin(response: DebugProtocol.Response, args: unknown): void {
    const rt = this.runtime;
    if (!rt) return this.sendErrorResponse(response, 4, 'no program is loaded');
    const { fd, id } = (args ?? {}) as { fd?: unknown; id?: unknown };
    if (typeof fd !== 'string' || typeof id !== 'number') return this.sendErrorResponse(response, 11, 'objectOrigin needs { fd: string, id: number }');
    const origin = objectOrigin(rt.timeline, fd, id);
    if (!origin) return this.sendErrorResponse(response, 12, `no statement up to here created object ${id} of ${fd}`);
    response.body = origin;
    this.sendResponse(response);
  }

  protected override setVariableRequest(response: DebugProtocol.SetVariableResponse): void {
    this.sendErrorResponse(response, 6, 'a trace is history: values cannot be changed, only re-run (edit the trace, or use goto to revisit a statement)');
  }

  protected override evaluateRequest(response: DebugProtocol.EvaluateResponse, args: DebugProtocol.EvaluateArguments): void {
    const rt = this.runtime;
    if (!rt) return this.sendErrorResponse(response, 4, 'no program is loaded');
    const p = parseExpression(args.expression);
    if (!p.ok) return this.sendErrorResponse(response, 7, p.message);
    const v = rt.run.evaluate(p.expr, args.frameId ?? 0);
    if (isError(v)) return this.sendErrorResponse(response, 8, v.message);
    const node = valueNode(args.expression, v);
    response.body = { result: this.shown(node.value), variablesReference: node.children ? this.handles.create(node.children) : 0 };
    this.sendResponse(response);
  }

  protected override completionsRequest(response: DebugProtocol.CompletionsResponse, args: DebugProtocol.CompletionsArguments): void {
    const before = args.text.slice(0, args.column - 1);
    const word = /[A-Za-z_][A-Za-z0-9_]*$/.exec(before)?.[0] ?? '';
    const frame = this.runtime?.run.frames()[args.frameId ?? 0];
    const names = new Set([...(frame?.locals.map(([k]) => k) ?? []), ...queryNames()]);
    response.body = {
      targets: [...names].filter((n) => n.startsWith(word)).sort().map((n) => ({ label: n, type: queryNames().includes(n) ? 'function' : 'variable', start: args.column - 1 - word.length, length: word.length })),
    };
    this.sendResponse(response);
  }

  // ---- memory ----

  protected override readMemoryRequest(response: DebugProtocol.ReadMemoryResponse, args: DebugProtocol.ReadMemoryArguments): void {
    const m = this.runtime?.run.machine;
    if (!(m instanceof Machine)) return this.sendErrorResponse(response, 4, 'no program is loaded');
    try {
      const { space, addr } = parseMemoryReference(args.memoryReference);
      const start = addr + BigInt(args.offset ?? 0);
      const count = Math.min(args.count, MAX_READ);
      const chunks = readSpace(m, space, start, count);
      const first = chunks[0];
      // DAP returns readable bytes first, then how many after them are unreadable.
      if (!first) response.body = { address: `0x${start.toString(16)}` };
      else if ('bytes' in first) response.body = { address: `0x${start.toString(16)}`, data: Buffer.from(first.bytes).toString('base64'), unreadableBytes: count - first.bytes.length };
      else response.body = { address: `0x${start.toString(16)}`, unreadableBytes: first.unreadable };
      this.sendResponse(response);
    } catch (e) {
      this.sendErrorResponse(response, 9, e instanceof Error ? e.message : String(e));
    }
  }

  protected override writeMemoryRequest(response: DebugProtocol.WriteMemoryResponse, args: DebugProtocol.WriteMemoryArguments): void {
    const m = this.runtime?.run.machine;
    if (!(m instanceof Machine)) return this.sendErrorResponse(response, 4, 'no program is loaded');
    try {
      const { space, addr } = parseMemoryReference(args.memoryReference);
      const written = writeSpace(m, space, addr + BigInt(args.offset ?? 0), Buffer.from(args.data, 'base64'));
      response.body = { bytesWritten: written };
      this.sendResponse(response);
      this.output({ text: 'memory written by the debugger: it is not part of the trace, and going back (or a restart) undoes it', category: 'console' });
      this.sendEvent(new InvalidatedEvent(['variables']));
    } catch (e) {
      this.sendErrorResponse(response, 9, e instanceof Error ? e.message : String(e));
    }
  }
}

/** What a data breakpoint id watches: an expression's value, or a range of memory. */
function dataWatch(dataId: string): { description: string; read: (run: DebugRuntime['run']) => string } | string {
  const [kind, ...rest] = dataId.split(' ');
  if (kind === 'expr') {
    const text = rest.join(' ');
    const p = parseExpression(text);
    if (!p.ok) return p.message;
    return { description: text, read: (run) => formatValue(run.evaluate(p.expr)) };
  }
  if (kind === 'memory' && rest.length === 2) {
    let ref: ReturnType<typeof parseMemoryReference>;
    try {
      ref = parseMemoryReference(rest[0]!);
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
    const len = Number(rest[1]);
    // It is read after every statement: a page at most.
    if (!Number.isSafeInteger(len) || len < 1 || len > MAX_WATCH) return `a memory watch covers 1 to ${MAX_WATCH} bytes, not ${rest[1]}`;
    return {
      description: `${len} bytes at ${rest[0]}`,
      read: (run) => (run.machine instanceof Machine ? JSON.stringify(readSpace(run.machine, ref.space, ref.addr, len), (_k, v: unknown) => (typeof v === 'bigint' ? v.toString(16) : v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v)) : ''),
    };
  }
  return `unknown data breakpoint ${dataId}`;
}
