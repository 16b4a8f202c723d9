// Each benchmark runs on a tiny workload and returns well-formed rows; no
// figure is checked (the machine is too noisy for timing in a test, and the
// targets are for `npm run bench` at full size). The workload generator is
// checked for what the benchmarks rely on: exact statement counts, the same
// text every time, a trace that checks and runs without a mismatch.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BENCHMARKS } from '../../bench/benchmarks/index.js';
import { checkWorkload } from '../../bench/benchmarks/cli-path.js';
import type { BenchSettings } from '../../bench/measure.js';
import { median } from '../../bench/measure.js';
import { atLeast, atMost } from '../../bench/result.js';
import { resultTable } from '../../bench/table.js';
import { HEADER_LINES, workloadJson, workloadStatements, workloadText } from '../../bench/workload.js';
import { createMachine } from '../../emulator/engine/machine.js';
import { Run } from '../../emulator/runtime/interpreter.js';

const TINY: BenchSettings = { statements: 1200, runs: 1, scaleLarge: 40, scaleSmall: 10, debugStatements: 1200, editorLines: 300, hugeMapping: 4n << 30n };

describe('bench workload', () => {
  it('has exactly the statements asked for, as text and as JSON', () => {
    for (const n of [1, 15, 1100, 1500]) {
      assert.equal([...workloadStatements({ statements: n })].length, n);
      assert.equal(workloadText({ statements: n }).split('\n').filter((l) => l !== '' && !l.startsWith('#')).length, n);
      assert.equal((JSON.parse(workloadJson({ statements: n })) as unknown[]).length, n);
    }
  });

  it('is deterministic', () => {
    assert.equal(workloadText({ statements: 2000 }), workloadText({ statements: 2000 }));
  });

  it('checks and runs without a mismatch, with map/unmap churn past the ring', () => {
    const text = workloadText({ statements: 1500, devices: 2, ring: 16 });
    assert.ok(text.includes('ioas_unmap'));
    assert.equal(text.split('\n').slice(0, HEADER_LINES).every((l) => l.startsWith('#')), true);
    const program = checkWorkload(text);
    const run = new Run(program, { machine: createMachine() });
    assert.deepEqual(run.runToEnd(), []);
    assert.equal(run.statements, 1500);
  });
});

describe('bench results', () => {
  it('judges ratios against their targets', () => {
    assert.equal(atMost({ id: 'x', description: '', measured: 3, baseline: 1, unit: 'ms' }, 3).verdict, 'pass');
    assert.equal(atMost({ id: 'x', description: '', measured: 3.1, baseline: 1, unit: 'ms' }, 3).verdict, 'fail');
    assert.equal(atLeast({ id: 'x', description: '', measured: 1, baseline: 3, unit: 'MB/s' }, 1 / 3).verdict, 'pass');
    assert.equal(atLeast({ id: 'x', description: '', measured: 1, baseline: 3.1, unit: 'MB/s' }, 1 / 3).verdict, 'fail');
    assert.equal(median([5, 1, 3]), 3);
    assert.equal(median([4, 1, 3, 2]), 2.5);
  });
});

describe('benchmarks on a tiny workload', () => {
  for (const b of BENCHMARKS) {
    it(`${b.name} runs and returns complete rows`, async () => {
      const rows = await b.run(TINY);
      assert.ok(rows.length > 0);
      for (const r of rows) {
        assert.match(r.id, /^\d /);
        assert.ok(['pass', 'fail', 'pending'].includes(r.verdict));
        if (r.verdict !== 'pending') {
          assert.ok(Number.isFinite(r.measured) && Number.isFinite(r.baseline) && r.baseline > 0, `${r.id}: ${r.measured} / ${r.baseline}`);
          assert.match(r.target, /^(<=|>=) /);
        }
      }
      assert.equal(resultTable(rows).split('\n').length, rows.length + 2);
    });
  }
});
