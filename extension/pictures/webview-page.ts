// The HTML page a picture webview shows, kept free of the vscode API so its
// Content-Security-Policy can be tested as a pure function. The policy
// allows nothing by default; the one script and the one style element run
// only because they carry this render's nonce (a fresh random one each time,
// so a nonce seen in an old page is worthless), and stylesheets may also
// come from the webview's own resource origin. The pictures themselves are
// SVG with presentation attributes only: no inline event handlers, no
// style attributes, which a nonce could not cover.
import { randomBytes } from 'node:crypto';

export function newNonce(): string {
  return randomBytes(16).toString('base64');
}

/** `body` must already be escaped markup (graph-svg.ts and iova-bar.ts escape every text they embed). */
export function webviewPage(cspSource: string, body: string, nonce: string = newNonce()): string {
  return `<!DOCTYPE html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${cspSource} 'nonce-${nonce}'; script-src 'nonce-${nonce}';">
<style nonce="${nonce}">body{color:var(--vscode-foreground)} svg{overflow:visible;margin:24px 8px} .node{cursor:pointer}</style></head>
<body>${body}<script nonce="${nonce}">
const vscode = acquireVsCodeApi();
for (const n of document.querySelectorAll('.node')) n.addEventListener('click', () => vscode.postMessage({ node: n.dataset.node }));
</script></body></html>`;
}
