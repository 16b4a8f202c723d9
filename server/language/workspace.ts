// The documents the server knows: the open editors' texts (which includes
// read before the disk, so an unsaved include is what counts) and one
// analysis per document per edit. Any edit may change what an include brings
// in, so every edit starts a new generation and analyses are redone lazily.
// A document without includes depends on its own text alone: given the
// edits since its last analysis, it is re-analysed from that one (analysis.ts).
// A full analysis of a large trace takes seconds, so requests never wait for
// one: until the debounced re-analysis has run, they are answered from the
// document's last analysis wherever the edits since kept its lines in place.
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { analyse, reanalyse, type Analysis, type Edit } from './analysis.js';
import { LineIndex } from './positions.js';

export class Workspace {
  private readonly open = new Map<string, string>();
  private readonly cache = new Map<string, { generation: number; analysis: Analysis }>();
  /** Per document, the edits since its cached analysis; undefined once a text came without them. */
  private readonly edits = new Map<string, Edit[] | undefined>();
  private generation = 0;

  /** `root` is the workspace folder; without one, each file's own folder is its root. */
  constructor(public root: string | undefined) {}

  /** `edits`: the LSP content changes that made `text` out of the previous text, if known. */
  setText(path: string, text: string, edits?: readonly Edit[]): void {
    this.open.set(path, text);
    const pending = this.edits.get(path);
    this.edits.set(path, edits && pending ? [...pending, ...edits] : undefined);
    this.generation++;
  }

  close(path: string): void {
    this.open.delete(path);
    this.cache.delete(path);
    this.edits.delete(path);
    this.generation++;
  }

  isOpen(path: string): boolean {
    return this.open.has(path);
  }

  openPaths(): string[] {
    return [...this.open.keys()].sort();
  }

  /** The open documents' texts, by path (what a live run in a worker reads includes from). */
  openTexts(): [string, string][] {
    return [...this.open].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
  }

  readFile = (path: string): string => this.open.get(path) ?? readFileSync(path, 'utf8');

  /** The analysis of an open document for the current texts (undefined if it is not open). */
  analysis(path: string): Analysis | undefined {
    const text = this.open.get(path);
    if (text === undefined) return undefined;
    const cached = this.cache.get(path);
    if (cached?.generation === this.generation) return cached.analysis;
    const opts = { workspaceRoot: this.rootOf(path), readFile: this.readFile };
    const edits = this.edits.get(path);
    const analysis = cached && edits ? reanalyse(cached.analysis, edits, text, opts) : analyse(path, text, opts);
    this.cache.set(path, { generation: this.generation, analysis });
    this.edits.set(path, []);
    return analysis;
  }

  /**
   * For a request at `line` (or about the whole document without one): the
   * current analysis if it is ready; else the last one, when the text since
   * has the same lines and `line` itself is unchanged (so every position the
   * answer holds is still right there); else a fresh analysis.
   */
  forRequest(path: string, line?: number): Analysis | undefined {
    const text = this.open.get(path);
    const cached = this.cache.get(path);
    if (text === undefined || !cached || cached.generation === this.generation) return this.analysis(path);
    const last = cached.analysis;
    if (last.text === text) return last;
    const now = LineIndex.of(text);
    const kept = now.lineCount === last.lines.lineCount && (line === undefined || now.lineText(line) === last.lines.lineText(line));
    return kept ? last : this.analysis(path);
  }

  rootOf(path: string): string {
    return this.root ?? dirname(path);
  }
}
