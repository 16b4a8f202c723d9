// The shape checks every DAP request passes before its handler runs. A
// client is untrusted input like a trace: a request with arguments that are
// not an object, a field of the wrong type (a string for a line, 1e300 for a
// frame id), or an id the session never handed out (a thread, a frame, a
// variables reference) gets an error response that says which, instead of a
// handler throwing on it or quietly answering about something else.
import type { DebugProtocol } from '@vscode/debugprotocol';

/** What the checks need to know of the session's state. */
export interface RequestContext {
  threadId: number;
  /** How many stack frames there are (0 when nothing is loaded). */
  frames(): number;
  isVariablesReference(ref: number): boolean;
}

/** Requests that may come without arguments; every other request needs an arguments object. */
const ARGUMENTS_OPTIONAL = new Set(['configurationDone', 'threads', 'terminate', 'disconnect', 'restart', 'loadedSources', 'modules', 'toggleFormatting', 'machineSnapshot']);

/** Field types by name, as the DAP specification declares them wherever the name occurs (nested objects included). */
const FIELD_TYPES: ReadonlyMap<string, 'count' | 'integer' | 'string' | 'boolean' | 'object' | 'array'> = new Map([
  ...['threadId', 'frameId', 'variablesReference', 'startFrame', 'levels', 'line', 'endLine', 'column', 'endColumn', 'targetId', 'count', 'start', 'sourceReference', 'bytes'].map((k) => [k, 'count'] as const),
  ['offset', 'integer'] as const,
  ...['expression', 'text', 'memoryReference', 'data', 'name', 'value', 'program', 'cwd', 'dataId', 'filterId', 'condition', 'hitCondition', 'logMessage', 'path', 'context'].map((k) => [k, 'string'] as const),
  ...['stopOnEntry', 'asAddress', 'restart', 'terminateDebuggee', 'suspendDebuggee'].map((k) => [k, 'boolean'] as const),
  ...['source', 'arguments'].map((k) => [k, 'object'] as const),
  ...['breakpoints', 'filters', 'filterOptions', 'lines'].map((k) => [k, 'array'] as const),
]);

/** Fields each request cannot do without. */
const REQUIRED: Readonly<Record<string, readonly string[]>> = {
  launch: ['program'],
  setBreakpoints: ['source'],
  setFunctionBreakpoints: ['breakpoints'],
  setExceptionBreakpoints: ['filters'],
  setDataBreakpoints: ['breakpoints'],
  dataBreakpointInfo: ['name'],
  breakpointLocations: ['source', 'line'],
  stackTrace: ['threadId'],
  scopes: ['frameId'],
  variables: ['variablesReference'],
  evaluate: ['expression'],
  completions: ['text', 'column'],
  gotoTargets: ['source', 'line'],
  goto: ['threadId', 'targetId'],
  readMemory: ['memoryReference', 'count'],
  writeMemory: ['memoryReference', 'data'],
  ...Object.fromEntries(['continue', 'next', 'stepIn', 'stepOut', 'stepBack', 'reverseContinue', 'pause', 'exceptionInfo'].map((c) => [c, ['threadId']])),
};

/** Requests whose `variablesReference` must be one the session handed out (0 means "none" where DAP allows it). setVariable is refused whatever it names, with its own reason. */
const REFERENCES_VARIABLES = new Set(['variables', 'dataBreakpointInfo']);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The first thing wrong with `value` for a field named `key`, checking inside objects and arrays of objects. */
function fieldProblem(key: string, value: unknown, path: string, depth: number): string | undefined {
  const type = FIELD_TYPES.get(key);
  const ok =
    type === undefined ||
    (type === 'count' && Number.isSafeInteger(value) && (value as number) >= 0) ||
    (type === 'integer' && Number.isSafeInteger(value)) ||
    (type === 'string' && typeof value === 'string') ||
    (type === 'boolean' && typeof value === 'boolean') ||
    (type === 'object' && isObject(value)) ||
    (type === 'array' && Array.isArray(value));
  if (!ok) return `${path} must be ${type === 'count' ? 'a non-negative integer' : type === 'integer' ? 'an integer' : `a${type === 'object' || type === 'array' ? 'n' : ''} ${type}`}`;
  if (depth > 3) return undefined;
  if (isObject(value)) return objectProblem(value, path, depth + 1);
  if (Array.isArray(value) && (key === 'breakpoints' || key === 'filterOptions')) {
    for (const [i, item] of value.entries()) {
      if (!isObject(item)) return `${path}[${i}] must be an object`;
      const p = objectProblem(item, `${path}[${i}]`, depth + 1);
      if (p) return p;
    }
  }
  if (Array.isArray(value) && key === 'filters' && !value.every((f) => typeof f === 'string')) return `${path} must list strings`;
  return undefined;
}

function objectProblem(obj: Record<string, unknown>, path: string, depth: number): string | undefined {
  for (const [k, v] of Object.entries(obj)) {
    if (v === undefined) continue;
    const p = fieldProblem(k, v, path ? `${path}.${k}` : k, depth);
    if (p) return p;
  }
  return undefined;
}

/** Why `request` cannot be served as it stands, or undefined. */
export function requestProblem(request: DebugProtocol.Request, ctx: RequestContext): string | undefined {
  const args: unknown = request.arguments;
  if (args === undefined) {
    return ARGUMENTS_OPTIONAL.has(request.command) || !(request.command in REQUIRED || request.command === 'initialize') ? undefined : `${request.command} needs arguments`;
  }
  if (!isObject(args)) return `the arguments of ${request.command} must be an object`;
  const missing = REQUIRED[request.command]?.find((k) => args[k] === undefined);
  if (missing) return `${request.command} needs ${missing}`;
  const shape = objectProblem(args, '', 0);
  if (shape) return `${request.command}: ${shape}`;
  if (args.threadId !== undefined && args.threadId !== ctx.threadId) return `unknown thread ${String(args.threadId)}: the only thread is ${ctx.threadId}`;
  // Frame 0 stays valid once the run has ended (it is the file's scope): watches are evaluated there.
  if (args.frameId !== undefined && (args.frameId as number) >= Math.max(1, ctx.frames())) return `unknown frame ${String(args.frameId)}`;
  const ref = args.variablesReference as number | undefined;
  if (REFERENCES_VARIABLES.has(request.command) && ref !== undefined && (ref !== 0 || request.command !== 'dataBreakpointInfo') && !ctx.isVariablesReference(ref)) {
    return `unknown variablesReference ${ref} (references last until the next step)`;
  }
  return undefined;
}
