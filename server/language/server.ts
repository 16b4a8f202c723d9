// The iotrace language server: speaks LSP over stdio (`--stdio`) or Node IPC
// (`--node-ipc`) and wires each request to one protocol-free feature module.
// Diagnostics are pushed (debounced) unless the client pulls them; live
// results run in the background and refresh diagnostics and inlay hints.
import {
  CodeActionKind, createConnection, ProposedFeatures, TextDocuments, TextDocumentSyncKind,
  type InitializeParams, type InitializeResult, type Connection, type Range, type TextDocumentContentChangeEvent, type TextEdit,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { join } from 'node:path';
import { createMachine } from '../../emulator/engine/machine.js';
import { formatLines } from '../../emulator/language/format.js';
import { COMMANDS } from '../../emulator/language/commands.js';
import { QUERIES } from '../../emulator/language/queries.js';
import type { Analysis } from './analysis.js';
import { codeActions } from './code-actions.js';
import { commandDoc, queryDoc } from './command-docs.js';
import { completions } from './completion.js';
import { documentDiagnostics, liveDiagnostics, type FileDiagnostic } from './diagnostics.js';
import { documentSymbols } from './document-symbols.js';
import { foldingRanges } from './folding.js';
import { hover } from './hover.js';
import { inlayHints } from './inlay-hints.js';
import { describeLive, type LiveResult } from './live-results.js';
import { WorkerLiveRunner } from './live-worker-runner.js';
import {
  fromDiagnostic, highlightKind, markdown, toCompletionItem, toDiagnostic, toDocumentSymbol, toPath, toSelectionRange, toSymbolKind, toUri,
} from './lsp-convert.js';
import { definition, documentHighlights, references } from './navigation.js';
import { prepareRename, rename } from './rename.js';
import { encodeTokens, semanticTokens, TOKEN_MODIFIERS, TOKEN_TYPES } from './semantic-tokens.js';
import { selectionRanges } from './selection-ranges.js';
import { signatureHelp } from './signature-help.js';
import { Workspace } from './workspace.js';
import { workspaceSymbols } from './workspace-symbols.js';

const DEBOUNCE_MS = 200;
/** The live run's heap limit unless `initializationOptions.liveMemoryMb` sets another. */
const LIVE_MEMORY_MB = 1024;

const connection: Connection = createConnection(ProposedFeatures.all);
const workspace = new Workspace(undefined);
/** Each document's last content changes, for its incremental re-analysis (workspace.ts). */
const contentChanges = new Map<string, TextDocumentContentChangeEvent[]>();
const documents = new TextDocuments<TextDocument>({
  create: TextDocument.create,
  update: (document, changes, version) => {
    contentChanges.set(document.uri, changes);
    return TextDocument.update(document, changes, version);
  },
});
const liveOptions = { createMachine, script: join(__dirname, 'live-worker.js'), maxMemoryMb: LIVE_MEMORY_MB, openTexts: () => workspace.openTexts() };
const live = new WorkerLiveRunner(liveOptions);
const liveResults = new Map<string, LiveResult>();
const timers = new Map<string, NodeJS.Timeout>();
let pullDiagnostics = false;
let refreshInlayHints = false;

connection.onInitialize((params: InitializeParams): InitializeResult => {
  const folder = params.workspaceFolders?.[0]?.uri ?? params.rootUri ?? undefined;
  workspace.root = folder ? toPath(folder) : undefined;
  pullDiagnostics = params.capabilities.textDocument?.diagnostic !== undefined;
  refreshInlayHints = params.capabilities.workspace?.inlayHint?.refreshSupport === true;
  const memory = (params.initializationOptions as { liveMemoryMb?: unknown } | undefined)?.liveMemoryMb;
  if (typeof memory === 'number' && memory > 0) liveOptions.maxMemoryMb = memory;
  return {
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      diagnosticProvider: { interFileDependencies: true, workspaceDiagnostics: false },
      completionProvider: { triggerCharacters: ['=', '.', '|', ' ', '(', '>'], resolveProvider: true },
      hoverProvider: true,
      signatureHelpProvider: { triggerCharacters: [' ', '(', ',', '='] },
      definitionProvider: true,
      referencesProvider: true,
      documentHighlightProvider: true,
      renameProvider: { prepareProvider: true },
      documentSymbolProvider: true,
      workspaceSymbolProvider: true,
      semanticTokensProvider: { legend: { tokenTypes: [...TOKEN_TYPES], tokenModifiers: [...TOKEN_MODIFIERS] }, full: true, range: true },
      foldingRangeProvider: true,
      selectionRangeProvider: true,
      documentFormattingProvider: true,
      documentRangeFormattingProvider: true,
      codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, CodeActionKind.Source] },
      inlayHintProvider: true,
    },
    serverInfo: { name: 'iotrace-language-server', version: '0.1.0' },
  };
});

