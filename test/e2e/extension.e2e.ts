// The extension in a real VS Code (code-server in Chromium), used as a
// person would: open a trace, see colours, a diagnostic and a hover; set a
// breakpoint in the gutter, press F5, stop, read Variables, step over and
// back, open the object graph and click a node to reach the line that created
// it; run traces from Test Explorer and as a task (mismatches at their line,
// in Problems). Each stage leaves a screenshot in
// test/e2e/screenshots/. Run by scripts/e2e/run.sh against the packaged .vsix.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { RUN_TASK_KEY, startCodeServer, type CodeServer } from './code-server.js';
import { clickGutter, cursorLine, editorLine, openFile, openWorkbench, runCommand, runTestRow, screenshot, stoppedAt, testRow, type Workbench } from './workbench.js';
import { BROKEN_COMMAND, BROKEN_TRACE, makeWorkspace, MISMATCH_LINE, MISMATCH_TASK, MISMATCH_TRACE } from './workspace.js';

const ROOT = join(__dirname, '..', '..');
const VSIX = process.env.IOTRACE_VSIX ?? join(ROOT, 'iotrace.vsix');
const EXAMPLE = '01-nic-passthrough.iotrace';
/** A statement of EXAMPLE to break at, and the statement after it. */
const BREAK_AT = 'dma nic0 write 0x1000800';
const STEP_TO = 'expect read32(ram + 0x800)';
/** The statement of EXAMPLE that creates HWPT_PAGING 3. */
const CREATES_HWPT = 'hwpt = attach nic ioas';

let server: CodeServer;
let wb: Workbench;
let page: Page;

