// Matches a command statement's arguments to its table entry and fills
// `resolved`: positional arguments go to the next free positional key in
// table order, a bare word the table lists (`read`, `u32`, `pri`) goes to its
// key, and every value is checked against its key's kind.
import type { CommandStmt, Expr } from './ast.js';
import type { ArgSpec, CommandSpec } from './command-spec.js';
import type { CheckContext } from './check-context.js';
import { checkExpr } from './check-expr.js';
import { checkKind } from './check-kind.js';
import { COMMANDS, IOMMUFD_KEY, RAW_IOCTL_KEYS } from './commands.js';
import { ioctlStruct } from './ioctl-structs.js';
import { ResolvedArgs } from './resolved-args.js';
import { didYouMean } from './suggest.js';

/** A command's accepted keys and positional slots, worked out once per table entry, not once per statement. */
interface SpecKeys {
  keys: ReadonlyMap<string, ArgSpec>;
  /** The positional arguments in table order (words and switches are matched by name instead). */
  slots: readonly ArgSpec[];
  /** `names` of the slots, by slot index (the positional path is the hot one: an array read, not a lookup). */
  slotNames: readonly string[];
  /** The argument a bare word stands for: a word of a `word` argument, or a switch by its own name (the first in table order). */
  words: ReadonlyMap<string, ArgSpec>;
  required: readonly ArgSpec[];
  /** How messages name each argument ("'iova' of 'ioas_map'"), made once rather than for every argument checked. */
  names: ReadonlyMap<string, string>;
}

const specKeys = new WeakMap<CommandSpec, SpecKeys>();

function keysOf(spec: CommandSpec): SpecKeys {
  let k = specKeys.get(spec);
  if (!k) {
    const words = new Map<string, ArgSpec>();
    for (const a of spec.args) {
      const names = a.kind.type === 'word' ? a.kind.words : a.kind.type === 'switch' ? [a.key] : [];
      for (const w of names) if (!words.has(w)) words.set(w, a);
    }
    const keys = allKeys(spec);
    const nameOf = (key: string): string => `'${key}' of '${spec.name}'`;
    const slots = spec.args.filter((a) => a.positional && a.kind.type !== 'word' && a.kind.type !== 'switch');
    k = {
      keys,
      names: new Map([...keys.keys()].map((key) => [key, nameOf(key)])),
      slots,
      slotNames: slots.map((a) => nameOf(a.key)),
      words,
      required: spec.args.filter((a) => a.required),
    };
    specKeys.set(spec, k);
  }
  return k;
}

/** Every key a command accepts, its own first, then the shared and raw-control ones (worked out once per command). */
export function acceptedKeys(spec: CommandSpec): ReadonlyMap<string, ArgSpec> {
  return keysOf(spec).keys;
}

function allKeys(spec: CommandSpec): Map<string, ArgSpec> {
  const keys = new Map<string, ArgSpec>(spec.args.map((a) => [a.key, a]));
  const add = (a: ArgSpec): void => {
    if (!keys.has(a.key)) keys.set(a.key, a);
  };
  add(IOMMUFD_KEY);
  if (spec.ioctl !== undefined) {
    RAW_IOCTL_KEYS.forEach(add);
    // Any field of the uAPI struct overrides what the statement would derive.
    for (const f of ioctlStruct(spec.ioctl)?.fields ?? []) add({ key: f.name, kind: { type: 'int' } });
  }
  return keys;
}

/**
 * Checks the arguments; returns the command's table entry, or undefined for
 * an unknown command. Without a context it only fills `resolved`: a checked
 * statement parsed again (program-text.ts) needs that and no messages.
 */
export function checkCommandArgs(ctx: CheckContext | undefined, stmt: CommandStmt): CommandSpec | undefined {
  const spec = COMMANDS.get(stmt.command);
  if (!spec) {
    if (ctx) {
      ctx.error(stmt.commandRange, `unknown command '${stmt.command}'${didYouMean(stmt.command, COMMANDS.keys())}`);
      for (const a of stmt.args) checkExpr(ctx, a.value);
    }
    return undefined;
  }
  const { keys, slots, slotNames, words, required, names } = keysOf(spec);
  const resolved = new ResolvedArgs();
  const declared = spec.declares !== undefined ? spec.args[0] : undefined;
  // The first positional slot that may still be free: slots only ever fill, so it never moves back.
  let free = 0;

  for (const arg of stmt.args) {
    if (arg.kind === 'keyed') {
      const argSpec = keys.get(arg.key);
      if (!argSpec) {
        if (ctx) {
          ctx.error(arg.keyRange, `unknown key '${arg.key}' for '${spec.name}'${didYouMean(arg.key, keys.keys())}`);
          checkExpr(ctx, arg.value);
        }
      } else if (!givenTwice(ctx, spec, resolved, arg.key, arg.value)) {
        resolved.add(arg.key, arg.value);
        if (ctx && argSpec !== declared) checkKind(ctx, arg.value, argSpec.kind, names.get(arg.key)!);
      }
      continue;
    }
    const word = arg.value.kind === 'name' ? words.get(arg.value.name) : undefined;
    if (word) {
      if (!givenTwice(ctx, spec, resolved, word.key, arg.value)) resolved.add(word.key, arg.value);
      continue;
    }
    while (free < slots.length && resolved.has(slots[free]!.key)) free++;
    const slot = slots[free];
    if (!slot) {
      if (ctx) {
        const names = slots.map((s) => s.key).join(', ');
        ctx.error(arg.range, `too many arguments for '${spec.name}': it takes ${slots.length} positional argument${slots.length === 1 ? '' : 's'}${names ? ` (${names})` : ''}; give the others by key`);
        checkExpr(ctx, arg.value);
      }
      continue;
    }
    resolved.add(slot.key, arg.value);
    if (!ctx) continue;
    if (slot === declared) {
      if (arg.value.kind !== 'name') ctx.error(arg.range, `expected a new name for the ${spec.declares} '${spec.name}' declares, found an expression`);
    } else {
      checkKind(ctx, arg.value, slot.kind, slotNames[free]!);
    }
  }

  // A NULL argument pointer never reaches the fields, so nothing else is needed.
  if (ctx && !resolved.has('arg')) {
    for (const a of required) {
      if (!resolved.has(a.key)) ctx.error(stmt.commandRange, `missing required argument '${a.key}' of '${spec.name}'`);
    }
  }
  stmt.resolved = resolved;
  return spec;
}

/** Reports a key given a second time (the first one counts). */
function givenTwice(ctx: CheckContext | undefined, spec: CommandSpec, resolved: ResolvedArgs, key: string, at: Expr): boolean {
  if (!resolved.has(key)) return false;
  ctx?.error(at.range, `'${key}' of '${spec.name}' is given twice`);
  return true;
}
