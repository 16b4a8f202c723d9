// The TextMate grammar lists commands and queries literally (TextMate has no
// imports); this keeps those lists in step with the language's own tables.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMMANDS } from '../../emulator/language/commands.js';
import { QUERIES } from '../../emulator/language/queries.js';

const grammar = JSON.parse(readFileSync(join(__dirname, '..', '..', 'syntaxes', 'iotrace.tmLanguage.json'), 'utf8'));

/** The words of the `(a|b|c)` alternation in a rule's regex. */
function alternation(regex: string): Set<string> {
  const m = /\\b\(([a-z0-9_|]+)\)/.exec(regex);
  assert.ok(m, `no word alternation in ${regex}`);
  return new Set(m[1]!.split('|'));
}

test('grammar: the statement head lists exactly the commands of the command table', () => {
  const listed = alternation(grammar.repository['statement-head'].match);
  assert.deepEqual([...listed].sort(), [...COMMANDS.keys()].sort());
});

test('grammar: the query rule lists exactly the built-in queries', () => {
  const listed = alternation(grammar.repository.calls.patterns[0].match);
  assert.deepEqual([...listed].sort(), [...QUERIES.keys()].sort());
});
