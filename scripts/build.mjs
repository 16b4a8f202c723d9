// Bundles each entry point with esbuild. The bundles are what ships (and what
// the CLI's `bin` points at); tests run the TypeScript sources directly.
import { build } from 'esbuild';

const entries = [
  { in: 'emulator/cli.ts', out: 'dist/cli.js', banner: '#!/usr/bin/env node' },
  { in: 'server/language/server.ts', out: 'dist/server.js' },
  // The language server's live runs execute in this worker thread.
  { in: 'server/language/live-worker.ts', out: 'dist/live-worker.js' },
  { in: 'server/debug/debugAdapter.ts', out: 'dist/debugAdapter.js' },
  // `vscode` is provided by the extension host at run time, never bundled.
  { in: 'extension/extension.ts', out: 'dist/extension.js', external: ['vscode'] },
];

for (const e of entries) {
  await build({
    entryPoints: [e.in],
    outfile: e.out,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: true,
    banner: e.banner ? { js: e.banner } : undefined,
    external: e.external,
    logLevel: 'warning',
  });
}