describe('the iotrace extension in code-server', { timeout: 600_000 }, () => {
  before(async () => {
    server = await startCodeServer(VSIX, makeWorkspace(join(ROOT, 'examples')), MISMATCH_TASK);
    wb = await openWorkbench(server.url);
    page = wb.page;
  });
  // The screen after each test, named after it: what a failure looked like.
  afterEach(async (t) => {
    await screenshot(page, `after-${t.name.replace(/\W+/g, '-')}`);
  });
  after(async () => {
    await wb?.close();
    await server?.stop();
  });

  it('colours a trace with the grammar', async () => {
    await openFile(page, EXAMPLE);
    const line = editorLine(page, 'ioas_alloc');
    await line.waitFor();
    // The grammar gives the binding, the command, the outcome arrow and the
    // number their own scopes, so the line is drawn in several token colours.
    const classes = await line.locator('span[class^="mtk"]').evaluateAll((spans) => [...new Set(spans.map((s) => s.className))]);
    await screenshot(page, '01-syntax-colours');
    assert.ok(classes.length >= 3, `expected several token colours on the line, got ${classes.join(', ')}`);
  });

  it('activates the extension: the language server marks a broken line', async () => {
    await openFile(page, BROKEN_TRACE);
    const squiggle = page.locator('.monaco-editor .squiggly-error');
    await squiggle.first().waitFor({ timeout: 60_000 });
    await editorLine(page, BROKEN_COMMAND).locator('span', { hasText: BROKEN_COMMAND }).last().hover();
    const hover = page.locator('.monaco-hover:visible');
    await hover.first().waitFor();
    await screenshot(page, '02-diagnostic');
    assert.match(await hover.first().innerText(), new RegExp(`unknown command '${BROKEN_COMMAND}'`));
  });

  it('explains a command on hover', async () => {
    await openFile(page, EXAMPLE);
    await page.mouse.move(0, 0);
    await editorLine(page, 'ioas = ioas_alloc').locator('span', { hasText: 'ioas_alloc' }).last().hover();
    // Not the previous test's breadcrumb tooltip, which can still be fading out.
    const hover = page.locator('.monaco-hover:visible', { hasNotText: /problems? in this file/ });
    await hover.first().waitFor();
    const text = await hover.first().innerText();
    await screenshot(page, '03-hover');
    assert.match(text, /ioas_alloc/i);
  });

  it('stops at a breakpoint set by clicking the gutter, after F5', async () => {
    await openFile(page, EXAMPLE);
    await clickGutter(page, BREAK_AT);
    await page.locator('.monaco-editor .codicon-debug-breakpoint').first().waitFor();
    await page.keyboard.press('F5');
    await page.locator('.debug-toolbar').waitFor({ timeout: 60_000 });
    await stoppedAt(page, BREAK_AT);
    await screenshot(page, '04-stopped-at-breakpoint');
  });

  it("shows an object's users in the Variables view", async () => {
    const variables = page.locator('.debug-variables');
    const objects = variables.locator('.monaco-list-row', { hasText: 'Objects' }).first();
    await objects.waitFor();
    if ((await objects.getAttribute('aria-expanded')) !== 'true') await objects.click();
    // At the breakpoint the IOAS is used by the id table and the automatic HWPT.
    const ioas = variables.locator('.monaco-list-row', { hasText: 'IOAS 1' }).first();
    await ioas.waitFor();
    await screenshot(page, '05-variables');
    assert.match(await ioas.innerText(), /users=2/);
  });

  it('lists the objects in the IOMMU view of the debug sidebar', async () => {
    const header = page.locator('.pane-header', { hasText: 'IOMMU' });
    if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
    const view = page.locator('.pane', { has: header });
    const objects = view.locator('.monaco-list-row', { hasText: 'Objects' }).first();
    await objects.waitFor();
    await objects.click();
    const hwpt = view.locator('.monaco-list-row', { hasText: 'HWPT_PAGING 3' }).first();
    await hwpt.waitFor();
    await screenshot(page, '06-iommu-view');
    assert.match(await hwpt.innerText(), /users 2/);
    await header.click();
  });

  it('steps over, then steps back', async () => {
    await page.keyboard.press('F10');
    await stoppedAt(page, STEP_TO);
    await screenshot(page, '07-step-over');
    await page.locator('.debug-toolbar .codicon-debug-step-back').click();
    await stoppedAt(page, BREAK_AT);
    await screenshot(page, '08-step-back');
  });

  it('draws the object graph of the machine at the stop', async () => {
    await runCommand(page, 'iotrace: Show Object Graph');
    const picture = page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
    await picture.locator('svg').first().waitFor({ timeout: 30_000 });
    await screenshot(page, '09-object-graph');
    const labels = await picture.locator('svg .node text').allTextContents();
    assert.ok(labels.includes('IOAS 1') && labels.includes('HWPT_PAGING 3'), `graph nodes: ${labels.join(', ')}`);
  });

  it('opens the line that created an object when its node is clicked', async () => {
    const picture = page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
    await picture.locator('svg .node', { hasText: 'HWPT_PAGING 3' }).first().click();
    const want = readFileSync(join(ROOT, 'examples', EXAMPLE), 'utf8').split('\n').findIndex((l) => l.startsWith(CREATES_HWPT)) + 1;
    for (let i = 0; i < 60 && (await cursorLine(page)) !== want; i++) await page.waitForTimeout(250);
    await screenshot(page, '09b-graph-click-origin');
    assert.equal(await cursorLine(page), want);
    await page.locator('.tab.active', { hasText: EXAMPLE }).waitFor();
  });

  it('draws the IOVA space with the mapped area and the last DMA', async () => {
    // Step over the DMA at the breakpoint, so there is a last DMA to mark.
    await page.locator('.debug-toolbar a[aria-label^="Step Over"]').click();
    await stoppedAt(page, STEP_TO);
    await runCommand(page, 'iotrace: Show IOVA Space');
    const picture = page.frameLocator('iframe.webview.ready').last().frameLocator('iframe#active-frame');
    await picture.locator('svg').first().waitFor({ timeout: 30_000 });
    await screenshot(page, '10-iova-space');
    const titles = await picture.locator('svg title').allTextContents();
    assert.ok(titles.includes('areas 0x1000000..0x10fffff'), `titles: ${titles.join(', ')}`);
    assert.ok(titles.includes('last DMA at 0x1000800'), `titles: ${titles.join(', ')}`);
  });

  it('lists the traces in Test Explorer; a run shows a pass, and a mismatch at its line', async () => {
    await page.keyboard.press('Shift+F5');
    await page.locator('.debug-toolbar').waitFor({ state: 'hidden', timeout: 30_000 });
    await runCommand(page, 'Testing: Focus on Test Explorer View');
    await testRow(page, EXAMPLE).waitFor({ timeout: 60_000 });
    await testRow(page, MISMATCH_TRACE).waitFor();
    await runTestRow(page, EXAMPLE, 'passed');
    await runTestRow(page, MISMATCH_TRACE, 'failed');
    await screenshot(page, '11-test-explorer');
    // The failure opens its message in a peek below the statement that mismatched.
    await page.locator('.tab.active', { hasText: MISMATCH_TRACE }).waitFor();
    const peek = page.locator('.monaco-editor .test-output-peek').first();
    await peek.waitFor({ timeout: 30_000 });
    // The editor reveals the line and the peek slides open: measure until both have settled.
    let misplaced = 'not measured';
    for (let i = 0; i < 40 && misplaced !== ''; i++) {
      if (i > 0) await page.waitForTimeout(250);
      const line = await editorLine(page, 'destroy ioas').boundingBox();
      const box = await peek.boundingBox();
      misplaced = line !== null && box !== null && Math.abs(box.y - (line.y + line.height)) < line.height * 1.5 ? '' : `line at ${line?.y}+${line?.height}, peek at ${box?.y}`;
    }
    await screenshot(page, '12-test-mismatch-at-line');
    assert.equal(misplaced, '', `the peek is below line ${MISMATCH_LINE}`);
    assert.match(await peek.innerText(), /EBUSY/);
    await page.keyboard.press('Escape');
  });

  it('puts a mismatch in the Problems view from an iotrace task', async () => {
    await openFile(page, MISMATCH_TRACE);
    // Escape first: a hover or a widget holding the focus would swallow the shortcut.
    const runTask = async (): Promise<void> => {
      await page.keyboard.press('Escape');
      await page.keyboard.press(RUN_TASK_KEY);
    };
    await runTask();
    // An error: the language server's own prediction of this mismatch is a warning, so only the task's problem matches.
    const problem = page.locator('.markers-panel .monaco-list-row', { hasText: 'expected EBUSY', has: page.locator('.codicon-error') }).first();
    // The task's terminal takes the panel when it starts: show Problems again until the problem is there.
    for (let i = 0; i < 30 && !(await problem.isVisible()); i++) {
      // Once in a CI run the shortcut reached nothing and the task never started: ask again now and then.
      if (i > 0 && i % 10 === 0) await runTask();
      await runCommand(page, 'Problems: Focus on Problems View');
      await problem.waitFor({ timeout: 2_000 }).catch(() => undefined);
    }
    await screenshot(page, '14-task-problems');
    assert.match(await problem.innerText(), new RegExp(`\\[Ln ${MISMATCH_LINE}, Col 1\\]`));
  });
});
