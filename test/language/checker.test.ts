import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CommandStmt, Diagnostic } from '../../emulator/language/ast.js';
import { checkText } from '../../emulator/language/index.js';
import { ResolvedArgs } from '../../emulator/language/resolved-args.js';

const ROOT = '/ws';
const FILES: Record<string, string> = {
  '/ws/a.iotrace': 'include "b.iotrace"\n',
  '/ws/b.iotrace': 'include "a.iotrace"\n',
  '/ws/lib/setup.iotrace': 'device m9\nx9 = ioas_alloc\n',
  '/ws/lib/bad.iotrace': 'destroy 1 2\n',
};
function readFile(p: string): string {
  if (p in FILES) return FILES[p]!;
  throw Object.assign(new Error(`ENOENT: ${p}`), { code: 'ENOENT' });
}
const check = (text: string) => checkText('/ws/t.iotrace', text, { workspaceRoot: ROOT, readFile });
const errors = (text: string): Diagnostic[] => check(text).diagnostics.filter((d) => d.severity === 'error');
const at = (line: number, a: number, b: number) => ({ start: { line, character: a }, end: { line, character: b } });
/** The one error of a text, as [message, range]. */
function oneError(text: string): [string, unknown] {
  const e = errors(text);
  assert.equal(e.length, 1, `expected one error, got: ${e.map((d) => d.message).join(' | ')}`);
  return [e[0]!.message, e[0]!.range];
}

const MACHINE = 'device m0\nmemory buf 64K\nioas = ioas_alloc\nd0 = bind m0\n';

test('unknown command, with a suggestion', () => {
  assert.deepEqual(oneError('ioas_mapp 1 0x1000 4K'), ["unknown command 'ioas_mapp'; did you mean 'ioas_map'?", at(0, 0, 9)]);
  assert.deepEqual(oneError('frobnicate'), ["unknown command 'frobnicate'", at(0, 0, 10)]);
});

test("missing '=' after 'let x'", () => {
  assert.deepEqual(oneError('let x\n'), ["expected '=' after 'let x', found end of line", at(0, 5, 6)]);
});

test('unterminated string', () => {
  assert.deepEqual(oneError('let s = "abc\nexpect 1'), [`unterminated string: expected '"' before the end of the line`, at(0, 8, 12)]);
});

test('a literal of 2^64 and constant arithmetic past 64 bits are overflow errors', () => {
  const [message, range] = oneError('let x = 18446744073709551616');
  assert.match(message, /^overflow: integer literal '18446744073709551616'/);
  assert.deepEqual(range, at(0, 8, 28));
  assert.deepEqual(oneError('expect 0xffffffffffffffff + 1'), ['overflow: 18446744073709551615 + 1 is outside 0..0xffffffffffffffff', at(0, 7, 29)]);
  assert.deepEqual(oneError('expect 1 - 2'), ['overflow: 1 - 2 is outside 0..0xffffffffffffffff', at(0, 7, 12)]);
  assert.deepEqual(oneError('expect 1 << 64'), ['overflow: 1 << 64 is outside 0..0xffffffffffffffff', at(0, 7, 14)]);
  assert.deepEqual(oneError('expect -1'), ['overflow: -1 is below 0 (integers are unsigned 64-bit)', at(0, 7, 9)]);
  assert.deepEqual(oneError('expect 4 / (2 - 2)'), ["division by zero in '4 / 0'", at(0, 7, 18)]);
  assert.deepEqual(errors('expect ~0 == 0xffffffffffffffff && 1 << 63 > 0'), []);
});

test('undefined name', () => {
  assert.deepEqual(oneError('expect users(nope) == 1'), ["undefined name 'nope'", at(0, 13, 17)]);
});

test('wrong kind of id: an IOAS where a device id is wanted', () => {
  assert.deepEqual(oneError(MACHINE + 'attach ioas ioas'), [
    "'ioas' is an IOAS id (from ioas_alloc), but 'dev_id' of 'attach' wants a DEVICE id",
    at(4, 7, 11),
  ]);
  assert.deepEqual(oneError(MACHINE + 'attach m0 ioas'), [
    "'m0' is a declared device, but 'dev_id' of 'attach' wants a DEVICE id: bind it first ('d = bind m0')",
    at(4, 7, 9),
  ]);
  assert.deepEqual(oneError(MACHINE + 'dma d0 read 0x1000 u32'), [
    "'d0' is a DEVICE id (from bind), but 'device' of 'dma' wants a declared device (like 'm0') (the device itself, not the id bind returned)",
    at(4, 4, 6),
  ]);
  // Raw numbers and unknown values are always accepted; so is a union that overlaps.
  assert.deepEqual(errors(MACHINE + 'attach 2 1\nlet x = 5\nattach x ioas\nh = hwpt_alloc d0 ioas\nhwpt_alloc d0 h\nviommu_alloc d0 h type=selftest'), []);
});

