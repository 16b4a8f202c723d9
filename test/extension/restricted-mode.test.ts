// Restricted Mode (issue 9 §6): a trace from an untrusted folder may be
// read, checked and explained, never run. These tests pin the manifest's
// declaration and the guards of every way the extension runs a trace; the
// behaviour in a real window is the extension-host suite's (test/extension/host).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

const ROOT = join(__dirname, '..', '..');
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  capabilities: { untrustedWorkspaces: { supported: unknown; description?: string; restrictedConfigurations?: string[] } };
  contributes: { commands: { command: string; enablement?: string }[]; configuration: { properties: Record<string, unknown> } };
};

test('restricted mode: declared as limited, with the settings that choose a process restricted', () => {
  const u = manifest.capabilities.untrustedWorkspaces;
  assert.equal(u.supported, 'limited');
  assert.match(u.description ?? '', /trusted workspace/);
  assert.deepEqual([...(u.restrictedConfigurations ?? [])].sort(), ['iotrace.debugAdapter.mode', 'iotrace.nodePath']);
  for (const key of u.restrictedConfigurations ?? []) assert.ok(key in manifest.contributes.configuration.properties, `${key} is not a setting`);
});

test('restricted mode: every command that runs, debugs or imports is enabled only in a trusted workspace', () => {
  const runs = ['iotrace.runTrace', 'iotrace.debugTrace', 'iotrace.importFtrace'];
  for (const id of runs) {
    const c = manifest.contributes.commands.find((x) => x.command === id);
    assert.ok(c, `${id} is not contributed`);
    assert.match(c.enablement ?? '', /\bisWorkspaceTrusted\b/, `${id} is enabled in Restricted Mode`);
  }
});

test('restricted mode: F5, the task provider and Test Explorer check the workspace trust before running', () => {
  const guarded: [string, RegExp][] = [
    ['extension/debug/configuration-provider.ts', /if \(!vscode\.workspace\.isTrusted\) \{[^}]*return undefined;/],
    ['extension/tasks/trace-task.ts', /if \(!vscode\.workspace\.isTrusted\) return \[\];/],
    ['extension/testing/test-controller.ts', /else if \(!vscode\.workspace\.isTrusted\) run\.skipped\(item\);/],
  ];
  for (const [file, guard] of guarded) assert.match(readFileSync(join(ROOT, file), 'utf8'), guard, `${file} runs without asking for trust`);
});
