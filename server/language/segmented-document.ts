// A document the language server analyses incrementally: its segments
// (incremental-parse.ts), each checked on its own against the names the
// segments above it bound, and indexed for the "unused" hints and for
// completion. After an edit only the re-parsed segments are checked, plus
// the segments that read something the edit changed: a name whose binding
// is no longer the same, the machine state, the line of a declaration they
// mention. Every result equals a full check of the text (the property test
// in test/language-server/incremental.test.ts compares them on random edits).
//
// Files with a top-level `include` are not analysed this way (analysis.ts
// analyses them whole): what an include brings in may change with any other
// file.
import type { Diagnostic, Position, Range, Stmt } from '../../emulator/language/ast.js';
import { Checker, type MachineState } from '../../emulator/language/checker.js';
import { declarationOf, type Declaration } from '../../emulator/language/declarations.js';
import { REMOVED, Scope, type Binding } from '../../emulator/language/scope.js';
import type { StaticValue } from '../../emulator/language/static-value.js';
import { impossibleExpectations, reportsUnused, unusedDiagnostic, type FileDiagnostic } from './diagnostics.js';
import { hasBinary, parseRegion, quotesLines, segmentAt, splitSegments, withinLimits, type ParsedSegment } from './incremental-parse.js';
import type { LineIndex } from './positions.js';
import { shiftRange, shiftRanged, shiftStatements } from './range-shift.js';
import { SymbolIndex, type Definition, type OuterDefinitions } from './symbol-index.js';

/** The key under which segments that read the machine state are found among readers. */
const MACHINE = '\0machine';

export interface Segment extends ParsedSegment {
  /** Its parse and check diagnostics, sorted as checkText sorts them. */
  diagnostics: Diagnostic[];
  checkDiagnostics: Diagnostic[];
  /** What its top level bound (REMOVED for a name it removed): what the segments below it see. */
  effect: ReadonlyMap<string, Binding>;
  /** Names it looked up above itself (and MACHINE if it read the machine). */
  reads: string[];
  /** The machine after it, when it changed it. */
  machineAfter?: MachineState;
  /** A check message of it quotes another statement's line. */
  lineRefs: boolean;
  declarations: ({ name: string } & Declaration)[];
  /** Definitions nothing in the segment uses, in definition order; `name` when a later segment may still use it. */
  unusedHere: { diagnostic: FileDiagnostic; name?: string }[];
  /** The last top-level definition of each name, with its place in the segment's definition order. */
  topDefinitions: { seq: number; def: Definition }[];
  /** Names it uses that are not defined in it. */
  escapes: string[];
  impossible: FileDiagnostic[];
  /**
   * Lines its statements and diagnostics have yet to move by (see move()):
   * applied when they are next read, so that typing Enter moves the segments
   * below it in a cheap loop instead of rewriting every range.
   */
  pendingMove: number;
}

interface Entry {
  seg: Segment;
  binding: Binding;
}

export type Edit = { range: Range; text: string };

export class SegmentedDocument {
  /** In document order, covering every line. */
  segments: Segment[] = [];
  // Lists of segments (or of their entries) below are kept in document order, for binary searches by line.
  /** By name: what each segment binding it at its top level bound (the checker's view of the names above a segment). */
  private readonly bindings = new Map<string, Entry[]>();
  /** By name (or MACHINE): the segments whose check read it. */
  private readonly readers = new Map<string, Set<Segment>>();
  /** By name: the segments declaring it, and its first declaration (the checker's "declared later" messages). */
  private readonly declaring = new Map<string, Segment[]>();
  private readonly ahead = new Map<string, Declaration>();
  /** The segments that changed the machine. */
  private readonly machines: Segment[] = [];
  /** By name: the segments that define it at their top level (the symbol index's view), and those using it from above. */
  private readonly defining = new Map<string, Segment[]>();
  private readonly using = new Map<string, Segment[]>();
  private parseDiagnosticCount = 0;
  /** Segments with a diagnostic or hint of any kind: what the document's diagnostics are gathered from. */
  private readonly flagged = new Set<Segment>();
  /** The segment being checked, and the names it looked up above itself. */
  private checking: Segment | undefined;
  private readonly reads = new Set<string>();
  /** What a segment's top-level scope falls back to: the names as the segments above the one being checked left them. */
  private readonly view = {
    lookup: (name: string): Binding | undefined => {
      this.reads.add(name);
      return this.bindingAbove(name, this.checking!);
    },
  };