test('include of a path outside the workspace', () => {
  assert.deepEqual(oneError('include "../../etc/passwd"'), ["cannot include '../../etc/passwd': it is outside the workspace folder /ws", at(0, 8, 26)]);
});

test('include cycle, missing include, and an included file\'s own errors', () => {
  const cycle = errors('include "a.iotrace"');
  assert.equal(cycle.length, 1);
  assert.equal(cycle[0]!.file, '/ws/b.iotrace');
  assert.equal(cycle[0]!.message, 'include cycle: a.iotrace -> b.iotrace -> a.iotrace');
  assert.deepEqual(cycle[0]!.range, at(0, 8, 19));
  assert.deepEqual(oneError('include "missing.iotrace"'), ["cannot read included file 'missing.iotrace': no such file", at(0, 8, 25)]);
  const inner = errors('include "lib/bad.iotrace"');
  assert.deepEqual(inner.map((d) => [d.file, d.message]), [['/ws/lib/bad.iotrace', "too many arguments for 'destroy': it takes 1 positional argument (id); give the others by key"]]);
});

test('an included file binds into the includer, and its program is attached', () => {
  const r = check('include "lib/setup.iotrace"\nd = bind m9\nexpect users(x9) == 1');
  assert.deepEqual(r.diagnostics, []);
  const inc = r.program.statements[0]!;
  assert.ok(inc.kind === 'include' && inc.program?.statements.length === 2);
});

test('too many arguments', () => {
  assert.deepEqual(oneError('destroy 1 2'), ["too many arguments for 'destroy': it takes 1 positional argument (id); give the others by key", at(0, 10, 11)]);
});

test('bad flag word, unknown enum constant, bad switch word', () => {
  assert.deepEqual(oneError(MACHINE + 'ioas_map ioas buf 4K flags=fixed_iova|bogus'), [
    "unknown flag 'bogus' for 'flags' of 'ioas_map' (expected one of fixed_iova|writeable|readable, or a number)",
    at(4, 38, 43),
  ]);
  assert.deepEqual(oneError(MACHINE + 'hwpt_alloc d0 ioas data_type=selftes'), [
    "unknown constant 'selftes' for 'data_type' of 'hwpt_alloc' (expected one of none|vtd_s1|arm_smmuv3|amd_guest|selftest, or a number)",
    at(4, 29, 36),
  ]);
  assert.deepEqual(oneError(MACHINE + 'driver m0 op=probes'), ["expected one of probe|remove for 'op' of 'driver', found 'probes'", at(4, 13, 19)]);
  assert.deepEqual(errors(MACHINE + 'ioas_map ioas buf 4K flags=0x80000004\nioas_alloc flags=0'), []);
});

test('missing required arguments, unknown keys, keys given twice', () => {
  const e = errors(MACHINE + 'ioas_unmap ioas');
  assert.deepEqual(e.map((d) => [d.message, d.range]), [
    ["missing required argument 'iova' of 'ioas_unmap'", at(4, 0, 10)],
    ["missing required argument 'length' of 'ioas_unmap'", at(4, 0, 10)],
  ]);
  assert.deepEqual(oneError('destroy 1 sise=8'), ["unknown key 'sise' for 'destroy'; did you mean 'size'?", at(0, 10, 14)]);
  assert.deepEqual(oneError('destroy 1 id=2'), ["'id' of 'destroy' is given twice", at(0, 13, 14)]);
  // arg=null needs nothing else.
  assert.deepEqual(errors('ioas_map arg=null'), []);
});

