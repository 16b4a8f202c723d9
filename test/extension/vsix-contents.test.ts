// `npm run package` ships what the extension runs and nothing else: every
// bundle scripts/build.mjs produces, the grammar, the docs and examples, and
// none of test/, node_modules/, sources or source maps.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { zipEntries } from './zip-entries.js';

const root = join(__dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'iotrace-vsix-'));
const vsix = join(dir, 'iotrace.vsix');
let entries: string[] = [];

/** The bundles the build writes, as listed in scripts/build.mjs. */
function builtBundles(): string[] {
  const build = readFileSync(join(root, 'scripts', 'build.mjs'), 'utf8');
  return [...build.matchAll(/out: '(dist\/[^']+\.js)'/g)].map((m) => m[1]!);
}

describe('the packaged .vsix', () => {
  before(() => {
    // npm test builds first; packaging a stale or missing bundle would prove nothing.
    for (const b of builtBundles()) assert.ok(existsSync(join(root, b)), `${b} is built`);
    const vsce = join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
    const r = spawnSync(process.execPath, [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links', '--out', vsix], { cwd: root, encoding: 'utf8' });
    assert.equal(r.status, 0, `vsce package failed:\n${r.stdout}\n${r.stderr}`);
    entries = zipEntries(vsix).filter((e) => e.startsWith('extension/')).map((e) => e.slice('extension/'.length));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('contains every bundle the build produces, the main entry among them', () => {
    const bundles = builtBundles();
    for (const b of ['dist/extension.js', 'dist/server.js', 'dist/cli.js']) assert.ok(bundles.includes(b), `build.mjs builds ${b}`);
    for (const b of bundles) assert.ok(entries.includes(b), `${b} is packaged`);
  });

  it('contains the manifest, grammar, language configuration, icon, licence and docs', () => {
    for (const f of ['package.json', 'syntaxes/iotrace.tmLanguage.json', 'language-configuration.json', 'icon.png', 'LICENSE.txt', 'readme.md']) {
      assert.ok(entries.includes(f), `${f} is packaged`);
    }
    assert.ok(entries.some((e) => e.startsWith('docs/') && e.endsWith('.md')), 'the docs are packaged');
    assert.ok(entries.some((e) => e.startsWith('examples/') && e.endsWith('.iotrace')), 'the examples are packaged');
  });

  it('leaves out tests, node_modules, sources and source maps', () => {
    const unwanted = entries.filter((e) => /^(test|node_modules|emulator|server|extension|scripts)\//.test(e) || /\.(ts|map|mjs)$/.test(e) || e === 'icon.svg');
    assert.deepEqual(unwanted, []);
  });

  it('names in the manifest only files that are packaged', () => {
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      main: string; icon: string; contributes: { grammars: { path: string }[]; languages: { configuration: string }[] };
    };
    const named = [manifest.main, manifest.icon, ...manifest.contributes.grammars.map((g) => g.path), ...manifest.contributes.languages.map((l) => l.configuration)];
    for (const n of named) assert.ok(entries.includes(n.replace(/^\.\//, '')), `${n} is packaged`);
  });
});
