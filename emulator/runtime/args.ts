// A checked command's arguments, read by key in the form each command needs
// (an integer, a flag set, a declared name, a list of ranges...). The reader
// remembers which keys a command used: the keys left over are raw struct
// field overrides (trace-language §2).
import type { Expr } from '../language/ast.js';
import type { CommandSpec } from '../language/command-spec.js';
import { evaluate, type EvalEnv } from './evaluate.js';
import { U64_MAX, asInt, elements, isError, primaryOf, type RecordValue, type Value } from './values.js';

/** An argument that cannot be turned into what the command needs; nothing is issued. */
export class ArgFailure extends Error {}

type Words = Readonly<Record<string, bigint>>;

/** Per argument key of a command: the flag or constant words of the arguments that have some. */
export type ArgWords = ReadonlyMap<string, Words>;

const NO_WORDS: ArgWords = new Map();

/**
 * A command's argument words, from its table entry. Worked out once per
 * command (the table is static; see execute-command.ts), instead of
 * searching the entry's arguments on every `int()` of every statement.
 */
export function argWords(spec: CommandSpec | undefined): ArgWords {
  const words = new Map<string, Words>();
  const seen = new Set<string>();
  for (const a of spec?.args ?? []) {
    // The first entry for a key wins, as a search of the table would find it.
    if (seen.has(a.key)) continue;
    seen.add(a.key);
    if (a.kind.type === 'flags') words.set(a.key, a.kind.flags);
    else if (a.kind.type === 'enum') words.set(a.key, a.kind.values);
  }
  return words.size > 0 ? words : NO_WORDS;
}

/** The environment with an argument's words in front of the names in scope. */
class WordsEnv implements EvalEnv {
  constructor(
    private readonly table: Words,
    private readonly env: EvalEnv,
  ) {}

  lookup(name: string): Value | undefined {
    return Object.prototype.hasOwnProperty.call(this.table, name) ? this.table[name] : this.env.lookup(name);
  }

  query(name: string, args: Value[]): Value {
    return this.env.query(name, args);
  }
}

export class Args {
  /**
   * The keys the statement gives that have been read so far, in `used[0 ..
   * usedCount)` (a statement has a handful: an array is cheaper than a Set).
   * A key it does not give is never left over, so asking for one records
   * nothing. Sized to the statement's keys up front: the first `push` onto
   * an empty array would allocate room for 17.
   */
  private used: string[];
  private usedCount = 0;

  constructor(
    private resolved: ReadonlyMap<string, Expr>,
    private env: EvalEnv,
    /** The command's argument words (`argWords` of its table entry): they count in its integer arguments. */
    private words: ArgWords = NO_WORDS,
  ) {
    this.used = new Array<string>(resolved.size);
  }

  /**
   * Reads another statement's arguments (execute-command.ts keeps one
   * reader for every statement: it is done with when the handler returns).
   */
  reset(resolved: ReadonlyMap<string, Expr>, env: EvalEnv, words: ArgWords): void {
    this.resolved = resolved;
    this.env = env;
    this.words = words;
    this.usedCount = 0;
    if (this.used.length < resolved.size) this.used = new Array<string>(resolved.size);
  }

  has(key: string): boolean {
    return this.resolved.has(key);
  }

  /** The keys no reader asked for, in the order they were written. */
  unused(): string[] {
    const out: string[] = [];
    for (const k of this.resolved.keys()) if (!this.wasRead(k)) out.push(k);
    return out;
  }

  /** Whether every key the statement gives has been read (`unused()` is empty). */
  allRead(): boolean {
    // `used` holds distinct keys of `resolved` only, so counting them is enough.
    return this.usedCount === this.resolved.size;
  }

  private expr(key: string): Expr | undefined {
    const e = this.resolved.get(key);
    if (e !== undefined && !this.wasRead(key)) this.used[this.usedCount++] = key;
    return e;
  }

  /** `used.includes(key)` as a loop the compiler inlines: every argument read of every statement asks. */
  private wasRead(key: string): boolean {
    const used = this.used;
    for (let i = 0; i < this.usedCount; i++) if (used[i] === key) return true;
    return false;
  }

  value(key: string): Value | undefined {
    const e = this.expr(key);
    return e && this.checked(key, evaluate(e, this.env));
  }

