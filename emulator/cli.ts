// `iotrace run PATH...` and `iotrace check PATH...` (trace-language §6);
// `iotrace import PATH` converts an ftrace log (emulator/import).
// Exit codes: 0 every file passed; 1 a statement mismatched its
// expectation; 2 a syntax or type error, or a usage error. Bad input never
// ends in a stack trace.
import { createMachine } from './engine/machine.js';
import { IMPORT_USAGE, importCommand } from './import/import-command.js';
import { collectFiles, type TraceFile } from './runtime/collect-files.js';
import { jsonReport, summaryLine, textReport } from './runtime/report.js';
import { DEFAULT_MAX_STEPS, runFile, type FileReport } from './runtime/run-file.js';

const USAGE = `usage: iotrace run [--json] PATH...
       iotrace check [--json] PATH...

  run     check each .iotrace file and run it on a fresh emulated machine;
          print every mismatch as  file:line:col: expected X, got Y (reason)
          and a final line  N passed, M failed  (counting files)
  check   only parse and check; print every syntax and type error

  PATH    a file, or a folder searched recursively for .iotrace files
          (includes may not leave the folder given, or a file's own folder)

options:
  --json         print one JSON object per file instead, one per line:
                 {file, passed, mismatches, diagnostics, statements}
  --max-steps N  stop a run after N statements with an error (a runaway
                 loop); default ${DEFAULT_MAX_STEPS}
  --help         print this help

${IMPORT_USAGE}

exit codes:
  0  every file passed
  1  a statement's outcome differed from its expectation (a mismatch)
  2  a syntax or type error in a file, or a usage error
`;

const EXIT = { passed: 0, mismatch: 1, error: 2 } as const;

interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
  cwd: string;
}

interface Invocation {
  command: 'run' | 'check';
  json: boolean;
  maxSteps: number;
  paths: string[];
}

class UsageError extends Error {}

function parseArgs(argv: readonly string[]): Invocation | 'help' {
  if (argv.includes('--help') || argv.includes('-h')) return 'help';
  const [command, ...rest] = argv;
  if (command !== 'run' && command !== 'check') {
    throw new UsageError(command === undefined ? 'no command given' : `unknown command '${command}'`);
  }
  let json = false;
  let maxSteps = DEFAULT_MAX_STEPS;
  const paths: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    if (a === '--json') json = true;
    else if (a === '--max-steps' || a.startsWith('--max-steps=')) {
      const v = a === '--max-steps' ? rest[++i] : a.slice('--max-steps='.length);
      maxSteps = Number(v);
      if (!/^[1-9][0-9]*$/.test(v ?? '') || !Number.isSafeInteger(maxSteps)) throw new UsageError(`--max-steps needs a positive whole number, not '${v ?? ''}'`);
    } else if (a.startsWith('-')) throw new UsageError(`unknown option '${a}'`);
    else paths.push(a);
  }
  if (paths.length === 0) throw new UsageError(`${command}: no PATH given`);
  return { command, json, maxSteps, paths };
}

function report(inv: Invocation, files: TraceFile[], io: Io): number {
  const reports: FileReport[] = [];
  for (const f of files) {
    const r = runFile(f.path, { workspaceRoot: f.workspaceRoot, checkOnly: inv.command === 'check', maxSteps: inv.maxSteps, createMachine });
    reports.push(r);
    if (inv.json) io.out(jsonReport(r, io.cwd));
    else textReport(r, io.cwd).forEach((l) => io.out(l));
  }
  if (!inv.json) io.out(summaryLine(reports));
  if (reports.some((r) => r.hasErrors)) return EXIT.error;
  return reports.every((r) => r.passed) ? EXIT.passed : EXIT.mismatch;
}

function main(argv: readonly string[], io: Io): number {
  try {
    if (argv[0] === 'import' && !argv.includes('--help')) return importCommand(argv.slice(1), io);
    const inv = parseArgs(argv);
    if (inv === 'help') {
      io.out(USAGE.trimEnd());
      return EXIT.passed;
    }
    return report(inv, collectFiles(inv.paths), io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`iotrace: ${e.message}`);
      io.err(USAGE.trimEnd());
      return EXIT.error;
    }
    // A path that cannot be read, or a bug: one line, never a stack trace.
    io.err(`iotrace: ${e instanceof Error ? e.message : String(e)}`);
    return EXIT.error;
  }
}

// A reader that stops early (`iotrace run x | head`) is not an error worth a stack trace.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

process.exitCode = main(process.argv.slice(2), {
  out: (l) => process.stdout.write(`${l}\n`),
  err: (l) => process.stderr.write(`${l}\n`),
  cwd: process.cwd(),
});
