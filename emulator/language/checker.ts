// The checker: walks a parsed file with its scope, checks every statement
// (check-command.ts for arguments, check-expr.ts for expressions) and applies
// the rules that span statements: names and what they are, declarations of
// the machine before use and at the top level, bindings and shadowing, procs
// and their arities, loops, and includes (include.ts).
import { isErrnoName, ERRNO } from '../engine/errno.js';
import type { CommandStmt, Diagnostic, IncludeStmt, Program, Range, Stmt } from './ast.js';
import type { CheckContext } from './check-context.js';
import { checkCommandArgs } from './check-command.js';
import { checkExpr } from './check-expr.js';
import type { CommandSpec } from './command-spec.js';
import { collectDeclarations, DeclarationsOnDemand, type Declarations } from './declarations.js';
import { KEYWORDS, type StatementReader } from './parser.js';
import { CONSTANTS, QUERIES } from './queries.js';
import { Scope, type Binding } from './scope.js';
import { UNKNOWN, type DeclKind, type StaticValue } from './static-value.js';
import { didYouMean } from './suggest.js';

export const FAULT_KINDS = ['translation', 'permission', 'address_size', 'access_flag', 'blocked', 'bad_ste', 'bad_cd', 'pasid'];

/** Loads and checks an included file; returns its checked program, or reports why it cannot. */
export type IncludeHook = (stmt: IncludeStmt, checker: Checker) => Program | undefined;

/** The machine as declared so far: one per run, shared with included files. */
export interface MachineState {
  /** IOMMU models by name; empty means the implicit `iommu0` of model mock. */
  iommus: Map<string, string>;
  devices: number;
}

export class Checker implements CheckContext {
  scope: Scope;
  /** Depth of `repeat` / `proc` blocks: declarations need depth 0. */
  private depth = 0;
  /** Top-level declarations and procs of the current file, by name: for "used before" messages. */
  private ahead: Declarations = new Map();
  private current: Stmt | undefined;
  /**
   * For incremental checking (server/language/incremental-check.ts): set when
   * a check read the machine state, or wrote a message quoting the line of
   * another statement (such messages change when lines move).
   */
  machineRead = false;
  lineRefs = false;

  constructor(
    readonly diagnostics: Diagnostic[],
    readonly machine: MachineState,
    scope: Scope,
    private readonly include: IncludeHook,
  ) {
    this.scope = scope;
  }

  /** A root scope with the built-in names: the iommufd open at start, the VMM, the implicit IOMMU. */
  static rootScope(): Scope {
    const scope = new Scope();
    const at: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    const builtin = (name: string, what: DeclKind): void =>
      scope.define(name, { value: { t: 'declared', what, name }, file: '', range: at, builtin: true });
    builtin('iommufd', 'fd');
    builtin('vmm', 'process');
    builtin('iommu0', 'iommu');
    return scope;
  }

  checkProgram(program: Program): void {
    this.checkTopLevel(program.statements, collectDeclarations(program.statements));
  }

  /** Checks top-level statements of a file whose top-level declarations are `ahead` (a part of it, when checking incrementally). */
  checkTopLevel(statements: Stmt[], ahead: Declarations): void {
    const saved = this.ahead;
    this.ahead = ahead;
    this.block(statements);
    this.ahead = saved;
  }

  /**
   * Checks a file's top-level statements as `reader` parses them, handing
   * each to `checked` once it is checked and keeping none: what checking a
   * large trace costs is then the parse and the checks, not holding its tree.
   */
  checkStatements(reader: StatementReader, checked: (s: Stmt) => void): void {
    const saved = this.ahead;
    this.ahead = new DeclarationsOnDemand(reader.file, reader.text);
    for (let s = reader.next(); s; s = reader.next()) {
      this.visit(s);
      checked(s);
    }
    this.ahead = saved;
  }

  error(range: Range, message: string): void {
    this.report(range, message, 'error');
  }

  warn(range: Range, message: string): void {
    this.report(range, message, 'warning');
  }

  declaredLater(name: string): { line: number; what: string } | undefined {
    const d = this.ahead.get(name);
    const here = this.current?.range.start.line ?? 0;
    if (!d || d.line - 1 <= here) return undefined;
    this.lineRefs = true;
    return d;
  }

