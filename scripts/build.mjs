// Bundles each entry point with esbuild. The bundles are what ships (and what
// the CLI's `bin` points at); tests run the TypeScript sources directly.
import { build } from 'esbuild';

const entries = [
  { in: 'emulator/cli.ts', out: 'dist/cli.js', banner: '#!/usr/bin/env node' },
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
    logLevel: 'warning',
  });
}
