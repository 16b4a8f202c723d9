// `iotrace import`: the ftrace samples of iommu-hardware §6.4 become traces
// that replay them; malformed lines are reported with their line numbers.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createMachine, type Machine } from '../../emulator/engine/machine.js';
import { parseEvent } from '../../emulator/import/ftrace-events.js';
import { importFtrace } from '../../emulator/import/ftrace-import.js';
import { importCommand } from '../../emulator/import/import-command.js';
import { parseFtraceLine } from '../../emulator/import/ftrace-line.js';
import { textReport } from '../../emulator/runtime/report.js';
import { runFile } from '../../emulator/runtime/run-file.js';

const ATH12K = join(__dirname, 'ftrace', 'ath12k-use-after-unmap.txt');

/** Runs trace text in a fresh machine; returns the report and the machine. */
function run(text: string) {
  const dir = mkdtempSync(join(tmpdir(), 'iotrace-import-'));
  const path = join(dir, 'imported.iotrace');
  writeFileSync(path, text);
  let machine: Machine | undefined;
  const report = runFile(path, { workspaceRoot: dir, createMachine: () => (machine = createMachine()) });
  return { report, machine: machine!, dir };
}

describe('ftrace lines', () => {
  it('splits the task at the last -PID and accepts optional or longer latency flags', () => {
    const a = parseFtraceLine('irq/26-AMD-Vi-154     [006] .....   327.753942: io_page_fault: IOMMU:ath12k_pci 0000:c2:00.0 iova=0x00000000fe980000 flags=0x0001', 1)!;
    assert.deepEqual([a.task, a.cpu, a.timestamp, a.event], ['irq/26-AMD-Vi-154', 6, '327.753942', 'io_page_fault']);
    const b = parseFtraceLine('        qemu-kvm-4575    [008] .......   438.308478: unmap: IOMMU: iova=0x0000000000000000 - 0x0000000000001000 size=4096 unmapped_size=4096', 2)!;
    assert.deepEqual([b.task, b.event], ['qemu-kvm-4575', 'unmap']);
    const c = parseFtraceLine('  gem_exec_gttfil-1010    [004]    50.126420: map: IOMMU: iova=0x1 paddr=0x2 size=3', 3)!;
    assert.deepEqual([c.task, c.timestamp], ['gem_exec_gttfil-1010', '50.126420']);
    assert.equal(parseFtraceLine('# tracer: nop', 4), undefined);
  });

  it('parses current, pre-2021 and dev= payloads', () => {
    assert.deepEqual(parseEvent('map', 'IOMMU: iova=0x00003fffffc00000 - 0x0000400000000000 paddr=0x00000001b9400000 size=4194304'), { kind: 'map', iova: 0x3fffffc00000n, paddr: 0x1b9400000n, size: 4194304n, device: undefined });
    assert.deepEqual(parseEvent('map', 'IOMMU: iova=0x0000000ffff36000 paddr=0x00000001164d8000 size=4096'), { kind: 'map', iova: 0xffff36000n, paddr: 0x1164d8000n, size: 4096n, device: undefined });
    assert.deepEqual(parseEvent('unmap', 'IOMMU: dev=0000:01:00.0 iova=0x0000000ffff36000 size=4096 unmapped_size=4096'), { kind: 'unmap', iova: 0xffff36000n, size: 4096n, unmapped: 4096n, device: '0000:01:00.0' });
    assert.deepEqual(parseEvent('io_page_fault', 'IOMMU:[drvname] 0000:05:00.0 iova=0x0000000091482640 flags=0x0000'), { kind: 'fault', driver: '[drvname]', device: '0000:05:00.0', iova: 0x91482640n, write: false });
    assert.match(parseEvent('map', 'IOMMU: iova=0x1000 - 0x3000 paddr=0x5000 size=4096') as string, /not iova \+ size/);
  });
});

