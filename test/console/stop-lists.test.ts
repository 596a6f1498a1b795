// The stop-lists page in real headless Chromium against a real `herald serve` (demo provisioning):
// the account's lists with their counts, a list's entries newest first with a search, an entry
// added from the page and removed only once confirmed (checked through the API), and a message
// skipped as suppressed showing why on its detail page. Screenshots at 1280 and 375 px go to
// .herald-test/console-shots (or HERALD_SCREENSHOT_DIR).
import { execSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HeraldClient } from '../../src/client/index.js';
import { findChromium, launchChromium, signIn, watchedPage, type Browser } from '../helpers/browser.js';
import { startDemoServer, type DemoServer } from '../helpers/demo-server.js';
import { TOKEN } from '../helpers/harness.js';
import { ROOT } from '../helpers/herald-process.js';
import { pngStats } from '../helpers/png.js';

const chromiumPath = findChromium();
const poll = <T>(fn: () => Promise<T> | T, timeout = 10_000) => expect.poll(fn, { timeout, interval: 100 });
const SHOTS = process.env.HERALD_SCREENSHOT_DIR ?? join(ROOT, '.herald-test', 'console-shots');

describe.runIf(chromiumPath !== undefined)('the stop-lists page', { timeout: 60_000 }, () => {
  let server: DemoServer;
  let api: HeraldClient;
  let browser: Browser;
  let page: Page;
  let listId: number;
  let skippedId: number;
  const problems: string[] = [];

  async function screenshot(name: string, width: number): Promise<void> {
    const png = await page.screenshot({ fullPage: true });
    writeFileSync(join(SHOTS, `${name}-${width}.png`), png);
    const stats = pngStats(png);
    expect(stats.width).toBe(width);
    expect(stats.colours, `${name}-${width}.png colours`).toBeGreaterThan(30);
  }
  const text = (selector: string) => page.locator(selector).innerText();
  const onList = async (email: string) => (await api.call('suppresses/email_check', { id: listId, email })).data[email];

  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'dist/console/stop-lists-page.js')))
      execSync('npm run build', { cwd: ROOT, stdio: 'ignore' });
    mkdirSync(SHOTS, { recursive: true });
    server = await startDemoServer();
    api = new HeraldClient({ baseUrl: server.url, token: TOKEN });
    listId = (await api.call('suppresses/add', { name: 'Do not mail' })).data.saved_id;
    await api.call('suppresses/emails_add', {
      id: listId,
      emails: Array.from({ length: 1200 }, (_, i) => `gone${i}@example.com`),
    });
    await api.call('suppresses/domain_add', { id: listId, domain: 'blocked.example' });
    await api.call('campaigns/triggers/import_and_start_batch', {
      trigger_id: 96,
      data: [
        {
          data: {
            email: 'gone7@example.com',
            subscriptions: [{ channel: 'email', resource_id: 21, email: 'gone7@example.com' }],
          },
        },
      ],
    });
    // The worker skips it at send time: wait until it has.
    const deadline = Date.now() + 20_000;
    for (;;) {
      const skipped = (await api.call('messages/list', { status: 'skipped', limit: 1 })).data[0];
      if (skipped) {
        skippedId = skipped.id;
        break;
      }
      if (Date.now() > deadline) throw new Error('the message to a listed address was not skipped');
      await new Promise((r) => setTimeout(r, 100));
    }
    browser = await launchChromium(chromiumPath!);
    page = await watchedPage(browser, problems);
    await signIn(page, server.url, TOKEN);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('lists the lists and the entries of one, newest first, with a search', async () => {
    await page.click('nav a[data-page="stoplists"]');
    await poll(() => text('#stoplist-table')).toContain('Do not mail');
    expect(await text('#stoplist-table')).toContain('1,200');
    await poll(() => text('#entry-count')).toBe('1–50 of 1,201 entries');
    // The domain was added last: first.
    expect(await page.locator('#entry-table tbody tr').first().innerText()).toContain('blocked.example');
    await page.fill('#entry-search', 'gone119');
    await page.click('#entry-filter button');
    await poll(() => text('#entry-count')).toBe('1–11 of 11 entries');
    await screenshot('stoplist-entries', 1280);
    await page.selectOption('#entry-kind', 'domain');
    await page.fill('#entry-search', '');
    await page.click('#entry-filter button');
    await poll(() => text('#entry-count')).toBe('1–1 of 1 entries');
  });

  it('adds an entry, and removes one only once confirmed', async () => {
    await page.goto(`${server.url}/console#/stoplists?list=${listId}`);
    await page.selectOption('#add-kind', 'email');
    await page.fill('#add-value', 'New.Person@Example.com');
    await page.click('#entry-add button');
    await poll(() => onList('new.person@example.com')).toBe(true);
    await poll(() => page.locator('#entry-table tbody tr').first().innerText()).toContain('new.person@example.com');
    // A bad value is refused by the server, and the page says why.
    await page.fill('#add-value', 'not an address');
    await page.click('#entry-add button');
    await poll(() => text('.errors')).toContain('not a valid email');
    const remove = page.locator('button[data-remove="new.person@example.com"]');
    page.once('dialog', (d) => void d.dismiss());
    await remove.click();
    // Dismissed: still listed (the page had its chance: ask for the list again and read it).
    await page.reload();
    await poll(() => text('#entry-count')).toContain('of 1,202 entries');
    expect(await onList('new.person@example.com')).toBe(true);
    page.once('dialog', (d) => void d.accept());
    await page.locator('button[data-remove="new.person@example.com"]').click();
    await poll(() => onList('new.person@example.com')).toBe(false);
    await poll(() => text('#entry-count')).toContain('of 1,201 entries');
  });

  it('shows on the message detail that a message was skipped for a stop list', async () => {
    await page.goto(`${server.url}/console#/message?id=${skippedId}`);
    await poll(() => text('#skip-suppressed')).toContain('suppressed: the address was on a stop list');
    await page.click('#skip-suppressed a');
    await poll(() => page.inputValue('#entry-search')).toBe('gone7@example.com');
    await poll(() => text('#entry-count')).toBe('1–1 of 1 entries');
  });

  it('fits a 375 px wide screen', async () => {
    await page.setViewportSize({ width: 375, height: 740 });
    await page.goto(`${server.url}/console#/stoplists?list=${listId}`);
    await poll(() => text('#entry-count')).toContain('of 1,201 entries');
    expect(Number(await page.evaluate('document.documentElement.scrollWidth'))).toBeLessThanOrEqual(375);
    await screenshot('stoplist-entries', 375);
  });

  it('met no Content-Security-Policy violation and no script error', () => {
    expect(problems).toEqual([]);
  });
});
