import { test } from 'node:test';
import assert from 'node:assert/strict';
import { signatureHelp } from '../../server/language/signature-help.js';
import { analyseText, SETUP } from './analyse-text.js';

function sigAt(text: string) {
  const lines = text.split('\n');
  const a = analyseText(text);
  return signatureHelp(a, { line: lines.length - 1, character: lines[lines.length - 1]!.length });
}

const param = (s: NonNullable<ReturnType<typeof sigAt>>): string => {
  const p = s.parameters[s.active];
  return p ? s.label.slice(p.label[0], p.label[1]) : '';
};

test('signature help: the active parameter follows the positional slots', () => {
  const s = sigAt(`${SETUP}ioas = ioas_alloc\nioas_map ioas ram `);
  assert.equal(s?.label, 'ioas_map ioas_id user_va length [iova] [flags]');
  assert.equal(param(s!), 'length');
});

test('signature help: a key being typed is the active parameter', () => {
  const s = sigAt(`${SETUP}ioas = ioas_alloc\nioas_map ioas ram 4K flags=`);
  assert.equal(param(s!), '[flags]');
});

test('signature help: queries and procs by comma position', () => {
  const q = sigAt(`${SETUP}expect translate(nic0, `);
  assert.equal(q?.label, 'translate(DEVICE, IOVA, [PASID])');
  assert.equal(param(q!), 'IOVA');
  const p = sigAt(`${SETUP}proc setup(dev, size) {\n}\nsetup(nic0, `);
  assert.equal(p?.label, 'setup(dev, size)');
  assert.equal(param(p!), 'size');
});