describe('ftrace import', () => {
  it('turns the ath12k use-after-unmap sequence into a trace that faults at the same IOVA', () => {
    for (const model of ['smmuv3', 'vtd'] as const) {
      const r = importFtrace(readFileSync(ATH12K, 'utf8'), { model, source: 'ath12k.txt' });
      assert.deepEqual(r.problems, []);
      assert.match(r.text, /^device dev_0000_c2_00_0 iommu=iommu0 rid=0xc200$/m);
      assert.match(r.text, /^# ath12k\.txt:4: .*unmap: IOMMU: iova=0x00000000fe980000/m);
      assert.match(r.text, /^kernel_unmap dev_0000_c2_00_0 iova=0xfe980000 size=0x80000 => 0x80000$/m);
      const { report, machine } = run(r.text);
      assert.ok(report.passed, textReport(report, '/').join('\n'));
      const fault = machine.lastFault('dev_0000_c2_00_0');
      assert.equal(fault?.addr, 0xfe980000n);
      assert.equal(fault?.write, true);
      assert.equal(fault?.kind, 'translation');
    }
  });

  it('keeps lines it does not model as comments and attributes maps through dma_* events', () => {
    const log = [
      '# tracer: nop',
      '   a-1  [000] .....  1.0: dma_map_page: 0000:01:00.0 dir=TO_DEVICE dma_addr=2000 size=4096 phys_addr=5000 attrs=',
      '   b-2  [000] .....  1.1: add_device_to_group: IOMMU: groupID=7 device=0000:02:00.0',
      '   a-1  [000] .....  1.2: map: IOMMU: iova=0x0000000000002000 - 0x0000000000003000 paddr=0x0000000000005000 size=4096',
      '   a-1  [000] .....  1.3: sched_switch: prev_comm=a',
    ].join('\n');
    const r = importFtrace(log, { source: 'x' });
    assert.deepEqual(r.problems, []);
    assert.match(r.text, /^# x:1: # tracer: nop$/m);
    assert.match(r.text, /^device dev_0000_02_00_0 iommu=iommu0 group=7 rid=0x200$/m);
    assert.match(r.text, /^kernel_map dev_0000_01_00_0 iova=0x2000 pa=0x5000 size=0x1000 prot=3$/m);
    assert.match(r.text, /^# x:5: .*sched_switch/m);
  });

  it('joins a line a mail client wrapped', () => {
    const log = [
      '   k-12  [011] .....  3.0: unmap: IOMMU: iova=0x00000000fe980000 - 0x00000000fea00000 size=524288',
      '   unmapped_size=524288',
      'irq/26-AMD-Vi-154     [006] .....   3.1: io_page_fault: IOMMU:ath12k_pci 0000:c2:00.0 iova=0x00000000fe980000 flags=0x0000',
    ].join('\n');
    const r = importFtrace(log);
    assert.deepEqual(r.problems, []);
    assert.match(r.text, /^kernel_unmap dev_0000_c2_00_0 iova=0xfe980000 size=0x80000 => 0x80000$/m);
    assert.match(r.text, /^dma dev_0000_c2_00_0 read 0xfe980000 u8 => fault translation$/m);
  });

  it('reports malformed iommu events with their line numbers and keeps them as comments', () => {
    const log = [
      '   a-1  [000] .....  1.0: map: IOMMU: iova=0xzz paddr=0x1000 size=4096',
      '   a-1  [000] .....  1.1: io_page_fault: IOMMU: iova=0x1000',
      '   a-1  [000] .....  1.2: add_device_to_group: IOMMU: groupID=x device=0000:01:00.0',
    ].join('\n');
    const r = importFtrace(log, { source: 'bad.txt' });
    assert.deepEqual(r.problems.map((p) => p.line), [1, 2, 3, 0]);
    assert.match(r.problems[0]!.message, /^malformed map event: expected/);
    assert.match(r.problems[3]!.message, /no device/);
    assert.match(r.text, /^# bad\.txt:2: MALFORMED \(expected "IOMMU:<driver> <device>/m);
  });

  it('the import command prints PATH:LINE for each problem and exits 1', () => {
    const dir = mkdtempSync(join(tmpdir(), 'iotrace-import-'));
    const path = join(dir, 'bad.txt');
    writeFileSync(path, 'x\n   a-1  [000] .....  1.0: unmap: IOMMU: iova=0x1000\n');
    const err: string[] = [];
    const out: string[] = [];
    assert.equal(importCommand([path], { out: (l) => out.push(l), err: (l) => err.push(l) }), 1);
    assert.equal(err[0], `${path}:2: malformed unmap event: expected "IOMMU: iova=0x... - 0x... size=N unmapped_size=N"`);
    assert.match(out.join('\n'), /^iommu iommu0 model=smmuv3$/m);
    assert.equal(importCommand(['--model', 'amd', path], { out: () => undefined, err: () => undefined }), 2);
    const o = join(dir, 'out.iotrace');
    assert.equal(importCommand(['--model', 'vtd', '-o', o, ATH12K], { out: () => undefined, err: () => undefined }), 0);
    assert.match(readFileSync(o, 'utf8'), /model=vtd/);
  });
});