  private constructor(
    readonly file: string,
    public lines: LineIndex,
  ) {}

  /** Segments a parsed text; undefined when it must be analysed whole (an include, the lexer's file-wide limits). */
  static create(file: string, lines: LineIndex, statements: Stmt[], parseDiagnostics: Diagnostic[]): SegmentedDocument | undefined {
    if (statements.some((s) => s.kind === 'include') || !withinLimits(lines.text.length, parseDiagnostics.length) || hasBinary(lines.text)) return undefined;
    const doc = new SegmentedDocument(file, lines);
    const parsed = splitSegments(lines, 0, lines.lineCount, statements, parseDiagnostics);
    doc.segments = parsed.map((p) => doc.newSegment(p));
    doc.parseDiagnosticCount = parseDiagnostics.length;
    for (const seg of doc.segments) doc.addDeclarations(seg);
    for (const seg of doc.segments) doc.checkAndRegister(seg);
    doc.segments.forEach((seg) => doc.index(seg));
    return doc;
  }

  /**
   * Applies one edit (its range in the current text; `text`, the text after
   * it, when the caller has it). False when the document must now be
   * analysed whole; it is then unusable.
   */
  edit(change: Edit, text?: string): boolean {
    const old = this.lines;
    const from = editOffset(old, change.range.start);
    const to = Math.max(from, editOffset(old, change.range.end));
    const after = text ?? old.text.slice(0, from) + change.text + old.text.slice(to);
    // An edit that does not make the given text (a client out of step) is not trusted.
    if (after.length !== old.text.length - (to - from) + change.text.length || !after.startsWith(change.text, from)) return false;
    if (!withinLimits(after.length, 0) || hasBinary(change.text)) return false;
    const lines = old.edited(after, from, to, change.text);
    const a = old.positionAt(from).line;
    const b = old.positionAt(to).line;
    const delta = lines.lineCount - old.lineCount;
    const i = segmentAt(this.segments, a);
    let j = segmentAt(this.segments, b);
    // A parse message below that quotes a line must be parsed again at its new line (such a segment has diagnostics: it is flagged).
    if (delta !== 0) {
      for (const seg of this.flagged) if (seg.startLine > this.segments[j]!.startLine && quotesLines(seg.parseDiagnostics)) j = segmentAt(this.segments, seg.startLine);
    }
    const start = this.segments[i]!.startLine;
    let region: ReturnType<typeof parseRegion>;
    // An edit that opens a block (or closes one) reaches past its segments: grow the region until it parses closed.
    for (let step = 1; ; step *= 2) {
      const end = this.endOf(j) + delta;
      region = parseRegion(this.file, lines, start, end);
      if (region) {
        this.lines = lines;
        return this.replace(i, j, splitSegments(lines, start, end, region.statements, region.diagnostics), delta);
      }
      j = Math.min(this.segments.length - 1, j + step);
    }
  }

  /** Every parse and check diagnostic, sorted. */
  diagnostics(): Diagnostic[] {
    return this.flaggedInOrder().flatMap((s) => this.settle(s).diagnostics);
  }

  statements(): Stmt[] {
    return this.segments.flatMap((s) => this.settle(s).statements);
  }

  /** The unused-binding hints (diagnostics.ts), in definition order. */
  unused(): FileDiagnostic[] {
    const out: FileDiagnostic[] = [];
    for (const seg of this.flaggedInOrder()) {
      for (const u of seg.unusedHere) if (u.name === undefined || !this.usedBelow(seg, u.name)) out.push(u.diagnostic);
    }
    return out;
  }

  impossible(): FileDiagnostic[] {
    return this.flaggedInOrder().flatMap((s) => this.settle(s).impossible);
  }

  /** Applies a segment's pending move; returns it. */
  private settle(seg: Segment): Segment {
    const n = seg.pendingMove;
    if (n !== 0) {
      seg.pendingMove = 0;
      shiftStatements(seg.statements, n);
      shiftRanged(seg.parseDiagnostics, n);
      shiftRanged(seg.checkDiagnostics, n);
      shiftRanged(seg.impossible, n);
    }
    return seg;
  }

  private flaggedInOrder(): Segment[] {
    return [...this.flagged].sort((x, y) => x.startLine - y.startLine);
  }

