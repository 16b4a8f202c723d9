import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMachine } from '../../emulator/engine/machine.js';
import { documentDiagnostics, liveDiagnostics } from '../../server/language/diagnostics.js';
import { LiveRunner, type LiveResult } from '../../server/language/live-results.js';
import { analyseText } from './analyse-text.js';

test('diagnostics: own errors, an include with errors at its path, unused bindings as hints', () => {
  const text = 'include "bad.iotrace"\nlet x = 1\nioas = ioas_alloc\ndestroy ioas\n';
  const ds = documentDiagnostics(analyseText(text, { 'bad.iotrace': 'ioas_aloc\n' }));
  assert.deepEqual(ds.map((d) => [d.range.start.line, d.severity, d.code]), [[0, 'error', 'include'], [1, 'hint', 'unused']]);
  assert.match(ds[0]!.message, /bad.iotrace:1:1: unknown command 'ioas_aloc'/);
});

test('diagnostics: expectations that can never hold are warned about', () => {
  const text = 'ioas = ioas_alloc => 0\ndestroy ioas => 5\nrepeat 2 {\n  expect 0\n}\nx = ioas_alloc => 2\n';
  const ds = documentDiagnostics(analyseText(text)).filter((d) => d.severity === 'warning');
  assert.deepEqual(ds.map((d) => d.range.start.line), [0, 1, 3]);
  assert.match(ds[0]!.message, /ids start at 1/);
  assert.match(ds[1]!.message, /'destroy' returns no value/);
});

test('diagnostics: live mismatches of this very text, with the actual outcome', () => {
  const text = 'device nic0\nioas = ioas_alloc\nnic = bind nic0\nattach nic ioas\ndestroy ioas\n';
  const a = analyseText(text);
  let live: LiveResult | undefined;
  new LiveRunner({ createMachine, defer: (fn) => fn() }).start(a, (r) => (live = r));
  const ds = liveDiagnostics(a, live);
  assert.deepEqual(ds.map((d) => [d.range.start.line, d.code, d.actual]), [[4, 'mismatch', 'EBUSY']]);
  assert.match(ds[0]!.message, /^expected ok, got EBUSY \(/);
  assert.deepEqual(liveDiagnostics(analyseText(text), live), [], 'a newer text shows no stale mismatches');
});