  /**
   * An integer argument. Where the table gives the argument flag words
   * (`fixed_iova|writeable`) or named constants (`selftest`), they count.
   */
  int(key: string): bigint | undefined {
    const e = this.expr(key);
    if (!e) return undefined;
    // Most arguments are literals (`iova=0x10043000`, `4K`): nothing to look up, no words to consult.
    if (e.kind === 'int' && e.value >= 0n && e.value <= U64_MAX) return e.value;
    const words = this.words.size === 0 ? undefined : this.words.get(key);
    const v = evaluate(e, words ? new WordsEnv(words, this.env) : this.env);
    // Nearly every argument is a plain number: only other values need unwrapping and error checks.
    return typeof v === 'bigint' ? v : this.toInt(key, this.checked(key, v));
  }

  /** `v`, unless it is an error value: then nothing is issued. */
  private checked(key: string, v: Value): Value {
    if (isError(v)) throw new ArgFailure(`${key}: ${v.message}`);
    return v;
  }

  required(key: string): bigint {
    const v = this.int(key);
    if (v === undefined) throw new ArgFailure(`${key} is required`);
    return v;
  }

  /** A 32-bit-or-less quantity as a JS number (widths, PASIDs, indexes). */
  num(key: string): number | undefined {
    const v = this.int(key);
    return v === undefined ? undefined : Number(v);
  }

  /** A bare word (`probe`, `read`, `u32`) or a declared name (a device, a process, an fd). */
  word(key: string): string | undefined {
    const e = this.expr(key);
    if (!e) return undefined;
    if (e.kind === 'name') {
      // A proc parameter or `let` may stand for a declared name (`proc p(dev) { dma dev ... }`).
      const bound = this.env.lookup(e.name);
      return bound !== undefined && typeof bound !== 'bigint' && bound.kind === 'symbol' ? bound.name : e.name;
    }
    const v = primaryOf(evaluate(e, this.env));
    if (typeof v !== 'bigint' && v.kind === 'symbol') return v.name;
    throw new ArgFailure(`${key}: expected a name`);
  }

  /** The name an argument is written as, if it is a bare name (without evaluating it). */
  nameOf(key: string): string | undefined {
    const e = this.expr(key);
    return e?.kind === 'name' ? e.name : undefined;
  }

  /** A presence switch: the bare word, or `KEY=0|1`. */
  switch(key: string): boolean {
    const e = this.expr(key);
    if (!e) return false;
    if (e.kind === 'name' && e.name === key) return true;
    return this.toInt(key, evaluate(e, this.env)) !== 0n;
  }

  ranges(key: string): { start: bigint; last: bigint }[] | undefined {
    const items = this.list(key);
    return items?.map((r) => {
      const p = primaryOf(r);
      if (typeof p === 'bigint' || p.kind !== 'range') throw new ArgFailure(`${key}: expected START..LAST ranges`);
      return { start: p.start, last: p.last };
    });
  }

  /** A list of integers (`bitmap=[u64, ...]`). */
  ints(key: string): bigint[] | undefined {
    return this.list(key)?.map((v) => this.toInt(key, v));
  }

  records(key: string): RecordValue[] | undefined {
    return this.list(key)?.map((r) => this.toRecord(key, r));
  }

  record(key: string): RecordValue | undefined {
    const v = this.value(key);
    return v === undefined ? undefined : this.toRecord(key, v);
  }

  /** A byte string (`h"..."`), or a list of bytes. */
  bytes(key: string): Uint8Array | undefined {
    const v = this.value(key);
    if (v === undefined) return undefined;
    if (typeof v !== 'bigint' && v.kind === 'bytes') return v.bytes;
    const items = elements(v);
    if (!items) throw new ArgFailure(`${key}: expected a byte string h"..."`);
    return Uint8Array.from(items, (x) => Number(this.toInt(key, x) & 0xffn));
  }

  private list(key: string): Value[] | undefined {
    const v = this.value(key);
    if (v === undefined) return undefined;
    const items = elements(v);
    if (!items) throw new ArgFailure(`${key}: expected a list [...]`);
    return items;
  }

  private toRecord(key: string, v: Value): RecordValue {
    if (typeof v === 'bigint' || v.kind !== 'record') throw new ArgFailure(`${key}: expected a record {key=value, ...}`);
    return v;
  }

  private toInt(key: string, v: Value): bigint {
    const n = asInt(v);
    if (isError(n)) throw new ArgFailure(`${key}: ${n.message}`);
    return n;
  }
}
