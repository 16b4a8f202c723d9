// Turns the feature functions' plain data into LSP structures. This and
// server.ts are the only files that know the protocol.
import { pathToFileURL, fileURLToPath } from 'node:url';
import {
  CompletionItemKind, DiagnosticSeverity, DiagnosticTag, DocumentHighlightKind, InsertTextFormat, MarkupKind, SymbolKind,
  type CompletionItem, type Diagnostic, type DocumentSymbol, type SelectionRange,
} from 'vscode-languageserver/node';
import type { Range } from '../../emulator/language/ast.js';
import type { Completion } from './completion.js';
import type { FileDiagnostic } from './diagnostics.js';
import type { OutlineSymbol } from './document-symbols.js';

export const toUri = (path: string): string => pathToFileURL(path).toString();
export const toPath = (uri: string): string => (uri.startsWith('file:') ? fileURLToPath(uri) : uri);

const SEVERITY: Record<FileDiagnostic['severity'], DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

export function toDiagnostic(d: FileDiagnostic): Diagnostic {
  return {
    range: d.range,
    severity: SEVERITY[d.severity],
    message: d.message,
    source: 'iotrace',
    code: d.code,
    tags: d.unnecessary ? [DiagnosticTag.Unnecessary] : undefined,
    data: d.actual !== undefined ? { actual: d.actual } : undefined,
  };
}

/** Back from what a client sends in a code action request. */
export function fromDiagnostic(d: Diagnostic): Pick<FileDiagnostic, 'range' | 'message' | 'code' | 'actual'> {
  const data = d.data as { actual?: string } | undefined;
  return { range: d.range, message: typeof d.message === 'string' ? d.message : d.message.value, code: d.code as FileDiagnostic['code'], actual: data?.actual };
}

const COMPLETION_KIND: Record<Completion['kind'], CompletionItemKind> = {
  command: CompletionItemKind.Function,
  keyword: CompletionItemKind.Keyword,
  key: CompletionItemKind.Property,
  name: CompletionItemKind.Variable,
  proc: CompletionItemKind.Method,
  declared: CompletionItemKind.Module,
  word: CompletionItemKind.EnumMember,
  errno: CompletionItemKind.Constant,
  query: CompletionItemKind.Function,
  field: CompletionItemKind.Field,
  snippet: CompletionItemKind.Snippet,
  constant: CompletionItemKind.Constant,
};

export function toCompletionItem(c: Completion): CompletionItem {
  return {
    label: c.label,
    kind: COMPLETION_KIND[c.kind],
    detail: c.detail,
    insertText: c.insertText,
    insertTextFormat: c.snippet ? InsertTextFormat.Snippet : InsertTextFormat.PlainText,
    sortText: `${c.preferred ? '0' : '1'}${c.label}`,
    data: c.data,
  };
}

const OUTLINE_KIND: Record<OutlineSymbol['kind'], SymbolKind> = {
  machine: SymbolKind.Module,
  proc: SymbolKind.Function,
  loop: SymbolKind.Namespace,
  object: SymbolKind.Object,
  value: SymbolKind.Variable,
};

export const toSymbolKind = (k: OutlineSymbol['kind']): SymbolKind => OUTLINE_KIND[k];

export function toDocumentSymbol(s: OutlineSymbol): DocumentSymbol {
  return { name: s.name, detail: s.detail, kind: OUTLINE_KIND[s.kind], range: s.range, selectionRange: s.selectionRange, children: s.children.map(toDocumentSymbol) };
}

export function toSelectionRange(ranges: Range[]): SelectionRange {
  let parent: SelectionRange | undefined;
  for (const r of [...ranges].reverse()) parent = { range: r, parent };
  return parent!;
}

export const markdown = (value: string) => ({ kind: MarkupKind.Markdown, value });
export const highlightKind = (write: boolean): DocumentHighlightKind => (write ? DocumentHighlightKind.Write : DocumentHighlightKind.Read);
