// What a statement did, and whether that is what its author said it would
// do (`=> outcome`, trace-language §2). A difference is a mismatch, reported
// as `expected X, got Y (reason)`; the run always goes on after one.
import type { FaultRecord } from '../engine/machine-api.js';
import type { Outcome as ExpectedOutcome, Range } from '../language/ast.js';
import { formatValue, valuesEqual, type Value } from './values.js';

export type Actual =
  /** The statement succeeded; `value` is its primary result (an id, an iova, the value read). */
  | { kind: 'ok'; value?: Value }
  /** The kernel refused it: the errno and the check that failed. */
  | { kind: 'errno'; errno: string; reason: string }
  /** A DMA faulted. */
  | { kind: 'fault'; fault: FaultRecord }
  /** An argument could not be computed (overflow, undefined name): nothing was issued. */
  | { kind: 'error'; message: string }
  /** A bug in the emulator itself: reported, never a crash. */
  | { kind: 'internal'; message: string };

export interface Mismatch {
  file: string;
  /** The statement's range (0-based, as in the AST). */
  range: Range;
  expected: string;
  got: string;
  reason?: string;
}

/** `expected X, got Y (reason)` */
export function mismatchMessage(m: Pick<Mismatch, 'expected' | 'got' | 'reason'>): string {
  return `expected ${m.expected}, got ${m.got}${m.reason ? ` (${m.reason})` : ''}`;
}

/**
 * The expected outcome as it reads in a message, with a `=> VALUE`
 * already evaluated (`expectedValue`).
 */
function expectedText(expected: ExpectedOutcome | undefined, expectedValue: Value | undefined): string {
  if (!expected) return 'ok';
  switch (expected.kind) {
    case 'ok':
      return 'ok';
    case 'errno':
      return expected.name;
    case 'fault':
      return `fault ${expected.fault}`;
    case 'value':
      return expectedValue === undefined ? 'a value' : formatValue(expectedValue);
  }
}

function gotText(actual: Actual, showValue: boolean): string {
  switch (actual.kind) {
    case 'ok':
      return showValue && actual.value !== undefined ? formatValue(actual.value) : 'ok';
    case 'errno':
      return actual.errno;
    case 'fault':
      return `fault ${actual.fault.kind}`;
    case 'error':
      return 'error';
    case 'internal':
      return 'internal error';
  }
}

function reasonOf(actual: Actual): string | undefined {
  switch (actual.kind) {
    case 'ok':
      return undefined;
    case 'errno':
      return actual.reason;
    case 'fault':
      return actual.fault.detail;
    case 'error':
    case 'internal':
      return actual.message;
  }
}

function matches(expected: ExpectedOutcome | undefined, expectedValue: Value | undefined, actual: Actual): boolean {
  if (!expected || expected.kind === 'ok') return actual.kind === 'ok';
  switch (expected.kind) {
    case 'errno':
      return actual.kind === 'errno' && actual.errno === expected.name;
    case 'fault':
      return actual.kind === 'fault' && actual.fault.kind === expected.fault;
    case 'value':
      return actual.kind === 'ok' && actual.value !== undefined && expectedValue !== undefined &&
        valuesEqual(actual.value, expectedValue) === true;
  }
}

/**
 * Compares a statement's outcome with its `=>` (absent: `ok`). Returns the
 * parts of the mismatch message, or undefined when they agree.
 */
export function compareOutcome(
  expected: ExpectedOutcome | undefined,
  expectedValue: Value | undefined,
  actual: Actual,
): Pick<Mismatch, 'expected' | 'got' | 'reason'> | undefined {
  if (matches(expected, expectedValue, actual)) return undefined;
  const showValue = expected?.kind === 'value' || expected?.kind === 'fault';
  return { expected: expectedText(expected, expectedValue), got: gotText(actual, showValue), reason: reasonOf(actual) };
}