  private flag(seg: Segment): void {
    if (seg.diagnostics.length > 0 || seg.unusedHere.length > 0 || seg.impossible.length > 0) this.flagged.add(seg);
    else this.flagged.delete(seg);
  }

  /** What is in scope at a position, as SymbolIndex.scopeAt says for the whole file. */
  scopeAt(pos: Position): Map<string, Definition> {
    const { index, outer, k } = this.segmentIndex(pos);
    const here = index.scopeAt(this.file, pos);
    // Before the segment's first statement the scope is the one after the statement above, if there is one.
    if (here.size === 0 && this.hasStatements(0, k)) return outer.visibleBefore(0, new Map());
    return here;
  }

  /** A symbol index of the segment holding a position, over the definitions above it: what it says about the position (symbolAt, occurrenceAt) is what the whole file's index says. */
  indexAt(pos: Position): SymbolIndex {
    return this.segmentIndex(pos).index;
  }

  private segmentIndex(pos: Position): { index: SymbolIndex; outer: OuterDefinitions; k: number } {
    const k = segmentAt(this.segments, pos.line);
    const seg = this.segments[k]!;
    const visible: { line: number; seq: number; def: Definition }[] = [];
    for (const [name, segs] of this.defining) {
      const above = segs[lastBefore(segs, seg.startLine)];
      const top = above?.topDefinitions.find((t) => t.def.name === name);
      // Settled: completion reads the definitions' statements.
      if (above && top) visible.push({ line: this.settle(above).startLine, seq: top.seq, def: top.def });
    }
    visible.sort((x, y) => x.line - y.line || x.seq - y.seq);
    const outer = SymbolIndex.outer(visible.map((v) => v.def));
    const index = new SymbolIndex({ file: this.file, statements: this.settle(seg).statements }, { outer, last: !this.hasStatements(k + 1, this.segments.length) });
    return { index, outer, k };
  }

  /** Whether segments [from, to) hold a statement (only a segment without any ends its search early: rare). */
  private hasStatements(from: number, to: number): boolean {
    for (let k = from; k < to; k++) if (this.segments[k]!.statements.length > 0) return true;
    return false;
  }

  private endOf(j: number): number {
    const seg = this.segments[j]!;
    return seg.startLine + seg.lineCount;
  }

  private newSegment(p: ParsedSegment): Segment {
    return {
      startLine: p.startLine, lineCount: p.lineCount, statements: p.statements, parseDiagnostics: p.parseDiagnostics,
      diagnostics: NONE, checkDiagnostics: NONE, effect: NO_EFFECT, reads: NONE, lineRefs: false,
      declarations: NONE, unusedHere: NONE, topDefinitions: NONE, escapes: NONE, impossible: NONE, pendingMove: 0,
    };
  }

  /** Replaces segments [i, j] by `parsed` (lines moved by `delta` below them) and re-checks what depends on them. */
  private replace(i: number, j: number, parsed: ParsedSegment[], delta: number): boolean {
    const removed = this.segments.slice(i, j + 1);
    const added = parsed.map((p) => this.newSegment(p));
    const count = this.parseDiagnosticCount + added.reduce((n, s) => n + s.parseDiagnostics.length, 0) - removed.reduce((n, s) => n + s.parseDiagnostics.length, 0);
    if (added.some((s) => s.statements.some((x) => x.kind === 'include')) || !withinLimits(0, count)) return false;
    this.parseDiagnosticCount = count;

    const machineBefore = this.machineBefore(removed[0]!);
    const oldMachine = lastMachine(removed) ?? machineBefore;
    const oldNet = netEffect(removed);
    for (const seg of removed) {
      this.unregister(seg);
      this.removeDeclarations(seg);
      this.unindex(seg);
      this.flagged.delete(seg);
    }
    this.segments.splice(i, j - i + 1, ...added);
    const below = i + added.length;
    if (delta !== 0) this.move(below, delta);

    const changed = new Set<string>();
    const aheadChanged = new Set<string>();
    for (const seg of added) for (const d of this.addDeclarations(seg)) aheadChanged.add(d);
    for (const seg of removed) for (const d of seg.declarations) if (this.refreshAhead(d.name)) aheadChanged.add(d.name);
    for (const seg of added) this.checkAndRegister(seg);
    const newNet = netEffect(added);
    for (const name of new Set([...oldNet.keys(), ...newNet.keys()])) if (!sameBinding(oldNet.get(name), newNet.get(name))) changed.add(name);
    if (!sameMachine(oldMachine, lastMachine(added) ?? machineBefore)) changed.add(MACHINE);
    for (const seg of added) this.index(seg);
    this.recheck(changed, aheadChanged, added, delta !== 0);
    return true;
  }

