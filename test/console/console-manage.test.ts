// Running Herald from the console, in real headless Chromium against a real `herald serve` (demo
// provisioning): the account's name; a template created in the editor with its live preview
// (a typo refused in the preview, the saved template read back through the API) and a test of it
// sent from the editor; a profile
// found in the list by a search; a message opened with its headers, delivery and rendered
// content; databases, resources and senders; deactivation only after confirmation; thousands
// separators; and every page at 1280 and 375 px wide without sideways scrolling. Screenshots go
// to .herald-test/console-shots (or HERALD_SCREENSHOT_DIR).
import { execSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HeraldClient, type ImportItem } from '../../src/client/index.js';
import { findChromium, launchChromium, signIn, watchedPage, type Browser } from '../helpers/browser.js';
import { startDemoServer, type DemoServer } from '../helpers/demo-server.js';
import { TOKEN } from '../helpers/harness.js';
import { ROOT } from '../helpers/herald-process.js';
import { pngStats } from '../helpers/png.js';

const chromiumPath = findChromium();
const poll = <T>(fn: () => Promise<T> | T, timeout = 10_000) => expect.poll(fn, { timeout, interval: 100 });
const SHOTS = process.env.HERALD_SCREENSHOT_DIR ?? join(ROOT, '.herald-test', 'console-shots');

const person = (n: number): ImportItem => ({
  data: {
    email: `run${n}@example.com`,
    _fname: `Runner ${n}`,
    CRM_ID: 500 + n,
    subscriptions: [{ channel: 'email', resource_id: 21, email: `run${n}@example.com` }],
  },
});

