// Starts code-server (VS Code in a browser) for the end-to-end suite: a
// fresh user-data and extensions dir, the packaged .vsix installed into it
// (the suite tests what ships, not the source tree), a workspace folder,
// and a free loopback port. scripts/e2e/install.sh put code-server and
// Node 24 under IOTRACE_E2E_HOME.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

export const E2E_HOME = process.env.IOTRACE_E2E_HOME ?? join(homedir(), '.cache', 'iotrace-e2e');
const NODE24 = join(E2E_HOME, 'bin', 'node');
const ENTRY = join(E2E_HOME, 'code-server', 'node_modules', 'code-server', 'out', 'node', 'entry.js');

export interface CodeServer {
  url: string;
  /** The workspace folder code-server opened. */
  workspace: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr !== null ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

async function waitForHttp(url: string, child: ChildProcess, log: () => string): Promise<void> {
  // Bounded: 60 tries half a second apart, and only while code-server lives.
  for (let i = 0; i < 120; i++) {
    if (child.exitCode !== null) throw new Error(`code-server exited with ${child.exitCode}:\n${log()}`);
    try {
      const r = await fetch(`${url}/healthz`);
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`code-server did not answer at ${url}:\n${log()}`);
}

const USER_SETTINGS = {
  'security.workspace.trust.enabled': false,
  // A failed test run opens its message beside the line that failed, as the suite checks.
  'testing.automaticallyOpenPeekView': 'failureAnywhere',
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'telemetry.telemetryLevel': 'off',
  'editor.hover.delay': 300,
  'window.restoreWindows': 'none',
  'update.mode': 'none',
  'chat.disableAIFeatures': true,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
};

/**
 * Keys the suite presses: Ctrl+Alt+K runs the workspace task given by its
 * label (the argument workbench.action.tasks.runTask takes), which no
 * palette command can pass.
 */
export const RUN_TASK_KEY = 'Control+Alt+K';

function keybindings(taskLabel: string): object[] {
  return [{ key: 'ctrl+alt+k', command: 'workbench.action.tasks.runTask', args: taskLabel }];
}

export async function startCodeServer(vsix: string, workspace: string, taskLabel: string): Promise<CodeServer> {
  const root = mkdtempSync(join(tmpdir(), 'iotrace-code-server-'));
  const userData = join(root, 'user-data');
  const extensions = join(root, 'extensions');
  mkdirSync(join(userData, 'User'), { recursive: true });
  writeFileSync(join(userData, 'User', 'settings.json'), JSON.stringify(USER_SETTINGS, null, 2));
  writeFileSync(join(userData, 'User', 'keybindings.json'), JSON.stringify(keybindings(taskLabel), null, 2));
  const common = ['--auth', 'none', '--disable-telemetry', '--disable-update-check', '--user-data-dir', userData, '--extensions-dir', extensions];
  const env = { ...process.env, HOME: root, XDG_CONFIG_HOME: join(root, 'config') };
  const install = spawnSync(NODE24, [ENTRY, ...common, '--install-extension', vsix], { encoding: 'utf8', env });
  if (install.status !== 0 || !/was successfully installed/.test(install.stdout + install.stderr)) {
    throw new Error(`--install-extension ${vsix} failed (${install.status}):\n${install.stdout}\n${install.stderr}`);
  }
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let output = '';
  const child = spawn(NODE24, [ENTRY, ...common, '--bind-addr', `127.0.0.1:${port}`, workspace], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  await waitForHttp(url, child, () => output);
  return {
    url,
    workspace,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
