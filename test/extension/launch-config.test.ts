import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { completeLaunchConfig, launchConfigFor } from '../../extension/debug/launch-config.js';

const folderOf = (p: string): string | undefined => (p.startsWith('/ws/') ? '/ws' : undefined);

describe('completeLaunchConfig', () => {
  it('debugs the active trace on F5 without a launch.json', () => {
    const r = completeLaunchConfig({}, { activeTrace: '/ws/a/t.iotrace', folderOf });
    assert.deepEqual(r, { config: { type: 'iotrace', request: 'launch', name: 'Debug t.iotrace', program: '/ws/a/t.iotrace', stopOnEntry: false, cwd: '/ws' } });
  });

  it('refuses F5 without a launch.json when no trace is open', () => {
    const r = completeLaunchConfig({}, { folderOf });
    assert.ok('error' in r && /Open an \.iotrace file/.test(r.error));
  });

  it('refuses a configuration without a program, and attach', () => {
    const noProgram = completeLaunchConfig({ type: 'iotrace', request: 'launch', name: 'x' }, { folderOf });
    assert.ok('error' in noProgram && /no "program"/.test(noProgram.error));
    const attach = completeLaunchConfig({ type: 'iotrace', request: 'attach', name: 'x', program: '/ws/t.iotrace' }, { folderOf });
    assert.ok('error' in attach && /only "launch"/.test(attach.error));
  });

  it('keeps what the user gave and fills cwd only when missing', () => {
    const given = { type: 'iotrace', request: 'launch', name: 'mine', program: '/ws/t.iotrace', stopOnEntry: true, cwd: '/elsewhere' };
    assert.deepEqual(completeLaunchConfig(given, { folderOf }), { config: given });
    const outside = completeLaunchConfig({ ...given, cwd: undefined, program: '/tmp/t.iotrace' }, { folderOf });
    assert.ok('config' in outside && outside.config.cwd === undefined);
  });

  it('names a configuration after the file on either kind of separator', () => {
    assert.equal(launchConfigFor('C:\\traces\\x.iotrace').name, 'Debug x.iotrace');
    assert.equal(launchConfigFor('/a/y.iotrace', true).stopOnEntry, true);
  });
});