  /**
   * Moves segments from index `from` on by `delta` lines: what other
   * segments' checks and the document's hints read (their bindings, top-level
   * definitions, declarations, hints) now; their statements and diagnostics
   * when next read (settle()).
   */
  private move(from: number, delta: number): void {
    const firstMoved = this.segments[from]?.startLine ?? Infinity;
    for (let k = from; k < this.segments.length; k++) {
      const seg = this.segments[k]!;
      seg.startLine += delta;
      seg.pendingMove += delta;
      for (const u of seg.unusedHere) u.diagnostic.range = shiftRange(u.diagnostic.range, delta);
      for (const t of seg.topDefinitions) t.def.range = shiftRange(t.def.range, delta);
      for (const b of seg.effect.values()) if (b !== REMOVED) b.range = shiftRange(b.range, delta);
      for (const d of seg.declarations) d.line += delta;
    }
    for (const [name, d] of this.ahead) {
      const first = this.declaring.get(name)?.[0];
      if (first && first.startLine >= firstMoved + delta) this.ahead.set(name, { line: d.line + delta, what: d.what });
    }
  }

  /** Re-checks the segments that read a changed name (and, after lines moved, those quoting lines), in order, until nothing more changes. */
  private recheck(changed: Set<string>, aheadChanged: Set<string>, fresh: Segment[], linesMoved: boolean): void {
    const skip = new Set(fresh);
    const queue = new SegmentQueue();
    const enqueue = (names: Iterable<string>, after: number): void => {
      for (const name of names) for (const seg of this.readers.get(name) ?? []) if (!skip.has(seg) && seg.startLine > after) queue.push(seg);
    };
    enqueue(changed, fresh[fresh.length - 1]!.startLine);
    // A use above a declaration quotes its line, so a moved first declaration concerns the readers above it too.
    enqueue(aheadChanged, -1);
    if (linesMoved) for (const seg of this.segments) if (seg.lineRefs && !skip.has(seg)) queue.push(seg);
    for (let seg = queue.pop(); seg; seg = queue.pop()) {
      const oldEffect = seg.effect;
      const oldMachine = seg.machineAfter;
      const machineBefore = this.machineBefore(seg);
      this.unregister(seg);
      this.checkAndRegister(seg);
      const more: string[] = [];
      for (const name of new Set([...oldEffect.keys(), ...seg.effect.keys()])) if (!sameBinding(oldEffect.get(name), seg.effect.get(name))) more.push(name);
      if (!sameMachine(oldMachine ?? machineBefore, seg.machineAfter ?? machineBefore)) more.push(MACHINE);
      enqueue(more, seg.startLine);
    }
  }

  /** Checks a segment against the scope and machine above it and records what it reads and binds. */
  private checkAndRegister(seg: Segment): void {
    const reads = this.reads;
    reads.clear();
    this.checking = seg;
    const before = this.machineBefore(seg);
    // The checker replaces the iommus map rather than changing it, so the one above may be shared.
    const machine: MachineState = { iommus: before.iommus, devices: before.devices };
    const diagnostics: Diagnostic[] = [];
    const scope = new Scope(this.view, true);
    const checker = new Checker(diagnostics, machine, scope, () => undefined);
    checker.checkTopLevel(this.settle(seg).statements, this.ahead);
    this.checking = undefined;
    if (checker.machineRead) reads.add(MACHINE);
    seg.checkDiagnostics = diagnostics;
    seg.diagnostics = seg.parseDiagnostics.length + diagnostics.length === 0 ? NONE : sortByPosition([...seg.parseDiagnostics, ...diagnostics]);
    seg.effect = scope.own();
    seg.reads = reads.size === 0 ? NONE : [...reads];
    this.flag(seg);
    seg.lineRefs = checker.lineRefs;
    seg.machineAfter = sameMachine(before, machine) ? undefined : machine;
    for (const name of seg.reads) getOrAdd(this.readers, name, () => new Set()).add(seg);
    for (const [name, binding] of seg.effect) insertSorted(getOrAdd(this.bindings, name, () => []), { seg, binding }, (e) => e.seg.startLine);
    if (seg.machineAfter) insertSorted(this.machines, seg, (s) => s.startLine);
  }