/** The analysis of the document at `uri`, for its current text. */
function analysisOf(uri: string): Analysis | undefined {
  return workspace.analysis(toPath(uri));
}

/** The analysis a request about `line` (or the whole document) is answered from: the last one while a re-analysis is pending (workspace.ts). */
function requestAnalysis(uri: string, line?: number): Analysis | undefined {
  return workspace.forRequest(toPath(uri), line);
}

function diagnosticsOf(a: Analysis): FileDiagnostic[] {
  return [...documentDiagnostics(a), ...liveDiagnostics(a, liveResults.get(a.file))];
}

function publish(uri: string): void {
  const a = analysisOf(uri);
  if (!a) return;
  if (pullDiagnostics) void connection.languages.diagnostics.refresh();
  else void connection.sendDiagnostics({ uri, diagnostics: diagnosticsOf(a).map(toDiagnostic) });
}

/** After an edit settles: check, publish, and start a background run of the new text. */
function scheduleCheck(uri: string): void {
  clearTimeout(timers.get(uri));
  timers.set(uri, setTimeout(() => {
    timers.delete(uri);
    // Read the requests already waiting first: they are answered from the last analysis (workspace.ts).
    setImmediate(() => checkNow(uri));
  }, DEBOUNCE_MS));
}

/** Checks and publishes `uri`, then starts a background run of its text. */
function checkNow(uri: string): void {
  const a = analysisOf(uri);
  if (!a) return;
  publish(uri);
  live.start(a, (result) => {
    liveResults.set(a.file, result);
    publish(uri);
    if (refreshInlayHints) void connection.languages.inlayHint.refresh();
  });
}

documents.onDidChangeContent((e) => {
  const changes = contentChanges.get(e.document.uri);
  contentChanges.delete(e.document.uri);
  // Ranged changes only: a whole-text change (or an open) is analysed from scratch.
  const edits = changes?.every((c) => 'range' in c) ? (changes as { range: Range; text: string }[]) : undefined;
  workspace.setText(toPath(e.document.uri), e.document.getText(), edits);
  live.cancel(toPath(e.document.uri));
  // An edit may change what other open documents include: recheck them too.
  for (const d of documents.all()) scheduleCheck(d.uri);
});

documents.onDidClose((e) => {
  const path = toPath(e.document.uri);
  workspace.close(path);
  live.cancel(path);
  liveResults.delete(path);
  clearTimeout(timers.get(e.document.uri));
  if (!pullDiagnostics) void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
});

connection.languages.diagnostics.on((params) => {
  const a = analysisOf(params.textDocument.uri);
  return { kind: 'full', items: a ? diagnosticsOf(a).map(toDiagnostic) : [] };
});

connection.onCompletion((p) => {
  const a = analysisOf(p.textDocument.uri);
  return a ? completions(a, p.position).map(toCompletionItem) : [];
});

connection.onCompletionResolve((item) => {
  const data = item.data as { command?: string; query?: string } | undefined;
  const command = data?.command && COMMANDS.get(data.command);
  const query = data?.query && QUERIES.get(data.query);
  if (command) item.documentation = markdown(commandDoc(command));
  else if (query) item.documentation = markdown(queryDoc(query));
  return item;
});

connection.onHover((p) => {
  const a = requestAnalysis(p.textDocument.uri, p.position.line);
  if (!a) return null;
  const h = hover(a, p.position, describeLive(liveResults.get(a.file), a));
  return h ? { range: h.range, contents: markdown(h.markdown) } : null;
});

connection.onSignatureHelp((p) => {
  const a = requestAnalysis(p.textDocument.uri, p.position.line);
  const s = a && signatureHelp(a, p.position);
  if (!s) return null;
  return {
    signatures: [{ label: s.label, documentation: markdown(s.documentation), parameters: s.parameters.map((x) => ({ label: x.label, documentation: x.documentation && markdown(x.documentation) })) }],
    activeSignature: 0,
    activeParameter: s.active,
  };
});

connection.onDefinition((p) => {
  const a = requestAnalysis(p.textDocument.uri, p.position.line);
  const loc = a && definition(a, p.position);
  return loc ? { uri: toUri(loc.file), range: loc.range } : null;
});

