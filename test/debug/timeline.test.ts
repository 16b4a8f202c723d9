// Going back restores exactly the state a forward run had at that position,
// for every conformance trace and example, whatever the checkpoint spacing.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { createMachine } from '../../emulator/engine/machine.js';
import { checkFile } from '../../emulator/language/index.js';
import { Run } from '../../emulator/runtime/interpreter.js';
import { Timeline } from '../../emulator/runtime/timeline.js';
import { CloneError, deepClone } from '../../emulator/runtime/deep-clone.js';
import { fingerprint } from './state-fingerprint.js';

const root = process.cwd();
const folders = [join(root, '../shared/conformance'), join(root, 'examples')];
const traces = folders.flatMap((d) => readdirSync(d).filter((f) => f.endsWith('.iotrace')).sort().map((f) => join(d, f)));

function load(file: string) {
  const { program, diagnostics } = checkFile(file, { workspaceRoot: resolve(file, '..') });
  return diagnostics.some((d) => d.severity === 'error') ? undefined : program;
}

/** Positions compared: all of a short trace, about 60 spread over a long one (access-rw runs 26k statements). */
const sampled = (p: number) => p % 997 === 0 || p % 1000 === 999 || p < 300;

/** The fingerprint after each sampled number of steps, by one plain forward run. */
function forward(program: NonNullable<ReturnType<typeof load>>): Map<number, string> {
  const run = new Run(program, { machine: createMachine() });
  const out = new Map([[0, fingerprint(run)]]);
  while (run.step()) if (sampled(run.statements)) out.set(run.statements, fingerprint(run));
  out.set(run.statements, fingerprint(run));
  return out;
}

describe('timeline: checkpoints and replay', () => {
  for (const file of traces) {
    const program = load(file);
    if (!program) continue;
    it(`going back in ${file.slice(root.length - 4)} gives the forward states`, () => {
      const expected = forward(program);
      const tl = new Timeline(program, createMachine, { interval: 3, maxCheckpoints: 8 });
      while (tl.step());
      for (const p of [...expected.keys()].reverse()) {
        tl.seek(p);
        assert.equal(fingerprint(tl.run), expected.get(p), `position ${p}`);
      }
    });
  }

  it('random seeks forwards and backwards land on the forward states', () => {
    const program = load(traces.find((f) => f.endsWith('01-nic-passthrough.iotrace'))!)!;
    const expected = forward(program);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: expected.size - 1 }), { minLength: 1, maxLength: 12 }), fc.integer({ min: 1, max: 8 }), (seeks, interval) => {
        const tl = new Timeline(program, createMachine, { interval });
        for (const p of seeks) {
          tl.seek(p);
          assert.equal(fingerprint(tl.run), expected.get(p));
        }
      }),
      { numRuns: 30 },
    );
  });

  it('scanBack finds the last position before the given one where the visitor hits', () => {
    const program = load(traces.find((f) => f.endsWith('01-nic-passthrough.iotrace'))!)!;
    const tl = new Timeline(program, createMachine, { interval: 2 });
    while (tl.step());
    const end = tl.position;
    const hit = tl.scanBack(end, { after: (run) => (run.statements % 5 === 0 ? run.statements : undefined) });
    assert.equal(hit?.position, Math.floor((end - 1) / 5) * 5);
    assert.equal(tl.scanBack(1, { after: () => true }), undefined);
  });
});

describe('deepClone', () => {
  it('keeps prototypes, Map/Set subclasses, shared buffers, bigints and cycles', () => {
    class Node { constructor(public v: bigint, public next?: Node) {} get twice() { return this.v * 2n; } }
    class Tagged extends Map<string, number> {}
    const buf = new ArrayBuffer(8);
    const a = new Node(5n);
    a.next = a;
    const src = { a, m: new Tagged([['x', 1]]), s: new Set([a]), u8: new Uint8Array(buf, 0, 4), u32: new Uint32Array(buf, 4, 1) };
    const c = deepClone(src);
    assert.ok(c.a instanceof Node && c.a !== a && c.a.next === c.a && c.a.twice === 10n);
    assert.ok(c.m instanceof Tagged && c.m.get('x') === 1);
    assert.ok(c.s.has(c.a));
    assert.equal(c.u8.buffer, c.u32.buffer);
    assert.notEqual(c.u8.buffer, buf);
    c.u8[0] = 7;
    assert.equal(src.u8[0], 0);
  });

  it('refuses functions stored in the graph (closures would keep pointing at the original)', () => {
    const state = { n: 1 };
    assert.throws(() => deepClone({ state, bump: () => state.n++ }), CloneError);
  });
});