  private unregister(seg: Segment): void {
    for (const name of seg.reads) this.readers.get(name)?.delete(seg);
    for (const name of seg.effect.keys()) removeSorted(this.bindings.get(name)!, (e) => e.seg === seg, (e) => e.seg.startLine, seg.startLine);
    if (seg.machineAfter) removeSorted(this.machines, (s) => s === seg, (s) => s.startLine, seg.startLine);
  }

  /** The binding of a name as the segments above `seg` left it. */
  private bindingAbove(name: string, seg: Segment): Binding | undefined {
    const entries = this.bindings.get(name);
    if (entries) {
      const e = entries[lastBefore(entries, seg.startLine, (x) => x.seg.startLine)];
      if (e) return e.binding === REMOVED ? undefined : e.binding;
    }
    return BUILTINS.lookup(name);
  }

  private machineBefore(seg: Segment): MachineState {
    return this.machines[lastBefore(this.machines, seg.startLine)]?.machineAfter ?? EMPTY_MACHINE;
  }

  /** Records a segment's declarations; returns the names whose first declaration changed. */
  private addDeclarations(seg: Segment): string[] {
    seg.declarations = seg.statements.flatMap((s) => declarationOf(s) ?? []);
    const changed: string[] = [];
    for (const d of seg.declarations) {
      const segs = getOrAdd(this.declaring, d.name, () => []);
      if (!segs.includes(seg)) insertSorted(segs, seg, (s) => s.startLine);
      if (this.refreshAhead(d.name)) changed.push(d.name);
    }
    return changed;
  }

  private removeDeclarations(seg: Segment): void {
    for (const d of seg.declarations) {
      const segs = this.declaring.get(d.name)!;
      const k = segs.indexOf(seg);
      if (k >= 0) segs.splice(k, 1);
    }
  }

  /** Sets the name's first declaration from the declaring segments; true if it changed. */
  private refreshAhead(name: string): boolean {
    const first = this.declaring.get(name)?.[0]?.declarations.find((d) => d.name === name);
    const old = this.ahead.get(name);
    if (!first) {
      this.ahead.delete(name);
      return old !== undefined;
    }
    if (old && old.line === first.line && old.what === first.what) return false;
    this.ahead.set(name, { line: first.line, what: first.what });
    return true;
  }

  /** Indexes a segment's definitions and uses (after its check: the index reads `resolved`). */
  private index(seg: Segment): void {
    const escapes = new Set<string>();
    const outer = { lookup: (name: string): undefined => void escapes.add(name), visibleBefore: (_: number, out: Map<string, Definition>) => out };
    const index = new SymbolIndex({ file: this.file, statements: seg.statements }, { outer, last: false });
    const used = new Set(index.references.map((r) => r.def));
    seg.topDefinitions = index.topLevel();
    const top = new Set(seg.topDefinitions.map((t) => t.def));
    seg.unusedHere = index.definitions
      .filter((d) => !used.has(d) && reportsUnused(d))
      .map((d) => ({ diagnostic: unusedDiagnostic(d), name: top.has(d) ? d.name : undefined }));
    seg.escapes = [...escapes];
    seg.impossible = impossibleExpectations(seg.statements, this.file);
    for (const t of seg.topDefinitions) insertSorted(getOrAdd(this.defining, t.def.name, () => []), seg, (s) => s.startLine);
    for (const name of seg.escapes) insertSorted(getOrAdd(this.using, name, () => []), seg, (s) => s.startLine);
    this.flag(seg);
  }

  private unindex(seg: Segment): void {
    for (const t of seg.topDefinitions) removeSorted(this.defining.get(t.def.name)!, (s) => s === seg, (s) => s.startLine, seg.startLine);
    for (const name of seg.escapes) removeSorted(this.using.get(name)!, (s) => s === seg, (s) => s.startLine, seg.startLine);
  }

  /** Whether a segment below `seg` uses its last top-level definition of `name` (before defining the name again). */
  private usedBelow(seg: Segment, name: string): boolean {
    const uses = this.using.get(name) ?? [];
    const use = uses[lastBefore(uses, seg.startLine + 1) + 1];
    if (!use) return false;
    const defs = this.defining.get(name) ?? [];
    const redefined = defs[lastBefore(defs, seg.startLine + 1) + 1];
    return !redefined || use.startLine <= redefined.startLine;
  }
}