test('raw struct controls and struct fields are keys of every ioctl command, not of others', () => {
  assert.deepEqual(errors(MACHINE + 'hwpt_alloc d0 ioas size=8 trailing=1 data_len=3 data_uptr=0 __reserved=1'), []);
  assert.deepEqual(errors('device m0\nbind m0 iommufd=iommufd argsz=4 flags=0'), []);
  assert.deepEqual(oneError(MACHINE + 'unbind d0 size=8'), ["unknown key 'size' for 'unbind'", at(4, 10, 14)]);
});

test('NAME.field is checked against the result\'s fields', () => {
  assert.deepEqual(oneError(MACHINE + 'r = ioas_iova_ranges ioas\nexpect r.rangse == 1'), [
    "'r' (the result of ioas_iova_ranges) has no field 'rangse'; its fields are ranges, num_iovas, iova_alignment",
    at(5, 9, 15),
  ]);
  assert.deepEqual(oneError(MACHINE + 'expect last_fault(m0).kynd == 1'), [
    "a record has no field 'kynd'; its fields are kind, event, reason, stage, level, class, s2, addr, ipa, fetch_addr",
    at(4, 22, 26),
  ]);
  assert.deepEqual(errors(MACHINE + 'f = fault_queue_alloc\nexpect f.fault_fd != 0\nr = fault_read f count=40\nlet x = r[0]\nexpect x.cookie == 1'), []);
});

test('queries: unknown names, arities and argument kinds; query names are reserved', () => {
  assert.deepEqual(oneError('expect userz(1)'), ["unknown query 'userz'; did you mean 'users'?", at(0, 7, 12)]);
  assert.deepEqual(oneError(MACHINE + 'expect translate(m0)'), ["'translate' takes 2 to 3 arguments (DEVICE, IOVA, [PASID]), found 1", at(4, 7, 20)]);
  assert.deepEqual(oneError(MACHINE + 'expect attached(m0) == 0'), [
    "'m0' is a declared device, but argument DEV of attached() wants a DEVICE id: bind it first ('d = bind m0')",
    at(4, 16, 18),
  ]);
  assert.deepEqual(oneError('len = ioas_alloc'), ["'len' is a built-in query and cannot be bound", at(0, 0, 3)]);
  assert.deepEqual(oneError('let users = 1'), ["'users' is a built-in query and cannot be bound", at(0, 4, 9)]);
  assert.deepEqual(oneError('repeat pa in 0..1 {\n}'), ["'pa' is a built-in query and cannot be bound", at(0, 7, 9)]);
  assert.deepEqual(errors(MACHINE + 'expect owner(m0) == user\nexpect pa(buf, vmm) != 0\nexpect read64(buf + 8) == 0'), []);
});

test('rebinding shadows, with a warning', () => {
  const d = check('x = ioas_alloc\nx = ioas_alloc').diagnostics;
  assert.deepEqual(d.map((x) => [x.severity, x.message, x.range]), [['warning', "'x' shadows the binding on line 1", at(1, 0, 1)]]);
});

test('machine declarations: before use, at the top level, once; iommu lines before devices', () => {
  assert.deepEqual(oneError('d = bind m1\ndevice m1'), ["'m1' is used before its declaration on line 2 (a 'device' declaration must come before its first use)", at(0, 9, 11)]);
  assert.deepEqual(oneError('repeat 2 {\n  device m1\n}'), ["'device' declares the machine and must be at the top level of a file, not inside a 'repeat' or 'proc'", at(1, 2, 8)]);
  assert.deepEqual(oneError('device m1\ndevice m1'), ["'m1' is already declared on line 1", at(1, 7, 9)]);
  assert.deepEqual(oneError('device m1\niommu i1 model=vtd'), ["'iommu' lines must come before the first 'device'", at(1, 0, 5)]);
  assert.deepEqual(oneError('iommu a\niommu b\ndevice m1'), ["a device needs 'iommu=NAME' when there are several IOMMUs (a, b)", at(2, 0, 6)]);
  assert.deepEqual(oneError('iommu a model=smmuv3\ndevice m1\nioas = ioas_alloc\ntest_add_reserved ioas 0 4K'), [
    "'test_add_reserved' is an operation of the selftest driver: it needs an IOMMU with model=mock",
    at(3, 0, 17),
  ]);
  // The implicit iommu0 exists until an iommu line replaces it; vmm and iommufd are built in.
  assert.deepEqual(errors('device m1 iommu=iommu0\nmemory b 4K process=vmm\nioas_alloc iommufd=iommufd'), []);
  assert.deepEqual(oneError('iommu i1\ndevice m1 iommu=iommu0'), ["undefined name 'iommu0'", at(1, 16, 22)]);
});

