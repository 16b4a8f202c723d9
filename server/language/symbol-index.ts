// Who defines and who uses each name in a checked file (and the files it
// includes). The checker validates names but keeps no links; navigation,
// rename, highlights, semantic tokens and "unused" warnings all need them,
// so this walks the program once with the same scoping rules (scope.ts:
// a block opens a child scope; an include binds into its includer's scope).
import type { Argument, CommandStmt, Expr, Position, Program, Range, Stmt } from '../../emulator/language/ast.js';
import type { ArgKind, ArgSpec } from '../../emulator/language/command-spec.js';
import { acceptedKeys } from '../../emulator/language/check-command.js';
import { COMMANDS } from '../../emulator/language/commands.js';
import { CONSTANTS, QUERIES } from '../../emulator/language/queries.js';
import type { DeclKind } from '../../emulator/language/static-value.js';
import { comparePositions, containsPosition } from './positions.js';

export type DefinitionKind =
  /** `NAME = command`: `command` says which. */
  | 'result'
  | 'let'
  /** `repeat NAME in ...` */
  | 'loop'
  | 'proc'
  | 'param'
  /** A topology declaration (`device nic0`), or a built-in name. */
  | 'declared';

export interface Definition {
  name: string;
  kind: DefinitionKind;
  file: string;
  /** The name where it is written (empty at 0:0 for a built-in). */
  range: Range;
  /** The whole statement (for document symbols and folding). */
  stmt?: Stmt;
  /** For `result`: the command; for `declared`: what it declares. */
  command?: string;
  declares?: DeclKind;
  builtin?: boolean;
}

export interface Reference {
  file: string;
  range: Range;
  def: Definition;
}

/** A word that is not a name in scope: a flag, an enum constant, a switch, `none`. */
export type WordKind = 'flag' | 'enum' | 'word' | 'constant';

export interface Occurrence {
  file: string;
  range: Range;
  /** What the text at `range` is, for semantic tokens and hover. */
  role: 'command' | 'key' | 'query' | 'field' | 'errno' | 'fault' | 'word' | 'record-key' | 'unresolved';
  word?: WordKind;
  /** The command statement it belongs to (keys, words). */
  command?: string;
  /** For an unresolved name: what the argument it stands in wants. */
  want?: ArgKind;
}

const BUILTINS: [string, DeclKind][] = [['iommufd', 'fd'], ['vmm', 'process'], ['iommu0', 'iommu']];
const ORIGIN: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

/**
 * One block's names. Definitions carry a sequence number so that a mark (the
 * scope object and the count at a statement) recovers exactly what was
 * visible there without copying the scope for every statement.
 */
class Scope implements OuterDefinitions {
  private readonly names = new Map<string, Definition>();
  private readonly order: { seq: number; def: Definition }[] = [];
  constructor(readonly parent?: OuterDefinitions) {}
  lookup(name: string): Definition | undefined {
    return this.names.get(name) ?? this.parent?.lookup(name);
  }
  define(def: Definition, seq: number): void {
    this.names.set(def.name, def);
    this.order.push({ seq, def });
  }
  /** Names defined before `seq`, innermost and latest first, each once. */
  visibleBefore(seq: number, out = new Map<string, Definition>()): Map<string, Definition> {
    for (let i = this.order.length - 1; i >= 0; i--) {
      const o = this.order[i]!;
      if (o.seq < seq && !out.has(o.def.name)) out.set(o.def.name, o.def);
    }
    return this.parent ? this.parent.visibleBefore(seq, out) : out;
  }
  /** The last definition of each name this scope holds, in definition order. */
  latest(): { seq: number; def: Definition }[] {
    return this.order.filter((o) => this.names.get(o.def.name) === o.def);
  }
}

/**
 * The names defined above a segment of a file, for indexing the segment on its
 * own (the language server's incremental analysis): they all count as defined
 * before any of the segment's definitions.
 */
export interface OuterDefinitions {
  lookup(name: string): Definition | undefined;
  visibleBefore(seq: number, out: Map<string, Definition>): Map<string, Definition>;
}

export interface SegmentOptions {
  outer: OuterDefinitions;
  /** The segment ends the file (its end then marks the scope after the last statement). */
  last: boolean;
}

/** Where a statement starts and what was in scope there (see Scope). */
interface ScopeMark {
  file: string;
  at: Position;
  scope: Scope;
  seq: number;
}

export class SymbolIndex {
  readonly definitions: Definition[] = [];
  readonly references: Reference[] = [];
  readonly occurrences: Occurrence[] = [];
  /** `include` path ranges and the file each names. */
  readonly includes: { file: string; range: Range; target: string }[] = [];
  /** The scope at the start of every statement, in walk order. */
  private readonly marks: ScopeMark[] = [];
  private scope: Scope;

