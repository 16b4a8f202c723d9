// A client that is not VS Code: Neovim's built-in LSP client, headless,
// starts dist/server.js, and diagnostics and hover must arrive.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SERVER } from './lsp-client.js';

const hasNvim = spawnSync('nvim', ['--version'], { encoding: 'utf8' }).status === 0;

test('neovim: diagnostics and hover arrive in Neovim\'s LSP client', { skip: hasNvim ? false : 'nvim is not installed (scripts/install-test-deps.sh installs it)' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'nvim-lsp-'));
  const trace = join(dir, 'main.iotrace');
  writeFileSync(trace, 'ioas = ioas_alloc\nioas_map ioas ram 4K\n');
  const out = join(dir, 'out.json');
  const r = spawnSync('nvim', ['--headless', '-n', '-i', 'NONE', '--clean', '-c', `luafile ${join(__dirname, 'nvim-client.lua')}`, trace], {
    env: { ...process.env, SERVER, ROOT: dir, OUT: out, XDG_STATE_HOME: dir, XDG_DATA_HOME: dir },
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(r.status, 0, `nvim failed: ${r.stderr}`);
  const result = JSON.parse(readFileSync(out, 'utf8')) as { waited: boolean; diagnostics: { lnum: number; message: string }[]; hover: string };
  assert.equal(result.waited, true, 'no diagnostics arrived');
  assert.deepEqual(result.diagnostics.map((d) => [d.lnum, d.message]), [[1, "undefined name 'ram'"]]);
  assert.match(result.hover, /IOMMU_IOAS_ALLOC/);
});
