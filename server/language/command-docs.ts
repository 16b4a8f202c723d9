// Documentation of commands, keys and queries, written from the command and
// query tables themselves so it can never drift from what the checker
// accepts. Hover, completion's resolve and signature help all read it.
import type { ArgKind, ArgSpec, CommandSpec, ResultSpec } from '../../emulator/language/command-spec.js';
import { errnoRules, ruleLines } from '../../emulator/language/errno-rules.js';
import { ioctlStruct } from '../../emulator/language/ioctl-structs.js';
import type { QuerySpec } from '../../emulator/language/queries.js';
import { anId, idName } from '../../emulator/language/static-value.js';

const hex = (v: bigint): string => (v > 9n ? `0x${v.toString(16)}` : v.toString());

/** `id(IOAS)`, `flags: fixed_iova=1 writeable=2`, `read|write`, ... */
export function kindText(kind: ArgKind): string {
  switch (kind.type) {
    case 'id':
      return `id(${idName(kind.objects)})`;
    case 'flags': {
      const words = Object.entries(kind.flags);
      return words.length ? `flags: ${words.map(([w, v]) => `${w}=${hex(v)}`).join(' ')}` : 'flags (numbers only)';
    }
    case 'enum':
      return `const: ${Object.entries(kind.values).map(([w, v]) => `${w}=${hex(v)}`).join(' ')}`;
    case 'word':
      return kind.words.join('|');
    default:
      return kind.type;
  }
}

/** What a bare word means as a value of an argument: `flag 0x2`, `constant 0x1`, `a word`, `a switch`. */
export function wordMeaning(kind: ArgKind, key: string, word: string): string | undefined {
  if (kind.type === 'flags' && word in kind.flags) return `flag ${hex(kind.flags[word]!)}`;
  if (kind.type === 'enum' && word in kind.values) return `constant ${hex(kind.values[word]!)}`;
  if (kind.type === 'word' && kind.words.includes(word)) return `one of ${kind.words.join('|')}`;
  if (kind.type === 'switch' && key === word) return 'the switch';
  return undefined;
}

/** One parameter as the signature shows it: `iova`, `[flags]`, `pasid=` (key only). */
export function paramLabel(a: ArgSpec): string {
  if (!a.positional) return `${a.key}=`;
  return a.required ? a.key : `[${a.key}]`;
}

/** The parameters a signature lists: the command's own, positional ones first. */
export function signatureParams(spec: CommandSpec): ArgSpec[] {
  return [...spec.args.filter((a) => a.positional), ...spec.args.filter((a) => !a.positional)];
}

export function commandSignature(spec: CommandSpec): string {
  return [spec.name, ...signatureParams(spec).map(paramLabel)].join(' ');
}

export function resultText(r: ResultSpec | undefined): string | undefined {
  if (!r) return undefined;
  const p = r.primary;
  const primary = p.type === 'id' ? anId(p.objects) : p.type === 'int' ? 'a number' : p.type === 'list' ? 'a list' : p.type === 'handle' ? 'a handle' : 'no value';
  return r.fields.length ? `${primary}; fields ${r.fields.map((f) => `.${f}`).join(' ')}` : primary;
}

export function argDoc(a: ArgSpec): string {
  const how = a.positional ? (a.required ? 'required' : 'optional') : 'by key only';
  return `\`${a.key}\` (${how}): ${kindText(a.kind)}`;
}

/** Markdown: signature, what it issues (ioctl and struct fields), arguments, result. */
export function commandDoc(spec: CommandSpec): string {
  const out = ['```iotrace', commandSignature(spec), '```'];
  if (spec.ioctl) {
    const st = ioctlStruct(spec.ioctl);
    out.push(`Issues \`${spec.ioctl}\`${st ? ` with \`struct ${st.name}\` (${st.size} bytes): ${st.fields.map((f) => `\`${f.name}\``).join(', ')}` : ''}.`);
  }
  if (spec.declares) out.push(`Declares a new ${spec.declares} name (top level only, before its first use).`);
  if (spec.model) out.push(`Needs an IOMMU with \`model=${spec.model}\` (a selftest operation).`);
  if (spec.args.length) out.push('', ...spec.args.map((a) => `- ${argDoc(a)}`));
  const result = resultText(spec.result);
  if (result) out.push('', `Binds ${result}: \`NAME = ${spec.name} ...\`.`);
  const rules = errnoRules(spec.name);
  if (rules?.length) out.push('', 'Errno rules, in the kernel\'s check order:', '', ...ruleLines(rules).map((l) => `- ${l}`));
  if (spec.ioctl) out.push('', 'Raw controls: `size=`, `trailing=`, `arg=null`, `data=h"..."`, and any struct field by its C name.');
  return out.join('\n');
}

export function querySignature(q: QuerySpec): string {
  return `${q.name}(${q.args.map((a, i) => (i < q.required ? a.name : `[${a.name}]`)).join(', ')})`;
}

export function queryDoc(q: QuerySpec): string {
  const ret = q.returns.t === 'record' ? `a record (${(q.returns.fields ?? []).map((f) => `.${f}`).join(' ')})` : q.returns.t === 'list' ? 'a list' : q.returns.t === 'int' ? 'a number' : 'a value';
  return ['```iotrace', querySignature(q), '```', `Query: returns ${ret}.`, '', ...q.args.map((a) => `- \`${a.name}\`: ${kindText(a.kind)}`)].join('\n');
}
