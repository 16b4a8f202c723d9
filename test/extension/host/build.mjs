// Bundles the extension-host tests (test/extension/host/*.host.ts) to
// dist/test/extension-host/*.test.js for @vscode/test-cli (.vscode-test.mjs).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const dir = 'test/extension/host';
for (const name of readdirSync(dir).filter((f) => f.endsWith('.host.ts')).sort()) {
  await build({
    entryPoints: [join(dir, name)],
    outfile: join('dist/test/extension-host', name.replace(/\.host\.ts$/, '.test.js')),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
    logLevel: 'warning',
  });
}