describe.runIf(chromiumPath !== undefined)('running Herald from the console', { timeout: 60_000 }, () => {
  let server: DemoServer;
  let api: HeraldClient;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  async function screenshot(name: string, width: number): Promise<void> {
    const png = await page.screenshot({ fullPage: true });
    writeFileSync(join(SHOTS, `${name}-${width}.png`), png);
    const stats = pngStats(png);
    expect(stats.width).toBe(width);
    expect(stats.colours, `${name}-${width}.png colours`).toBeGreaterThan(30);
  }

  /** The page does not scroll sideways: nothing is wider than the window. */
  const pageWidth = async () => Number(await page.evaluate('document.documentElement.scrollWidth'));
  const text = (selector: string) => page.locator(selector).innerText();
  const rows = (selector: string) => page.locator(`${selector} tbody tr`);

  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'dist/console/templates-page.js')))
      execSync('npm run build', { cwd: ROOT, stdio: 'ignore' });
    mkdirSync(SHOTS, { recursive: true });
    server = await startDemoServer();
    api = new HeraldClient({ baseUrl: server.url, token: TOKEN });
    await api.call('campaigns/triggers/import_and_start_batch', {
      trigger_id: 96,
      data: [person(1), person(2), person(3), person(10), person(11)],
    });
    // Enough profiles for counts with thousands separators.
    await api.call('profiles/import_batch', {
      db_id: 1,
      data: Array.from({ length: 1200 }, (_, i) => ({ data: { email: `bulk${i}@example.com` } })),
    });
    const deadline = Date.now() + 20_000;
    while ((await api.call('campaigns/status', { id: 96 })).data.scheduled > 0) {
      if (Date.now() > deadline) throw new Error('messages still scheduled');
      await new Promise((r) => setTimeout(r, 100));
    }
    browser = await launchChromium(chromiumPath!);
    page = await watchedPage(browser, problems);
    await signIn(page, server.url, TOKEN);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    console.info(`console screenshots: ${SHOTS}`);
  });

  it("shows the account's name", async () => {
    await poll(() => text('#account-name')).toBe('Demo shop');
  });

  it('creates a template in the editor, with its live preview', async () => {
    await page.click('nav a[data-page="templates"]');
    await page.locator('#template-form').waitFor();
    await poll(() => text('#template-list')).toContain('Welcome');
    await page.fill('#tpl-name', 'Order shipped');
    await page.selectOption('#tpl-channel', 'email');
    await page.fill('#tpl-subject', 'Your order, {lead._fname}');
    // A typo shows in the preview at once, naming the part.
    await page.fill('#tpl-html', '<p>Hello {leed._fname}, it is on its way to {apicontent.city}.</p>');
    await poll(async () => ((await page.locator('#preview-error').count()) ? text('#preview-error') : '')).toMatch(
      /^html: .*\{leed\._fname\}/,
    );
    await page.fill(
      '#tpl-html',
      '<p>Hello {lead._fname}, it is on its way to {apicontent.city}.</p><p><a href="{unsubscribe}">Unsubscribe</a></p>',
    );
    await page.fill('#tpl-text', 'Hello {lead._fname}, it ships to {apicontent.city}.');
    await page.fill('#tpl-sample', '{"email": "zoe@example.com", "_fname": "Zoé <Z>"}');
    await page.fill('#tpl-content', '{"city": "Lyon"}');
    await poll(() => text('#preview-subject')).toBe('Your order, Zoé <Z>');
    const html = page.frameLocator('#preview-html').locator('p').first();
    await poll(() => html.innerText()).toBe('Hello Zoé <Z>, it is on its way to Lyon.');
    expect(await page.locator('#preview-text').textContent()).toBe('Hello Zoé <Z>, it ships to Lyon.');
    await screenshot('template-editor', 1280);
    await page.click('#tpl-save');
    await poll(() => page.url()).toMatch(/#\/templates\?id=\d+&saved=1$/);
    const id = Number(/id=(\d+)/.exec(page.url())![1]);
    expect((await api.call('templates/get', { id })).data).toEqual({
      id,
      name: 'Order shipped',
      description: '',
      channels: [
        {
          id: 1,
          sid: 'email',
          fields: {
            subject: 'Your order, {lead._fname}',
            html: '<p>Hello {lead._fname}, it is on its way to {apicontent.city}.</p><p><a href="{unsubscribe}">Unsubscribe</a></p>',
            text: 'Hello {lead._fname}, it ships to {apicontent.city}.',
          },
        },
      ],
      groups: [{ id: 0, name: 'main' }],
    });
    // Newest first, and the saved template is the one being edited; a stored profile previews it.
    await poll(() => rows('#template-list').first().innerText()).toContain('Order shipped');
    await poll(() => page.inputValue('#tpl-name')).toBe('Order shipped');
    const runner = (await api.call('profiles/get', { db_id: 1, email: 'run2@example.com' })).data.id;
    await page.fill('#tpl-profile', runner);
    await poll(() => text('#preview-subject')).toBe('Your order, Runner 2');
  });

  it('sends a test of the template being edited, and says how it went', async () => {
    await page.locator('#test-send-form').waitFor();
    await poll(() => page.locator('#test-resource option').count()).toBe(2);
    await page.fill('#test-address', 'qa@example.org');
    await page.click('#test-send');
    await poll(() => text('#test-status')).toMatch(/^Test (\d+) sent to qa@example\.org\.$/);
    const id = Number(/^Test (\d+)/.exec(await text('#test-status'))![1]);
    const [listed] = (await api.call('templates/tests', {})).data;
    expect(listed).toMatchObject({ id, status: 'sent', address: 'qa@example.org', channel: 'email', error: null });
    // The demo's file sender wrote it, named as a test, rendered for the stored profile.
    const eml = readFileSync(join(server.dir, 'data', 'outbox', `test-${id}.eml`), 'utf8');
    expect(eml).toMatch(/^Subject: Your order, Runner 2$/m);
    expect(eml).toMatch(/^To: qa@example\.org$/m);
    await screenshot('template-test-send', 1280);
    // A bad address is the API's refusal, shown where the status was.
    await page.fill('#test-address', 'not an address');
    await page.click('#test-send');
    await poll(() => text('#test-status')).toMatch(/test_email: 'not an address' is not an email address/);
    expect(await page.locator('#test-status.error').count()).toBe(1);
  });

  it('finds a profile in the list by a search, with counts separated by thousands', async () => {
    await page.click('nav a[data-page="profiles"]');
    await poll(() => text('#profile-count')).toBe('1–25 of 1,205 profile(s), newest first.');
    await page.fill('#list-search', 'run1');
    await page.click('#list-form button[type="submit"]');
    await poll(() => text('#profile-count')).toBe('1–3 of 3 profile(s), newest first.');
    expect((await rows('#profile-list').allInnerTexts()).map((r) => r.split('\t')[1])).toEqual([
      'run11@example.com',
      'run10@example.com',
      'run1@example.com',
    ]);
    await screenshot('profiles', 1280);
    await rows('#profile-list').last().locator('a').click();
    await page.locator('#profile-result').waitFor();
    expect(await text('#profile-result')).toContain('Runner 1');
  });

  it('opens a message: delivery, headers and the rendered content', async () => {
    await page.click('nav a[data-page="messages"]');
    await page.locator('#message-count').waitFor();
    const newest = (await api.call('messages/list', { order: 'desc', limit: 1 })).data[0];
    await poll(() => rows('#message-table').first().locator('a.message-link').innerText()).toBe(String(newest.id));
    await rows('#message-table').first().locator('a.message-link').click();
    await page.locator('#message-content').waitFor();
    expect(page.url()).toContain(`#/message?id=${newest.id}`);
    const delivery = await text('#message-delivery');
    expect(delivery).toContain('96 Welcome');
    expect(delivery).toMatch(/attempts\s+1/);
    expect(delivery).toContain(newest.profile_id);
    const headers = await text('#message-headers');
    expect(headers).toContain('Demo shop <shop@example.com>');
    expect(headers).toContain(`To\t${newest.address}`);
    expect(headers).toContain('Subject\tWelcome, Runner 11!');
    expect(headers).toContain(`<herald.${newest.id}.1@example.com>`);
    await poll(() => page.frameLocator('#message-html').locator('p').first().innerText()).toContain('Hello Runner 11');
    await screenshot('message', 1280);
    // A message that does not exist.
    await page.goto(`${server.url}/console#/message?id=999999`);
    await poll(() => text('#message-detail')).toContain('No message 999999');
  });

  it('shows databases, resources and senders', async () => {
    await page.click('nav a[data-page="databases"]');
    await poll(() => text('#database-table')).toContain('Customers');
    expect(await text('#database-table')).toContain('CRM_ID');
    await page.click('nav a[data-page="resources"]');
    await poll(() => text('#resource-table')).toContain('shop@example.com');
    await page.click('nav a[data-page="senders"]');
    await poll(() => text('#sender-list')).toContain('outbox');
    expect(await text('#sender-list')).toContain('./data/outbox');
    await screenshot('senders', 1280);
  });

  it('deactivates a trigger only once confirmed', async () => {
    await page.click('nav a[data-page="triggers"]');
    const row = rows('#trigger-table').filter({ hasText: 'Welcome (custom matching)' });
    await row.getByRole('button', { name: 'Deactivate' }).waitFor();
    const questions: string[] = [];
    page.once('dialog', (d) => {
      questions.push(d.message());
      void d.dismiss();
    });
    await row.getByRole('button', { name: 'Deactivate' }).click();
    await poll(() => questions.length).toBe(1);
    expect(questions[0]).toContain('Deactivate trigger 85');
    expect((await api.call('campaigns/status', { id: 85 })).data.is_active).toBe(true);
    page.once('dialog', (d) => void d.accept());
    await row.getByRole('button', { name: 'Deactivate' }).click();
    await poll(async () => (await api.call('campaigns/status', { id: 85 })).data.is_active).toBe(false);
    await poll(() => row.getByRole('button', { name: 'Activate' }).count()).toBe(1);
  });

  it('fits a 375 px wide screen on every page', async () => {
    await page.setViewportSize({ width: 375, height: 740 });
    for (const id of [
      'triggers',
      'messages',
      'profiles',
      'templates',
      'databases',
      'resources',
      'senders',
      'tasks',
      'charts',
      'stoplists',
    ]) {
      await page.click(`nav a[data-page="${id}"]`);
      await page.locator(`#page-${id} .page-head`).waitFor();
      await page.waitForLoadState('networkidle');
      expect(await pageWidth(), `${id} at 375 px`).toBeLessThanOrEqual(375);
      if (['triggers', 'templates', 'profiles', 'messages', 'charts', 'stoplists'].includes(id))
        await screenshot(id, 375);
    }
    await page.goto(`${server.url}/console#/messages`);
    await rows('#message-table').first().locator('a.message-link').click();
    await poll(() => page.frameLocator('#message-html').locator('p').first().innerText()).toContain('Hello');
    // Chromium paints a frame below the fold only once it has been in view.
    await page.locator('#message-html').scrollIntoViewIfNeeded();
    expect(await pageWidth()).toBeLessThanOrEqual(375);
    await screenshot('message', 375);
    await page.setViewportSize({ width: 1280, height: 860 });
  });

  it('met no Content-Security-Policy violation and no script error', () => {
    expect(problems).toEqual([]);
  });
});
