// The front end never throws, whatever it is given: it returns diagnostics.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { checkText } from '../../emulator/language/index.js';
import { parse } from '../../emulator/language/parser.js';

const opts = { workspaceRoot: '/ws', readFile: (): string => 'include "t.iotrace"\n' };

/** Fragments of real syntax, so that random input reaches deep into the parser and checker. */
const piece = fc.constantFrom(
  'ioas_map', 'attach', 'dma', 'device', 'memory', 'bind', 'let', 'expect', 'repeat', 'proc', 'include', 'in',
  'x', 'm0', 'users', 'len', '(', ')', '[', ']', '{', '}', ',', '=', '=>', '==', '..', '.', '|', '+', '-', '<<',
  '0x1f', '4K', '18446744073709551616', '"s', '"s"', 'h"de ad"', 'h"d', '\\\n', '\n', '#c\n', ' ', 'EBUSY', 'fault', 'ok',
);

test('the parser and checker never throw on arbitrary text', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 200 }), (text) => {
      const r = checkText('/ws/t.iotrace', text, opts);
      assert.ok(Array.isArray(r.diagnostics));
    }),
    { numRuns: 500 },
  );
});

test('the parser and checker never throw on shuffled fragments of the language', () => {
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 60 }), (parts) => {
      const text = parts.join(' ');
      parse('t', text);
      const r = checkText('/ws/t.iotrace', text, opts);
      for (const d of r.diagnostics) {
        assert.ok(d.range.start.line <= d.range.end.line);
        assert.ok(d.message.length > 0);
      }
    }),
    { numRuns: 1000 },
  );
});
