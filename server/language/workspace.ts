// The documents the server knows: the open editors' texts (which includes
// read before the disk, so an unsaved include is what counts) and one
// analysis per document per edit. Any edit may change what an include brings
// in, so every edit starts a new generation and analyses are redone lazily.
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { analyse, type Analysis } from './analysis.js';

export class Workspace {
  private readonly open = new Map<string, string>();
  private readonly cache = new Map<string, { generation: number; analysis: Analysis }>();
  private generation = 0;

  /** `root` is the workspace folder; without one, each file's own folder is its root. */
  constructor(public root: string | undefined) {}

  setText(path: string, text: string): void {
    this.open.set(path, text);
    this.generation++;
  }

  close(path: string): void {
    this.open.delete(path);
    this.cache.delete(path);
    this.generation++;
  }

  isOpen(path: string): boolean {
    return this.open.has(path);
  }

  openPaths(): string[] {
    return [...this.open.keys()].sort();
  }

  readFile = (path: string): string => this.open.get(path) ?? readFileSync(path, 'utf8');

  /** The analysis of an open document for the current texts (undefined if it is not open). */
  analysis(path: string): Analysis | undefined {
    const text = this.open.get(path);
    if (text === undefined) return undefined;
    const cached = this.cache.get(path);
    if (cached?.generation === this.generation) return cached.analysis;
    const analysis = analyse(path, text, { workspaceRoot: this.rootOf(path), readFile: this.readFile });
    this.cache.set(path, { generation: this.generation, analysis });
    return analysis;
  }

  rootOf(path: string): string {
    return this.root ?? dirname(path);
  }
}
