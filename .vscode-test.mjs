// @vscode/test-cli: runs the extension-host tests in a downloaded VS Code
// (the oldest version engines.vscode allows), with examples/ as the workspace.
import { defineConfig } from '@vscode/test-cli';

export default defineConfig({
  files: 'dist/test/extension-host/**/*.test.js',
  version: '1.100.0',
  workspaceFolder: './examples',
  launchArgs: ['--disable-workspace-trust', '--disable-extensions'],
  mocha: { ui: 'tdd', timeout: 60_000 },
});