connection.onReferences((p) => {
  const a = requestAnalysis(p.textDocument.uri, p.position.line);
  return a ? references(a, p.position, p.context.includeDeclaration).map((l) => ({ uri: toUri(l.file), range: l.range })) : [];
});

connection.onDocumentHighlight((p) => {
  const a = requestAnalysis(p.textDocument.uri, p.position.line);
  return a ? documentHighlights(a, p.position).map((h) => ({ range: h.range, kind: highlightKind(h.write) })) : [];
});

connection.onPrepareRename((p) => {
  const a = analysisOf(p.textDocument.uri);
  const r = a && prepareRename(a, p.position);
  if (!r) return null;
  if ('error' in r) throw new Error(r.error);
  return r;
});

connection.onRenameRequest((p) => {
  const a = analysisOf(p.textDocument.uri);
  const r = a && rename(a, p.position, p.newName);
  if (!r) return null;
  if ('error' in r) throw new Error(r.error);
  const changes: Record<string, TextEdit[]> = {};
  for (const [file, edits] of r.edits) changes[toUri(file)] = edits;
  return { changes };
});

connection.onDocumentSymbol((p) => {
  const a = requestAnalysis(p.textDocument.uri);
  return a ? documentSymbols(a).map(toDocumentSymbol) : [];
});

connection.onWorkspaceSymbol((p) => {
  const roots = workspace.root ? [workspace.root] : [...new Set(workspace.openPaths().map((f) => workspace.rootOf(f)))];
  return roots.flatMap((root) =>
    workspaceSymbols(root, p.query, workspace.readFile).map((s) => ({
      name: s.name, kind: toSymbolKind(s.kind), containerName: s.container, location: { uri: toUri(s.file), range: s.range },
    })),
  );
});

connection.languages.semanticTokens.on((p) => {
  const a = requestAnalysis(p.textDocument.uri);
  return { data: a ? encodeTokens(semanticTokens(a)) : [] };
});

connection.languages.semanticTokens.onRange((p) => {
  const a = requestAnalysis(p.textDocument.uri);
  return { data: a ? encodeTokens(semanticTokens(a, p.range)) : [] };
});

connection.onFoldingRanges((p) => {
  const a = requestAnalysis(p.textDocument.uri);
  return a ? foldingRanges(a) : [];
});

connection.onSelectionRanges((p) => {
  const a = analysisOf(p.textDocument.uri);
  return a ? p.positions.map((pos) => toSelectionRange(selectionRanges(a, pos))) : [];
});

/** Edits replacing each line in [first, last] whose formatted text differs. */
function formatEdits(uri: string, first: number, last: number): TextEdit[] {
  const a = analysisOf(uri);
  if (!a) return [];
  const formatted = formatLines(a.text);
  // Both count LF, CRLF and lone CR as line breaks; should they ever disagree, editing nothing is safe.
  if (formatted.length !== a.lines.lineCount) return [];
  const edits: TextEdit[] = [];
  for (let l = first; l <= Math.min(last, formatted.length - 1); l++) {
    const old = a.lines.lineText(l).replace(/\r$/, '');
    if (old !== formatted[l]) edits.push({ range: { start: { line: l, character: 0 }, end: { line: l, character: old.length } }, newText: formatted[l]! });
  }
  return edits;
}

connection.onDocumentFormatting((p) => formatEdits(p.textDocument.uri, 0, Number.MAX_SAFE_INTEGER));
connection.onDocumentRangeFormatting((p) => formatEdits(p.textDocument.uri, p.range.start.line, p.range.end.line));

connection.onCodeAction((p) => {
  const a = analysisOf(p.textDocument.uri);
  if (!a) return [];
  return codeActions(a, p.range, p.context.diagnostics.map(fromDiagnostic)).map((c) => ({
    title: c.title,
    kind: c.kind === 'quickfix' ? CodeActionKind.QuickFix : CodeActionKind.Source,
    isPreferred: c.preferred,
    diagnostics: c.fixes ? p.context.diagnostics.filter((d) => d.range === c.fixes!.range) : undefined,
    edit: { changes: { [p.textDocument.uri]: c.edits } },
  }));
});

connection.languages.inlayHint.on((p) => {
  const a = requestAnalysis(p.textDocument.uri);
  return a ? inlayHints(a, liveResults.get(a.file), p.range).map((h) => ({ position: h.position, label: h.label, tooltip: h.tooltip, paddingLeft: true })) : [];
});

documents.listen(connection);
connection.listen();
