// Drives the VS Code workbench in Debian's Chromium with playwright-core,
// the way a person would: keyboard shortcuts, Quick Open, the command
// palette, clicks in the gutter. Selectors are VS Code's own DOM classes.
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const SCREENSHOTS = join(__dirname, 'screenshots');
const CHROMIUM = process.env.IOTRACE_CHROMIUM ?? '/usr/bin/chromium';

export interface Workbench {
  page: Page;
  close(): Promise<void>;
}

export async function openWorkbench(url: string): Promise<Workbench> {
  const context: BrowserContext = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'iotrace-chromium-')), {
    executablePath: CHROMIUM,
    viewport: { width: 1400, height: 900 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(url);
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  return { page, close: () => context.close() };
}

export async function screenshot(page: Page, stage: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${stage}.png`) });
}

/** Runs a command by its palette title ("iotrace: Show Object Graph"). */
export async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor();
  await input.fill(`>${title}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor();
  await page.keyboard.press('Enter');
}

/** Quick Open (Ctrl+P) a workspace file by name; waits for its editor tab. */
export async function openFile(page: Page, name: string): Promise<void> {
  // A hover or a widget holding the focus would swallow the shortcut.
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor();
  await input.fill(name);
  // Clicked, not Enter: the list re-sorts as file search results arrive. A
  // click that lands while it re-renders is lost; then the row is selected
  // and Enter opens it.
  await page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().click();
  const tab = page.locator('.tab.active', { hasText: name });
  try {
    await tab.waitFor({ timeout: 5_000 });
  } catch {
    if (await input.isVisible()) await page.keyboard.press('Enter');
    await tab.waitFor();
  }
  await page.locator('.monaco-editor .view-lines').first().waitFor();
}

/** The rendered editor line whose text contains `text` (it must be on screen). */
export function editorLine(page: Page, text: string) {
  return page.locator('.monaco-editor .view-line', { hasText: text }).first();
}

/** Clicks the glyph margin beside the line containing `text`: toggles a breakpoint there. */
export async function clickGutter(page: Page, text: string): Promise<void> {
  const line = await editorLine(page, text).boundingBox();
  const margin = await page.locator('.monaco-editor .glyph-margin').first().boundingBox();
  if (line === null || margin === null) throw new Error(`line '${text}' is not on screen`);
  await page.mouse.click(margin.x + margin.width / 2, line.y + line.height / 2);
}

/**
 * Waits until the debugger's current-statement arrow is on the line
 * containing `text` (both are rows of the same editor, so their tops match).
 */
export async function stoppedAt(page: Page, text: string): Promise<void> {
  const arrow = page.locator('.monaco-editor .codicon-debug-stackframe').first();
  await arrow.waitFor({ timeout: 30_000 });
  for (let i = 0; i < 60; i++) {
    const a = await arrow.boundingBox();
    const l = await editorLine(page, text).boundingBox();
    if (a !== null && l !== null && Math.abs(a.y + a.height / 2 - (l.y + l.height / 2)) < l.height / 2) return;
    await page.waitForTimeout(250);
  }
  throw new Error(`the debugger did not stop at '${text}'`);
}

/** The 1-based line of the cursor in the active editor, as the status bar shows it ("Ln 21, Col 1"). */
export async function cursorLine(page: Page): Promise<number> {
  const text = await page.locator('[id="status.editor.selection"]').first().innerText();
  const m = /Ln (\d+)/.exec(text);
  if (m === null) throw new Error(`no cursor position in the status bar: '${text}'`);
  return Number(m[1]);
}

/** The row of the Testing view whose label is `label`. */
export function testRow(page: Page, label: string) {
  return page.locator('.test-explorer .monaco-list-row', { hasText: label }).first();
}

/** Runs one test from its row's inline Run action and waits for its result icon (passed or failed). */
export async function runTestRow(page: Page, label: string, result: 'passed' | 'failed'): Promise<void> {
  const row = testRow(page, label);
  await row.hover();
  await row.locator('.action-label.codicon-testing-run-icon').click();
  await row.locator(`.codicon-testing-${result}-icon`).waitFor({ timeout: 60_000 });
}