  private report(range: Range, message: string, severity: Diagnostic['severity']): void {
    this.diagnostics.push({ file: this.current?.file ?? '', range, severity, message });
  }

  private block(statements: Stmt[]): void {
    for (const s of statements) this.visit(s);
  }

  private visit(s: Stmt): void {
    const outer = this.current;
    this.current = s;
    this.statement(s);
    this.current = outer;
  }

  private statement(s: Stmt): void {
    switch (s.kind) {
      case 'command':
        return this.command(s);
      case 'let':
        this.bind(s.name, s.nameRange, checkExpr(this, s.value));
        return;
      case 'expect':
        checkExpr(this, s.condition);
        return;
      case 'repeat':
        return this.repeat(s);
      case 'proc':
        return this.proc(s);
      case 'call':
        return this.call(s);
      case 'include':
        if (this.depth > 0) this.error(s.range, "'include' must be at the top level of a file, not inside a 'repeat' or 'proc'");
        else s.program = this.include(s, this);
        return;
    }
  }

  private command(s: CommandStmt): void {
    const spec = checkCommandArgs(this, s);
    this.checkOutcome(s);
    if (!spec) {
      if (s.bind) this.bind(s.bind.name, s.bind.range, UNKNOWN);
      return;
    }
    if (spec.model === 'mock' && this.readMachine().iommus.size > 0 && ![...this.machine.iommus.values()].includes('mock')) {
      this.error(s.commandRange, `'${spec.name}' is an operation of the selftest driver: it needs an IOMMU with model=mock`);
    }
    if (spec.name === 'dma' && !s.resolved?.has('width') && !s.resolved?.has('len')) {
      this.error(s.commandRange, "'dma' needs a width (u8|u16|u32|u64) or len=N");
    }
    if (spec.declares) this.declare(s, spec);
    if (s.bind) {
      const r = spec.result;
      if (!r) this.error(s.bind.range, `'${spec.name}' has no result to bind to '${s.bind.name}'`);
      const value: StaticValue = r
        ? { t: 'result', command: spec.name, primary: r.primary.type, objects: r.primary.type === 'id' ? r.primary.objects : undefined, fields: r.fields }
        : UNKNOWN;
      this.bind(s.bind.name, s.bind.range, value);
    }
  }

  /** Topology statements: top level only, before use, one name each. */
  private declare(s: CommandStmt, spec: CommandSpec): void {
    const what = spec.declares!;
    const nameExpr = s.resolved?.get('name');
    if (this.depth > 0) {
      this.error(s.commandRange, `'${spec.name}' declares the machine and must be at the top level of a file, not inside a 'repeat' or 'proc'`);
    }
    if (what === 'iommu') this.declareIommu(s);
    if (what === 'device') this.declareDevice(s);
    if (nameExpr?.kind !== 'name') return;
    const name = nameExpr.name;
    const previous = this.scope.lookup(name);
    if (previous?.value.t === 'declared') {
      const where = previous.builtin ? 'built in' : `declared on line ${this.lineOf(previous)}`;
      this.error(nameExpr.range, `'${name}' is already ${where}`);
      return;
    }
    this.bind(name, nameExpr.range, { t: 'declared', what, name });
  }

  private declareIommu(s: CommandStmt): void {
    if (this.readMachine().devices > 0) this.error(s.commandRange, "'iommu' lines must come before the first 'device'");
    if (this.machine.iommus.size === 0) this.scope.remove('iommu0');
    const name = s.resolved?.get('name');
    const model = s.resolved?.get('model');
    // A new map, not set() on the old one: an incremental check shares the map of the machine above its segment.
    if (name?.kind === 'name') this.machine.iommus = new Map(this.machine.iommus).set(name.name, model?.kind === 'name' ? model.name : 'mock');
  }

  private declareDevice(s: CommandStmt): void {
    this.readMachine().devices++;
    if (this.machine.iommus.size > 1 && !s.resolved?.has('iommu')) {
      this.error(s.commandRange, `a device needs 'iommu=NAME' when there are several IOMMUs (${[...this.machine.iommus.keys()].join(', ')})`);
    }
  }