  /** Indexes a whole file, or with `segment` a part of one (see OuterDefinitions). */
  constructor(program: Program, segment?: SegmentOptions) {
    this.scope = new Scope(segment?.outer);
    if (!segment) {
      for (const [name, declares] of BUILTINS) {
        this.scope.define({ name, kind: 'declared', declares, file: '', range: ORIGIN, builtin: true }, -1);
      }
    }
    this.block(program.statements);
    if (!segment || segment.last) this.mark(program.file, endOf(program));
  }

  /** The last top-level definition of each name, with its place among `definitions`. */
  topLevel(): { seq: number; def: Definition }[] {
    return this.scope.latest();
  }

  /** The built-in names, then `defs` (in definition order): what a segment below them sees. */
  static outer(defs: readonly Definition[]): OuterDefinitions {
    const scope = new Scope();
    for (const [name, declares] of BUILTINS) scope.define({ name, kind: 'declared', declares, file: '', range: ORIGIN, builtin: true }, -1);
    for (const d of defs) scope.define(d, -1);
    return scope;
  }

  /** The definition named at a position: a use of it, or the definition itself. */
  symbolAt(file: string, pos: Position): { def: Definition; range: Range } | undefined {
    for (const r of this.references) if (r.file === file && containsPosition(r.range, pos)) return { def: r.def, range: r.range };
    for (const d of this.definitions) if (d.file === file && containsPosition(d.range, pos)) return { def: d, range: d.range };
    return undefined;
  }

  referencesTo(def: Definition): Reference[] {
    return this.references.filter((r) => r.def === def);
  }

  occurrenceAt(file: string, pos: Position): Occurrence | undefined {
    return this.occurrences.find((o) => o.file === file && containsPosition(o.range, pos));
  }

  /** What is in scope at a position of a file (the nearest mark at or before it; on a tie, the later one). */
  scopeAt(file: string, pos: Position): Map<string, Definition> {
    let best: ScopeMark | undefined;
    for (const m of this.marks) {
      if (m.file === file && comparePositions(m.at, pos) <= 0 && (!best || comparePositions(m.at, best.at) >= 0)) best = m;
    }
    return best ? best.scope.visibleBefore(best.seq) : new Map();
  }

  private block(statements: Stmt[]): void {
    for (const s of statements) {
      this.mark(s.file, s.range.start);
      this.statement(s);
      // What it bound is visible from the next line on (not while it is still being typed).
      this.mark(s.file, { line: s.range.end.line + 1, character: 0 });
    }
  }

  private statement(s: Stmt): void {
    switch (s.kind) {
      case 'command':
        return this.command(s);
      case 'let':
        this.expr(s.file, s.value);
        this.define({ name: s.name, kind: 'let', file: s.file, range: s.nameRange, stmt: s });
        return;
      case 'expect':
        return this.expr(s.file, s.condition);
      case 'repeat':
        for (const e of [s.count, s.from, s.to]) if (e) this.expr(s.file, e);
        this.inBlock(() => {
          if (s.variable) this.define({ name: s.variable.name, kind: 'loop', file: s.file, range: s.variable.range, stmt: s });
          this.block(s.body);
        });
        this.mark(s.file, s.range.end);
        return;
      case 'proc':
        this.inBlock(() => {
          for (const p of s.params) this.define({ name: p.name, kind: 'param', file: s.file, range: p.range, stmt: s });
          this.block(s.body);
        });
        this.define({ name: s.name, kind: 'proc', file: s.file, range: s.nameRange, stmt: s });
        this.mark(s.file, s.range.end);
        return;
      case 'call':
        if (!this.use(s.file, s.name, s.nameRange)) this.occurrences.push({ file: s.file, range: s.nameRange, role: 'unresolved' });
        for (const a of s.args) this.expr(s.file, a);
        return;
      case 'include':
        if (s.program) {
          this.includes.push({ file: s.file, range: s.pathRange, target: s.program.file });
          this.block(s.program.statements);
        }
        return;
    }
  }

