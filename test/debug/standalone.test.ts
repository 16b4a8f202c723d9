// The adapter as any DAP client runs it: a plain Node process speaking DAP
// on stdio, with no `vscode` module, that exits once disconnected.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';

const ADAPTER = resolve('dist/debugAdapter.js');

function frame(seq: number, command: string, args: object): string {
  const body = JSON.stringify({ seq, type: 'request', command, arguments: args });
  return `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

describe('standalone adapter', () => {
  it('does not load the vscode module', () => {
    assert.doesNotMatch(readFileSync(ADAPTER, 'utf8'), /require\(["']vscode["']\)/);
  });

  it('answers initialize over raw stdio and exits after disconnect', async () => {
    const p = spawn(process.execPath, [ADAPTER], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stdin.write(frame(1, 'initialize', { adapterID: 'nvim-dap', pathFormat: 'path', linesStartAt1: true }));
    p.stdin.write(frame(2, 'disconnect', {}));
    const code = await new Promise<number | null>((r) => p.on('exit', r));
    assert.equal(code, 0);
    assert.match(out, /"command":"initialize","success":true/);
    assert.match(out, /"supportsStepBack":true/);
    assert.match(out, /"command":"disconnect","success":true/);
  });
});
