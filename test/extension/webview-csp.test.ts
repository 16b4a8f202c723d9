// The picture webviews (object graph, IOVA space) run with a strict
// Content-Security-Policy (issue 9 §6): nothing allowed by default, scripts
// and styles only with this render's nonce (styles also from the webview's
// own origin), no 'unsafe-eval' or 'unsafe-inline', a fresh nonce per
// render, every <script> carrying it, no inline event handlers, and hostile
// names in the machine escaped rather than run.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { graphSvg } from '../../extension/pictures/graph-svg.js';
import { iovaBarSvg } from '../../extension/pictures/iova-bar.js';
import { layOut, objectGraph } from '../../extension/pictures/object-graph.js';
import { webviewPage } from '../../extension/pictures/webview-page.js';
import { exampleSnapshot } from './example-snapshot.js';

const CSP_SOURCE = 'https://file+.vscode-resource.vscode-cdn.net';

/** The policy of a page's CSP meta element, directive by directive. */
function policy(html: string): Map<string, string[]> {
  const metas = [...html.matchAll(/<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"/gi)];
  assert.equal(metas.length, 1, 'exactly one CSP meta element');
  assert.ok(html.indexOf(metas[0]![0]) < html.search(/<script|<style|<body/i), 'the policy comes before anything it governs');
  return new Map(
    metas[0]![1]!.split(';').map((d) => d.trim()).filter(Boolean).map((d) => {
      const [name, ...sources] = d.split(/\s+/);
      return [name!, sources];
    }),
  );
}

/** Every start tag's attribute names (values are always double-quoted here: the builders escape any quote inside them). */
function attributeNames(html: string): string[] {
  const unquoted = html.replace(/"[^"]*"/g, '""');
  return [...unquoted.matchAll(/<[a-zA-Z][^>]*>/g)].flatMap((tag) => [...tag[0].matchAll(/\s([^\s=/>]+)(?==|\s|\/?>)/g)].map((a) => a[1]!.toLowerCase()));
}

function checkPage(html: string): string {
  const csp = policy(html);
  assert.deepEqual(csp.get('default-src'), ["'none'"]);
  const nonce = /'nonce-([^']+)'/.exec(csp.get('script-src')!.join(' '))?.[1];
  assert.ok(nonce && nonce.length >= 16, 'scripts need a nonce of at least 128 bits');
  assert.deepEqual(csp.get('script-src'), [`'nonce-${nonce}'`], 'scripts only with the nonce');
  assert.deepEqual(csp.get('style-src'), [CSP_SOURCE, `'nonce-${nonce}'`], "styles from the webview's origin or with the nonce");
  for (const [name, sources] of csp) {
    for (const bad of ["'unsafe-eval'", "'unsafe-inline'", "'unsafe-hashes'", '*', 'data:', 'http:', 'https:']) assert.ok(!sources.includes(bad), `${name} allows ${bad}`);
  }
  const scripts = [...html.matchAll(/<script\b([^>]*)>/gi)];
  assert.ok(scripts.length > 0);
  for (const s of [...scripts, ...html.matchAll(/<style\b([^>]*)>/gi)]) assert.match(s[1]!, new RegExp(`\\bnonce="${nonce.replace(/[+/=]/g, '\\$&')}"`), `${s[0]} carries the nonce`);
  assert.deepEqual(attributeNames(html).filter((a) => a.startsWith('on') || a === 'style'), [], 'no inline event handlers or style attributes');
  assert.doesNotMatch(html, /javascript:/i);
  return nonce;
}

describe('webview Content-Security-Policy', () => {
  it('the object graph page has a strict policy, and every script and style its nonce', async () => {
    checkPage(webviewPage(CSP_SOURCE, graphSvg(await layOut(objectGraph(exampleSnapshot())))));
  });

  it('the IOVA space page has a strict policy too', () => {
    const s = exampleSnapshot();
    checkPage(webviewPage(CSP_SOURCE, s.ioas.map((i) => `<section>${iovaBarSvg(i)}</section>`).join('')));
  });

  it('each render gets a fresh random nonce', () => {
    const nonces = new Set(Array.from({ length: 50 }, () => checkPage(webviewPage(CSP_SOURCE, '<p>x</p>'))));
    assert.equal(nonces.size, 50);
  });

  it('names from the machine are escaped, not run', async () => {
    const s = exampleSnapshot();
    const hostile = '"><script>alert(1)</script><img src=x onerror=alert(2)>';
    s.devices[0]!.name = hostile;
    const html = webviewPage(CSP_SOURCE, graphSvg(await layOut(objectGraph(s))));
    checkPage(html);
    assert.equal([...html.matchAll(/<script\b/gi)].length, 1, 'only the page own script');
    assert.ok(!html.includes(hostile));
  });

  it('every webview in the extension gets its HTML from webviewPage', () => {
    const files = (function walk(dir: string): string[] {
      return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? walk(join(dir, n)) : n.endsWith('.ts') ? [join(dir, n)] : []));
    })('extension');
    const setters = files.filter((f) => /\.html\s*=/.test(readFileSync(f, 'utf8')));
    assert.ok(setters.length > 0);
    for (const f of setters) {
      for (const m of readFileSync(f, 'utf8').matchAll(/\.html\s*=\s*([^;]*);/g)) assert.match(m[1]!, /^webviewPage\(/, `${f} sets webview HTML without webviewPage`);
    }
  });
});