  private command(s: CommandStmt): void {
    const spec = COMMANDS.get(s.command);
    this.occurrences.push({ file: s.file, range: s.commandRange, role: spec ? 'command' : 'unresolved', command: s.command });
    const keys = spec ? acceptedKeys(spec) : NO_KEYS;
    let declared: Expr | undefined;
    for (const arg of s.args) {
      const argSpec = specOf(s, keys, arg);
      if (arg.kind === 'keyed') {
        this.occurrences.push({ file: s.file, range: arg.keyRange, role: argSpec ? 'key' : 'unresolved', command: s.command });
      }
      if (spec?.declares && argSpec?.key === 'name' && arg.value.kind === 'name') {
        declared = arg.value;
        continue;
      }
      this.expr(s.file, arg.value, argSpec?.kind, s.command);
    }
    const o = s.expect;
    if (o?.kind === 'errno') this.occurrences.push({ file: s.file, range: o.range, role: 'errno' });
    else if (o?.kind === 'fault') this.occurrences.push({ file: s.file, range: o.range, role: 'fault' });
    else if (o?.kind === 'value') this.expr(s.file, o.value);
    if (declared?.kind === 'name' && spec?.declares) {
      this.define({ name: declared.name, kind: 'declared', declares: spec.declares, file: s.file, range: declared.range, stmt: s });
    }
    if (s.bind) this.define({ name: s.bind.name, kind: 'result', command: s.command, file: s.file, range: s.bind.range, stmt: s });
  }

  private expr(file: string, e: Expr, kind?: ArgKind, command?: string): void {
    switch (e.kind) {
      case 'name': {
        const word = wordKind(e.name, kind);
        if (word) this.occurrences.push({ file, range: e.range, role: 'word', word, command });
        else if (!this.use(file, e.name, e.range)) {
          this.occurrences.push(
            CONSTANTS.has(e.name)
              ? { file, range: e.range, role: 'word', word: 'constant' }
              : { file, range: e.range, role: 'unresolved', want: kind, command },
          );
        }
        return;
      }
      case 'field':
        this.expr(file, e.object);
        this.occurrences.push({ file, range: e.fieldRange, role: 'field' });
        return;
      case 'index':
        this.expr(file, e.object);
        this.expr(file, e.index);
        return;
      case 'call':
        this.occurrences.push({ file, range: e.calleeRange, role: QUERIES.has(e.callee) ? 'query' : 'unresolved' });
        for (const a of e.args) this.expr(file, a);
        return;
      case 'binary':
        // `a|b` of flag words keeps the argument's kind on both sides.
        this.expr(file, e.left, kind, command);
        this.expr(file, e.right, kind, command);
        return;
      case 'unary':
        return this.expr(file, e.operand, kind, command);
      case 'range':
        this.expr(file, e.start);
        this.expr(file, e.last);
        return;
      case 'list':
        for (const item of e.items) this.expr(file, item);
        return;
      case 'record':
        for (const entry of e.entries) {
          this.occurrences.push({ file, range: entry.keyRange, role: 'record-key' });
          this.expr(file, entry.value);
        }
        return;
      case 'int':
      case 'string':
      case 'bytes':
        return;
    }
  }

  /** From `pos` on (until the next mark), what is in scope now is what is visible. */
  private mark(file: string, pos: Position): void {
    this.marks.push({ file, at: pos, scope: this.scope, seq: this.definitions.length });
  }

  /** Records a use of a name; false if nothing by that name is in scope. */
  private use(file: string, name: string, range: Range): boolean {
    const def = this.scope.lookup(name);
    if (!def) return false;
    this.references.push({ file, range, def });
    return true;
  }

  private define(def: Definition): void {
    this.scope.define(def, this.definitions.length);
    this.definitions.push(def);
  }

  private inBlock(body: () => void): void {
    const outer = this.scope;
    this.scope = new Scope(outer);
    try {
      body();
    } finally {
      this.scope = outer;
    }
  }
}

/** The table entry an argument was matched to (the checker's `resolved` holds the same expression objects). */
const NO_KEYS: ReadonlyMap<string, ArgSpec> = new Map();

function specOf(s: CommandStmt, keys: ReadonlyMap<string, ArgSpec>, arg: Argument): ArgSpec | undefined {
  if (arg.kind === 'keyed') return keys.get(arg.key);
  for (const [key, value] of s.resolved ?? []) if (value === arg.value) return keys.get(key);
  return undefined;
}

/** A bare word the argument's kind gives a meaning of its own (it is not a name lookup). */
function wordKind(name: string, kind: ArgKind | undefined): WordKind | undefined {
  if (!kind) return undefined;
  if (kind.type === 'flags' && name in kind.flags) return 'flag';
  if (kind.type === 'enum' && name in kind.values) return 'enum';
  if (kind.type === 'word' && kind.words.includes(name)) return 'word';
  if (kind.type === 'switch') return 'word';
  return undefined;
}

function endOf(program: Program): Position {
  const last = program.statements[program.statements.length - 1];
  return last ? last.range.end : { line: 0, character: 0 };
}
