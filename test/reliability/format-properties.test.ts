// Properties of the formatter on untrusted text (issue 9 §1): formatting is
// idempotent and never changes what a file means. "Means" is the syntax
// tree without its ranges (formatting moves columns) plus the diagnostics'
// messages, so a file that does not parse keeps exactly its errors too.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { formatText } from '../../emulator/language/format.js';
import { parse } from '../../emulator/language/index.js';
import { checkProperty } from './property-budget.js';
import { traceProgram } from './trace-program.js';
import { traceText } from './trace-text.js';

const FILE = '/workspace/fmt.iotrace';

/** The tree and the messages, with every range left out (a key named `range` or ending in `Range`). */
function meaning(text: string): string {
  const { program, diagnostics } = parse(FILE, text);
  const tree = JSON.stringify(program, (key, v: unknown) => {
    if (key === 'range' || key.endsWith('Range')) return undefined;
    if (typeof v === 'bigint') return `${v}n`;
    if (v instanceof Uint8Array) return `bytes:${Buffer.from(v).toString('hex')}`;
    return v;
  });
  return `${tree}\n${diagnostics.map((d) => d.message).join('\n')}`;
}

const idempotentAndFaithful = (text: string): void => {
  const once = formatText(text);
  assert.equal(formatText(once), once, 'formatting a formatted text changed it');
  assert.equal(meaning(once), meaning(text), 'formatting changed the tree or the diagnostics');
};

describe('formatter on arbitrary text', () => {
  it('is idempotent and keeps the tree and the diagnostics (random and mutated texts)', () => {
    checkProperty('formatter (texts)', fc.property(traceText, idempotentAndFaithful), 300);
  });

  it('is idempotent and keeps the tree (random valid programs)', () => {
    checkProperty('formatter (programs)', fc.property(traceProgram, idempotentAndFaithful), 200);
  });

  it('the meaning compared is sensitive to what formatting must not change', () => {
    assert.notEqual(meaning('ioas_map ioas ram 4K'), meaning('ioas_map ioas ram 8K'));
    assert.notEqual(meaning('let r = x[0]'), meaning('let r = x [0]'));
    assert.equal(meaning('ioas_map   ioas ram 4K'), meaning('ioas_map ioas ram 4K'));
  });

  it('keeps every kind of line break, so lines separated by a lone CR stay two statements', () => {
    assert.equal(formatText('ioas_alloc\rioas_alloc'), 'ioas_alloc\rioas_alloc');
    assert.equal(formatText('a  b\r\n  c   d\n'), 'a b\r\nc d\n');
  });

  it('leaves \\v, \\f and unterminated strings as written (they are errors; trimming them would hide one)', () => {
    assert.equal(formatText('ioas_alloc\v'), 'ioas_alloc\v');
    assert.equal(formatText('let s = "a  '), 'let s = "a  ');
  });
});
