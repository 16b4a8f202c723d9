// The names a file declares at its top level (procs and topology lines),
// each with the line of its first declaration: a use above that line is
// reported as "used before its declaration on line N" rather than as an
// undefined name. The checker reads a large file one statement at a time
// and keeps none, so it collects them only when a name is missing.
import type { Stmt } from './ast.js';
import { COMMANDS } from './commands.js';
import { StatementReader } from './parser.js';

export interface Declaration {
  /** 1-based. */
  line: number;
  what: string;
}

/** The first declaration of each name of a file, by name. */
export interface Declarations {
  get(name: string): Declaration | undefined;
}

/** The name a top-level statement declares or defines (a proc, a topology declaration), if any. */
export function declarationOf(s: Stmt): ({ name: string } & Declaration) | undefined {
  if (s.kind === 'proc') return { name: s.name, line: s.range.start.line + 1, what: 'a proc' };
  if (s.kind !== 'command') return undefined;
  const first = s.args[0];
  if (COMMANDS.get(s.command)?.declares && first?.kind === 'positional' && first.value.kind === 'name') {
    return { name: first.value.name, line: s.range.start.line + 1, what: `a '${s.command}' declaration` };
  }
  return undefined;
}

/** The first declaration of each name among top-level statements. */
export function collectDeclarations(statements: Iterable<Stmt>): Map<string, Declaration> {
  const out = new Map<string, Declaration>();
  for (const s of statements) {
    const d = declarationOf(s);
    if (d && !out.has(d.name)) out.set(d.name, { line: d.line, what: d.what });
  }
  return out;
}

/**
 * The declarations of a file the checker reads statement by statement,
 * keeping none: they are needed only to word an error about a missing name,
 * so the first such error reads the whole file once more to collect them.
 */
export class DeclarationsOnDemand implements Declarations {
  private all: Map<string, Declaration> | undefined;

  constructor(
    private readonly file: string,
    private readonly text: string,
  ) {}

  get(name: string): Declaration | undefined {
    return (this.all ??= collectDeclarations(readAll(new StatementReader(this.file, this.text)))).get(name);
  }
}

function* readAll(reader: StatementReader): Generator<Stmt> {
  for (let s = reader.next(); s; s = reader.next()) yield s;
}