test('procs: defined before use, arity checked at call sites, parameters local, no recursion', () => {
  assert.deepEqual(oneError('proc p(a, b) {\n  destroy a\n}\np(1)'), ["'p' takes 2 arguments (a, b), found 1", at(3, 0, 4)]);
  assert.deepEqual(oneError('p(1)\nproc p(a) {\n}'), ["proc 'p' is called before its definition on line 2 (define procs before calling them)", at(0, 0, 1)]);
  assert.deepEqual(oneError('proc p(a) {\n  p(a)\n}'), ["undefined proc 'p'", at(1, 2, 3)]);
  assert.deepEqual(oneError('proc p(a) {\n}\nexpect a'), ["undefined name 'a'", at(2, 7, 8)]);
  assert.deepEqual(oneError('proc p(a) {\n}\nexpect p(1)'), ["'p' is a proc: call it as a statement of its own, not inside an expression", at(2, 7, 8)]);
});

test('loop variables and block bindings end with the block', () => {
  assert.deepEqual(oneError('repeat i in 0..3 {\n  x = ioas_alloc\n  expect i < 4\n}\ndestroy x'), ["undefined name 'x'", at(4, 8, 9)]);
});

test('dma needs a width or a burst length', () => {
  assert.deepEqual(oneError('device m0\ndma m0 read 0x1000'), ["'dma' needs a width (u8|u16|u32|u64) or len=N", at(1, 0, 3)]);
  assert.deepEqual(errors('device m0\ndma m0 write 0x1000 len=64 fill=0xff'), []);
});

test('outcomes: unknown errno, fault only for dma', () => {
  assert.deepEqual(oneError('destroy 1 => EBUSYY'), ["unknown errno 'EBUSYY'; did you mean 'EBUSY'?", at(0, 13, 19)]);
  assert.deepEqual(oneError('destroy 1 => fault translation'), ["only 'dma' has a 'fault' outcome; 'destroy' succeeds or fails with an errno", at(0, 13, 30)]);
  assert.deepEqual(oneError('device m0\ndma m0 read 0 u32 => fault bogus'), [
    "unknown fault kind 'bogus' (expected one of translation, permission, address_size, access_flag, blocked, bad_ste, bad_cd, pasid)",
    at(1, 21, 32),
  ]);
});

test('resolved: positional arguments under their keys, switch words under theirs', () => {
  const r = check(MACHINE + 'ioas_map ioas buf 4K iova=0x1000000\ndma m0 write 0x1000 u32 7 pasid=1\ndevice m1 pri no_dirty=0');
  assert.deepEqual(r.diagnostics, []);
  const keys = (i: number) => {
    const s = r.program.statements[i] as CommandStmt;
    return [...s.resolved!.entries()].map(([k, v]) => `${k}=${v.kind === 'name' ? v.name : v.kind === 'int' ? v.value : v.kind}`);
  };
  assert.deepEqual(keys(4), ['ioas_id=ioas', 'user_va=buf', 'length=4096', 'iova=16777216']);
  assert.deepEqual(keys(5), ['device=m0', 'dir=write', 'iova=4096', 'width=u32', 'value=7', 'pasid=1']);
  assert.deepEqual(keys(6), ['name=m1', 'pri=pri', 'no_dirty=0']);
  for (const s of r.program.statements) assert.ok(s.kind !== 'command' || s.resolved instanceof ResolvedArgs);
});

test('a malformed file yields all of its errors: five independent ones give five diagnostics, sorted', () => {
  const d = check(['ioas_mapp 1', 'let x', 'destroy 1 2', 'expect nope', 'x = ioas_alloc flags=bogus'].join('\n')).diagnostics;
  assert.deepEqual(d.map((x) => [x.range.start.line, x.message]), [
    [0, "unknown command 'ioas_mapp'; did you mean 'ioas_map'?"],
    [1, "expected '=' after 'let x', found end of line"],
    [2, "too many arguments for 'destroy': it takes 1 positional argument (id); give the others by key"],
    [3, "undefined name 'nope'"],
    [4, "unknown flag 'bogus' for 'flags' of 'ioas_alloc' (it takes no flag words, only numbers)"],
  ]);
});