/** The offset of an edit's position as LSP documents take it: past a line's end is its end, before its line break. */
function editOffset(lines: LineIndex, pos: Position): number {
  if (pos.line >= lines.lineCount) return lines.text.length;
  const start = lines.lineStart(pos.line);
  let end = lines.lineStart(pos.line + 1);
  while (end > start && (lines.text.charCodeAt(end - 1) === 10 || lines.text.charCodeAt(end - 1) === 13)) end--;
  return Math.min(start + Math.max(0, pos.character), end);
}

/** The built-in names of every file's root scope. */
const BUILTINS = Checker.rootScope();
const EMPTY_MACHINE: MachineState = { iommus: new Map(), devices: 0 };
/** Shared empty lists of fresh segments (never added to: each is replaced by a new list). */
const NONE: never[] = [];
const NO_EFFECT: ReadonlyMap<string, Binding> = new Map();

/** Segments to re-check, in document order, each once. */
class SegmentQueue {
  private readonly items: Segment[] = [];
  private readonly queued = new Set<Segment>();
  push(seg: Segment): void {
    if (this.queued.has(seg)) return;
    this.queued.add(seg);
    insertSorted(this.items, seg, (s) => -s.startLine);
  }
  pop(): Segment | undefined {
    const seg = this.items.pop();
    if (seg) this.queued.delete(seg);
    return seg;
  }
}

function netEffect(segments: readonly Segment[]): Map<string, Binding> {
  const out = new Map<string, Binding>();
  for (const seg of segments) for (const [name, b] of seg.effect) out.set(name, b);
  return out;
}

function lastMachine(segments: readonly Segment[]): MachineState | undefined {
  for (let k = segments.length - 1; k >= 0; k--) if (segments[k]!.machineAfter) return segments[k]!.machineAfter;
  return undefined;
}

function sameMachine(a: MachineState, b: MachineState): boolean {
  if (a.devices !== b.devices) return false;
  if (a.iommus === b.iommus) return true;
  if (a.iommus.size !== b.iommus.size) return false;
  const x = [...a.iommus];
  const y = [...b.iommus];
  return x.every(([k, v], i) => y[i]![0] === k && y[i]![1] === v);
}

/** Equal for every check below: the value, and the line and file messages quote. */
function sameBinding(a: Binding | undefined, b: Binding | undefined): boolean {
  if (a === b) return true;
  if (!a || !b || a === REMOVED || b === REMOVED) return false;
  return a.file === b.file && a.builtin === b.builtin && a.range.start.line === b.range.start.line && sameValue(a.value, b.value);
}

function sameValue(a: StaticValue, b: StaticValue): boolean {
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(x), ...Object.keys(y)]);
  for (const k of keys) {
    const u = x[k];
    const v = y[k];
    if (Array.isArray(u) && Array.isArray(v)) {
      if (u.length !== v.length || u.some((e, i) => e !== v[i])) return false;
    } else if (u !== v) {
      return false;
    }
  }
  return true;
}

function sortByPosition(ds: Diagnostic[]): Diagnostic[] {
  return ds.length < 2 ? ds : ds.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
}

function getOrAdd<K, V>(m: Map<K, V>, k: K, make: () => V): V {
  let v = m.get(k);
  if (v === undefined) {
    v = make();
    m.set(k, v);
  }
  return v;
}

/** The index of the last item whose key is below `line` (-1 if none); items sorted by key. */
function lastBefore<T>(items: readonly T[], line: number, key: (t: T) => number = (t) => (t as { startLine: number }).startLine): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (key(items[mid]!) < line) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** Inserts after the items whose key is at most the item's. */
function insertSorted<T>(items: T[], item: T, key: (t: T) => number): void {
  const k = key(item);
  if (items.length === 0 || key(items[items.length - 1]!) <= k) {
    items.push(item);
    return;
  }
  items.splice(lastBefore(items, k + 1, key) + 1, 0, item);
}

function removeSorted<T>(items: T[], match: (t: T) => boolean, key: (t: T) => number, k: number): void {
  for (let i = lastBefore(items, k, key) + 1; i < items.length && key(items[i]!) === k; i++) {
    if (match(items[i]!)) {
      items.splice(i, 1);
      return;
    }
  }
}
