import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMMANDS } from '../../emulator/language/commands.js';
import { errnoSection } from '../../emulator/language/errno-rules-doc.js';
import { DISPATCH_RULES, errnoRules, errnoRulesMarkdown, IOCTL_ERRNO_RULES, possibleErrnos } from '../../emulator/language/errno-rules.js';

test('errno rules: docs/language.md holds the section generated from the table', () => {
  const doc = readFileSync(join(__dirname, '..', '..', 'docs', 'language.md'), 'utf8');
  assert.equal(errnoSection(doc), errnoRulesMarkdown(), 'run: node --import tsx scripts/write-errno-rules-doc.ts');
});

test('errno rules: every iommufd and VFIO ioctl a command issues has rules, and every rule names an issued ioctl', () => {
  const issued = new Set([...COMMANDS.values()].map((c) => c.ioctl).filter((i): i is string => i !== undefined && /^(IOMMU_(?!TEST)|VFIO_DEVICE_)/.test(i)));
  assert.deepEqual([...issued].filter((i) => !(i in IOCTL_ERRNO_RULES)), []);
  assert.deepEqual(Object.keys(IOCTL_ERRNO_RULES).filter((i) => !issued.has(i)), []);
});

test('errno rules: /dev/iommu ioctls start with the dispatch checks; VFIO device ioctls do not', () => {
  assert.deepEqual(errnoRules('destroy')!.slice(0, DISPATCH_RULES.length), DISPATCH_RULES);
  assert.deepEqual(errnoRules('destroy')!.slice(DISPATCH_RULES.length).map((x) => x.errno), ['ENOENT', 'EBUSY']);
  assert.equal(errnoRules('bind')![0]!.errno, 'EINVAL');
  assert.equal(errnoRules('dma'), undefined);
});

test('errno rules: the kernel check order decides (hwpt_alloc: missing pt_id is EINVAL after the device lookup)', () => {
  const own = errnoRules('hwpt_alloc')!.slice(DISPATCH_RULES.length);
  const device = own.findIndex((x) => x.errno === 'ENOENT' && x.when.includes('dev_id'));
  const pt = own.findIndex((x) => x.errno === 'EINVAL' && x.when.includes('pt_id'));
  assert.ok(device >= 0 && pt > device);
  assert.deepEqual(possibleErrnos('ioas_alloc'), ['EFAULT', 'ENOTTY', 'EINVAL', 'E2BIG', 'EOPNOTSUPP']);
});
