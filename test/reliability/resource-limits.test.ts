// Resource limits (issue 9 §4): inputs built to exhaust time, stack or
// memory end in an error with a location, never a hang, a crash or an
// out-of-memory.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, describe, it } from 'node:test';
import { KernelError } from '../../emulator/engine/errno.js';
import { createMachine } from '../../emulator/engine/machine.js';
import { PhysMem } from '../../emulator/engine/memory/physmem.js';
import { parse } from '../../emulator/language/index.js';
import { MAX_LEX_ERRORS, MAX_LINE_LENGTH } from '../../emulator/language/lexer.js';
import { MAX_NESTING } from '../../emulator/language/token-stream.js';
import { errors, TraceWorkspace } from './trace-workspace.js';

const ws = new TraceWorkspace();
after(() => ws.dispose());

describe('statement budget', () => {
  it('stops `repeat 1_000_000_000_000` after the budget, with an error at the statement it would run next', () => {
    ws.write('loop.iotrace', 'let x = 0\nrepeat 1_000_000_000_000 {\n  let x = 1\n}\n');
    const r = ws.run('loop.iotrace', { maxSteps: 5000 });
    assert.equal(r.statements, 5000);
    assert.equal(r.passed, false);
    assert.deepEqual(errors(r), ['3:3 stopped after 5000 statements: the run exceeds its statement budget (raise it with --max-steps)']);
  });

  it('lets an empty loop of 10^12 iterations finish at once (nothing to run, nothing counted)', () => {
    ws.write('empty.iotrace', 'repeat 1_000_000_000_000 { }\n');
    const r = ws.run('empty.iotrace', { maxSteps: 10 });
    assert.equal(r.passed, true);
  });

  it('the CLI takes the budget as --max-steps and exits 2 when a run exceeds it', () => {
    const file = ws.write('loop-cli.iotrace', 'let x = 0\nrepeat 1_000_000_000_000 {\n  let x = 1\n}\n');
    const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'emulator/cli.ts', ...args], { encoding: 'utf8' });
    const r = cli('run', '--max-steps', '100', file);
    assert.equal(r.status, 2);
    assert.match(r.stdout, /loop-cli\.iotrace:3:3: error: stopped after 100 statements/);
    const bad = cli('run', '--max-steps=0', file);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--max-steps needs a positive whole number, not '0'/);
  });

  it('a run that fits its budget passes', () => {
    ws.write('short.iotrace', 'repeat 10 {\n  let x = 1\n}\n');
    assert.equal(ws.run('short.iotrace', { maxSteps: 11 }).passed, true);
  });
});

describe('recursion and nesting', () => {
  it('a proc cannot call itself: the checker rejects it before anything runs', () => {
    ws.write('rec.iotrace', 'proc f() {\n  f()\n}\nf()\n');
    const r = ws.run('rec.iotrace');
    assert.equal(r.statements, 0);
    assert.deepEqual(errors(r), ["2:3 undefined proc 'f'"]);
  });

  it(`nesting past ${MAX_NESTING} levels is one error, not a stack overflow`, () => {
    const deep = (n: number) => [
      `let x = ${'('.repeat(n)}1${')'.repeat(n)}`,
      `let x = ${'-'.repeat(n)}1`,
      `let x = ${'['.repeat(n)}`,
      `let x = ${'1+'.repeat(n)}1`,
      `${'repeat 2 {\n'.repeat(n)}${'}\n'.repeat(n)}`,
    ];
    for (const text of deep(100_000)) {
      const d = parse('deep.iotrace', text).diagnostics;
      assert.ok(d.length >= 1 && d.length <= 3, `${d.length} diagnostics for ${text.slice(0, 20)}...`);
      assert.match(d.find((x) => /nesting deeper/.test(x.message))?.message ?? d[0]!.message, /nesting deeper than 256 levels|longer than/);
    }
    for (const text of deep(MAX_NESTING - 10)) assert.deepEqual(parse('ok.iotrace', text).diagnostics.filter((x) => /nesting/.test(x.message)), []);
  });
});