  private checkOutcome(s: CommandStmt): void {
    const o = s.expect;
    if (!o) return;
    if (o.kind === 'errno' && !isErrnoName(o.name)) {
      this.error(o.range, `unknown errno '${o.name}'${didYouMean(o.name, Object.keys(ERRNO))}`);
    } else if (o.kind === 'fault') {
      if (s.command !== 'dma') this.error(o.range, `only 'dma' has a 'fault' outcome; '${s.command}' succeeds or fails with an errno`);
      else if (!FAULT_KINDS.includes(o.fault)) this.error(o.range, `unknown fault kind '${o.fault}' (expected one of ${FAULT_KINDS.join(', ')})`);
    } else if (o.kind === 'value') {
      checkExpr(this, o.value);
    }
  }

  private repeat(s: Extract<Stmt, { kind: 'repeat' }>): void {
    if (s.count) checkExpr(this, s.count);
    if (s.from) checkExpr(this, s.from);
    if (s.to) checkExpr(this, s.to);
    this.inBlock(() => {
      if (s.variable) this.bind(s.variable.name, s.variable.range, { t: 'int' });
      this.block(s.body);
    });
  }

  private proc(s: Extract<Stmt, { kind: 'proc' }>): void {
    // The body sees the names bound before the definition, and its parameters;
    // the proc itself is bound only after its body, so it cannot recurse.
    this.inBlock(() => {
      const seen = new Set<string>();
      for (const p of s.params) {
        if (seen.has(p.name)) this.error(p.range, `parameter '${p.name}' of '${s.name}' is given twice`);
        seen.add(p.name);
        this.bind(p.name, p.range, UNKNOWN);
      }
      this.block(s.body);
    });
    this.bind(s.name, s.nameRange, { t: 'proc', params: s.params.map((p) => p.name) });
  }

  private call(s: Extract<Stmt, { kind: 'call' }>): void {
    for (const a of s.args) checkExpr(this, a);
    const binding = this.scope.lookup(s.name);
    if (!binding) {
      const later = this.declaredLater(s.name);
      if (later) this.error(s.nameRange, `proc '${s.name}' is called before its definition on line ${later.line} (define procs before calling them)`);
      else if (QUERIES.has(s.name)) this.error(s.nameRange, `'${s.name}' is a query: use it in an expression (expect ${s.name}(...))`);
      else this.error(s.nameRange, `undefined proc '${s.name}'`);
      return;
    }
    if (binding.value.t !== 'proc') {
      this.error(s.nameRange, `'${s.name}' is not a proc`);
      return;
    }
    const params = binding.value.params;
    if (params.length !== s.args.length) {
      this.error(s.range, `'${s.name}' takes ${params.length} argument${params.length === 1 ? '' : 's'} (${params.join(', ')}), found ${s.args.length}`);
    }
  }

  private readMachine(): MachineState {
    this.machineRead = true;
    return this.machine;
  }

  /** The 1-based line of another binding, for a message. */
  private lineOf(b: Binding): number {
    this.lineRefs = true;
    return b.range.start.line + 1;
  }

  private inBlock(body: () => void): void {
    const outer = this.scope;
    this.scope = outer.child();
    this.depth++;
    try {
      body();
    } finally {
      this.depth--;
      this.scope = outer;
    }
  }

  /** Binds a name in the current scope; reserved names are refused, rebinding warns. */
  private bind(name: string, range: Range, value: StaticValue): void {
    if (QUERIES.has(name)) {
      this.error(range, `'${name}' is a built-in query and cannot be bound`);
      return;
    }
    if (CONSTANTS.has(name) || KEYWORDS.has(name)) {
      this.error(range, `'${name}' is reserved and cannot be bound`);
      return;
    }
    const previous = this.scope.lookup(name);
    if (previous) {
      const where = previous.builtin ? 'the built-in' : `the binding on line ${this.lineOf(previous)}`;
      this.warn(range, `'${name}' shadows ${where}`);
    }
    this.scope.define(name, { value, file: this.current?.file ?? '', range });
  }
}