describe('huge and binary input', () => {
  it('a 50 MB single line is one error at its start, read in bounded time', () => {
    ws.write('long.iotrace', `let x = ${'1 + '.repeat(12_500_000)}1\n`);
    const r = ws.run('long.iotrace');
    assert.equal(r.statements, 0);
    assert.ok(errors(r).includes(`1:1 line 1 is longer than ${MAX_LINE_LENGTH} characters: the rest of it is not read`), errors(r).join('\n'));
    assert.ok(errors(r).length <= 3);
  });

  it('an over-long line is reported once, and the lines after it are still read', () => {
    const r = parse('longer.iotrace', `ioas_alloc\n${'x'.repeat(MAX_LINE_LENGTH + 10)}\nlet y = (\n`);
    assert.deepEqual(
      r.diagnostics.filter((d) => /longer than/.test(d.message)).map((d) => d.range.start.line),
      [1],
    );
    assert.ok(r.diagnostics.some((d) => d.range.start.line === 2), 'the line after the long one was not read');
  });

  it('a binary file (NUL bytes, invalid UTF-8) is an error with a location', () => {
    const bytes = new Uint8Array(4096).map((_, i) => (i * 131 + 7) & 0xff);
    bytes.set([0x69, 0x6f, 0x61, 0x73, 0xff, 0xfe, 0xc3], 0);
    ws.write('blob.iotrace', bytes);
    const r = ws.run('blob.iotrace');
    assert.equal(r.hasErrors, true);
    assert.ok(r.diagnostics.length <= 3, errors(r).join('\n'));
    assert.ok(errors(r).includes('1:5 bytes that are not UTF-8: this is not a text file, the rest of it is not read'), errors(r).join('\n'));
    assert.deepEqual(parse('nul.iotrace', 'ioas_alloc\n\0\0\0').diagnostics.map((d) => `${d.range.start.line}:${d.range.start.character} ${d.message}`), [
      '1:0 a NUL character: this is not a text file, the rest of it is not read',
    ]);
  });

  it('a flood of bad characters stops after a bounded number of errors', () => {
    const d = parse('noise.iotrace', '@'.repeat(100_000)).diagnostics;
    assert.equal(d.length, MAX_LEX_ERRORS + 1);
    assert.match(d.at(-1)!.message, /more than 200 errors: the rest of the file is not read/);
  });
});

describe('emulated memory', () => {
  it('a 2^64-byte map and a 2^64-byte memory region are refused with a reason', () => {
    ws.write('huge.iotrace', ['memory ram 1M', 'ioas = ioas_alloc => 1', 'ioas_map ioas ram 0xffffffffffffffff iova=0x1000000 => EOVERFLOW', 'memory huge 0xffffffffffffffff', ''].join('\n'));
    const r = ws.run('huge.iotrace');
    assert.deepEqual(errors(r), []);
    assert.equal(r.mismatches.length, 1);
    assert.match(r.mismatches[0]!.reason ?? '', /past the top of user space/);
  });

  it('host frames are capped: past the limit a store is ENOMEM with the reason, and nothing else changes', () => {
    const phys = new PhysMem();
    phys.frameLimit = 2;
    phys.store(0x1_0000_0000n, 8, 1n);
    phys.store(0x1_0000_1000n, 8, 2n);
    assert.throws(
      () => phys.store(0x1_0000_2000n, 8, 3n),
      (e: unknown) => e instanceof KernelError && e.errno === 'ENOMEM' && /memory limit is reached: 2 frames/.test(e.reason),
    );
    assert.equal(phys.touchedFrames, 2);
    phys.store(0x1_0000_0008n, 8, 4n);
    assert.equal(phys.load(0x1_0000_0008n, 8), 4n);
  });

  it('a trace that touches too much memory gets ENOMEM outcomes, not an out-of-memory', () => {
    ws.write('touch.iotrace', 'memory ram 1M\nrepeat i in 0..255 {\n  write (ram + i * 4096) u64 1\n}\n');
    const r = ws.run('touch.iotrace', {
      createMachine: () => {
        const m = createMachine();
        m.host.phys.frameLimit = 64;
        return m;
      },
    });
    assert.ok(r.mismatches.length > 0);
    assert.ok(r.mismatches.every((m) => m.got === 'ENOMEM' && /memory limit/.test(m.reason ?? '')));
  });
});
