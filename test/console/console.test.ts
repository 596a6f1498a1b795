// The web console in real headless Chromium against a real `herald serve` (demo provisioning),
// its data imported through the API first: sign-in, each page (triggers with live counters, the
// message log with filters and paging, profile lookup, tasks, charts) checked against what the
// API answers, a screenshot of each page checked to be a real picture, the CSP honoured (no
// violation, no script error), and sign-out.
import { execSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HeraldClient, type ImportItem } from '../../src/client/index.js';
import { browserRequired, findChromium, launchChromium, watchedPage, type Browser } from '../helpers/browser.js';
import { startDemoServer, type DemoServer } from '../helpers/demo-server.js';
import { TOKEN } from '../helpers/harness.js';
import { ROOT } from '../helpers/herald-process.js';
import { pngStats } from '../helpers/png.js';

const chromiumPath = findChromium();
if (!chromiumPath && !browserRequired()) {
  console.warn(
    "test/console: no Chromium found (install Debian's chromium, or set HERALD_CHROMIUM): the console tests are skipped. Set HERALD_REQUIRE_BROWSER=1 to make this a failure.",
  );
}

describe.runIf(!chromiumPath && browserRequired())('the console without a browser', () => {
  it('fails when HERALD_REQUIRE_BROWSER is set and no Chromium is installed', () => {
    throw new Error(
      'HERALD_REQUIRE_BROWSER is set but no Chromium was found (/usr/bin/chromium, chromium on PATH, or HERALD_CHROMIUM)',
    );
  });
});

/** Waits for a condition of the page or the API (10 s unless told: CI machines are busy). */
const poll = <T>(fn: () => Promise<T> | T, timeout = 10_000) => expect.poll(fn, { timeout, interval: 100 });

const SHOTS = process.env.HERALD_SCREENSHOT_DIR ?? mkdtempSync(join(tmpdir(), 'herald-console-shots-'));

const person = (n: number, status = 0): ImportItem => ({
  data: {
    email: `console${n}@example.com`,
    _fname: `Person ${n}`,
    CRM_ID: n,
    interests: ['news', n % 2 ? 'odd' : 'even'],
    subscriptions: [{ channel: 'email', resource_id: 21, email: `console${n}@example.com`, status }],
  },
});

describe.runIf(chromiumPath !== undefined)('the web console in headless Chromium', { timeout: 60_000 }, () => {
  let server: DemoServer;
  let api: HeraldClient;
  let browser: Browser;
  let page: Page;
  let reminderId: number;
  const problems: string[] = [];

  /** Waits until the API shows no message of the trigger still to send. */
  async function delivered(triggerId: number): Promise<void> {
    const deadline = Date.now() + 20_000;
    while ((await api.call('campaigns/status', { id: triggerId })).data.scheduled > 0) {
      if (Date.now() > deadline) throw new Error(`trigger ${triggerId}: messages still scheduled`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async function screenshot(name: string): Promise<void> {
    const png = await page.screenshot({ fullPage: true });
    writeFileSync(join(SHOTS, `${name}.png`), png);
    expect(png.length, `${name}.png size`).toBeGreaterThan(12_000);
    const stats = pngStats(png);
    expect(stats.width).toBe(1280);
    expect(stats.colours, `${name}.png colours`).toBeGreaterThan(30);
    expect(stats.nonBackground, `${name}.png share of non-background pixels`).toBeGreaterThan(0.02);
  }

  const text = (selector: string) => page.locator(selector).innerText();
  const rows = (selector: string) => page.locator(`${selector} tbody tr`);

  beforeAll(async () => {
    // The page loads the compiled modules: build when this file runs on its own before any build.
    if (!existsSync(join(ROOT, 'dist/console/main.js')) || !existsSync(join(ROOT, 'dist/console/index.html')))
      execSync('npm run build', { cwd: ROOT, stdio: 'ignore' });
    server = await startDemoServer();
    api = new HeraldClient({ baseUrl: server.url, token: TOKEN });
    // The data, through the API: 30 profiles launched on trigger 96 (one unsubscribed: skipped),
    // 4 on trigger 85, and 2 on a new trigger that waits an hour (scheduled).
    await api.call('campaigns/triggers/import_and_start_batch', {
      trigger_id: 96,
      data: [...Array.from({ length: 29 }, (_, i) => person(i)), person(29, 1)],
    });
    await api.call('campaigns/triggers/import_and_start_batch', {
      trigger_id: 85,
      data: [person(100), person(101), person(102), person(103)],
    });
    const reminder = await api.call('campaigns/triggers/add', {
      name: 'Reminder in an hour',
      trigger_type: 'api_call',
      send_channel: 'email',
      resource_id: 21,
      list_id: 1,
      skip_minutes: 60,
      is_active: true,
      content: [{ message_id: 5 }],
    });
    reminderId = reminder.data.id;
    await api.call('campaigns/triggers/import_and_start_batch', {
      trigger_id: reminderId,
      data: [person(1), person(2)],
    });
    await delivered(96);
    await delivered(85);
    browser = await launchChromium(chromiumPath!);
    page = await watchedPage(browser, problems);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    console.info(`console screenshots: ${SHOTS}`);
  });

  it('serves the page and its modules with a strict Content-Security-Policy, and nothing else', async () => {
    const res = await fetch(`${server.url}/console`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toContain('unsafe');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    const js = await fetch(`${server.url}/console/assets/client/index.js`);
    expect(js.headers.get('content-type')).toContain('text/javascript');
    for (const path of [
      '/console/assets/console/index.html',
      '/console/assets/../package.json',
      '/console/assets/http/app.js',
      '/console/assets/console/main.js.map',
    ]) {
      expect((await fetch(`${server.url}${path}`)).status, path).toBe(404);
    }
  });

  it('signs in with a token, refusing a wrong one', async () => {
    await page.goto(`${server.url}/console`);
    await page.locator('form.login').waitFor();
    await screenshot('login');
    await page.fill('#token', 'not-a-valid-token-123456');
    await page.click('form.login button');
    await poll(() => text('form.login .error')).toContain('401');
    await page.fill('#token', TOKEN);
    await page.click('form.login button');
    await page.locator('nav a.active[data-page="triggers"]').waitFor();
    expect(await page.evaluate('sessionStorage.getItem("herald.console.token")')).toBe(TOKEN);
    expect(await page.evaluate('localStorage.getItem("herald.console.token")')).toBeNull();
  });

  it('lists the triggers with live counters', async () => {
    await page.locator('#trigger-table td[data-counter="sent"] a').first().waitFor();
    const table = rows('#trigger-table');
    await poll(() => table.count()).toBe(3);
    const counters = async (id: number) => {
      const row = table.filter({ has: page.locator('td.num', { hasText: new RegExp(`^${id}$`) }) });
      return Object.fromEntries(
        await Promise.all(
          ['scheduled', 'sent', 'failed', 'skipped'].map(async (c) => [
            c,
            Number(await row.locator(`td[data-counter="${c}"]`).innerText()),
          ]),
        ),
      );
    };
    const status = (await api.call('campaigns/status', { id: 96 })).data;
    // The table shows the four message states; the report counters of campaigns/status are the charts'.
    const expected96 = {
      scheduled: status.scheduled,
      sent: status.sent,
      failed: status.failed,
      skipped: status.skipped,
    };
    expect(expected96).toMatchObject({ sent: 29, skipped: 1 });
    await poll(() => counters(96)).toEqual(expected96);
    await poll(() => counters(reminderId)).toEqual({ scheduled: 2, sent: 0, failed: 0, skipped: 0 });
    expect(await text('#trigger-table')).toContain('Reminder in an hour');
    await screenshot('triggers');
    // Live: a new import shows up without a reload.
    await api.call('campaigns/triggers/import_and_start_batch', { trigger_id: 85, data: [person(104), person(105)] });
    await delivered(85);
    await poll(async () => (await counters(85)).sent, 15_000).toBe(6);
    // The log of a trigger.
    await table.filter({ hasText: 'Welcome (custom matching)' }).getByRole('button', { name: 'Log' }).click();
    await poll(() => rows('#trigger-log').count()).toBe(8);
    expect(await text('#trigger-log')).toContain('sent to console105@example.com');
  });

  it('shows the message log, filtered by trigger and status, in pages', async () => {
    // A counter links to its messages.
    const row96 = rows('#trigger-table').filter({ has: page.locator('td.num', { hasText: /^96$/ }) });
    await row96.locator('td[data-counter="sent"] a').click();
    await page.locator('#message-count').waitFor();
    expect(page.url()).toContain('#/messages?trigger_id=96&status=sent');
    expect(await text('#message-count')).toBe('29 shown of 29 matching message(s).');
    await page.selectOption('#filter-limit', '25');
    await page.click('#message-filters button[type="submit"]');
    await poll(() => rows('#message-table').count()).toBe(25);
    await screenshot('messages');
    // Newest first: the first page ends at console4, the older one holds console3 … console0.
    expect(await rows('#message-table').first().innerText()).toContain('console28@example.com');
    await page.click('#next-page');
    await poll(() => rows('#message-table').count()).toBe(4);
    expect(await text('#message-table')).toContain('console0@example.com');
    expect(await text('#message-table')).not.toContain('console28@example.com');
    // Other filters: the skipped message, with its reason.
    await page.click('#first-page');
    await poll(() => rows('#message-table').count()).toBe(25);
    // The sent counter links to sent messages and those a receipt reported on.
    for (const status of ['delivered', 'undelivered'])
      expect(await page.locator(`#message-filters input[value="${status}"]`).isChecked()).toBe(true);
    for (const status of ['sent', 'delivered', 'undelivered'])
      await page.locator(`#message-filters input[value="${status}"]`).uncheck();
    await page.locator('#message-filters input[value="skipped"]').check();
    await page.click('#message-filters button[type="submit"]');
    await poll(() => rows('#message-table').count()).toBe(1);
    const skipped = (await api.call('messages/list', { trigger_id: 96, status: 'skipped' })).data[0];
    expect(await text('#message-table')).toContain(skipped.profile_id);
    expect(skipped.skip_reason).toBeTruthy();
    expect(await text('#message-table')).toContain(skipped.skip_reason!);
    // By profile, every trigger.
    await page.selectOption('#filter-trigger', '');
    await page.locator('#message-filters input[value="skipped"]').uncheck();
    const p1 = (await api.call('profiles/get', { db_id: 1, email: 'console1@example.com' })).data.id;
    await page.fill('#filter-profile', p1);
    await page.click('#message-filters button[type="submit"]');
    await poll(() => rows('#message-table').count()).toBe(2);
    expect(await text('#message-table')).toContain('scheduled');
  });

  it('looks a profile up by any matching mode, with its fields and subscriptions', async () => {
    await page.click('nav a[data-page="profiles"]');
    await page.locator('#lookup-form').waitFor();
    await poll(() => page.locator('#lookup-db option').count()).toBe(1);
    await page.fill('#lookup-email', 'console3@example.com');
    await page.click('#lookup-form button[type="submit"]');
    await page.locator('#profile-result').waitFor();
    const profile = (await api.call('profiles/get', { db_id: 1, email: 'console3@example.com' })).data;
    const shown = await text('#profile-result');
    expect(shown).toContain(profile.id);
    expect(shown).toContain('Person 3');
    expect(shown).toMatch(/CRM_ID\s+3/);
    expect(shown).toContain('["news","odd"]');
    expect(await rows('#profile-result .panel:nth-child(2)').count()).toBe(1);
    expect(await text('#profile-result .panel:nth-child(2)')).toContain('subscribed');
    await screenshot('profiles');
    // custom matching: the field list comes from databases/fields_get.
    await page.selectOption('#lookup-matching', 'custom');
    expect(await page.locator('#lookup-email').isVisible()).toBe(false);
    await page.selectOption('#lookup-field_name', 'CRM_ID');
    await page.fill('#lookup-field_value', '5');
    await page.click('#lookup-form button[type="submit"]');
    await poll(() => text('#profile-result')).toContain('console5@example.com');
    // a subscription mode, and a profile id that matches nothing.
    await page.selectOption('#lookup-matching', 'email_sub');
    await page.fill('#lookup-email', 'console29@example.com');
    await page.selectOption('#lookup-resource_id', '21');
    await page.click('#lookup-form button[type="submit"]');
    await poll(() => text('#profile-result')).toContain('unsubscribed');
    await page.selectOption('#lookup-matching', 'profile_id');
    await page.fill('#lookup-profile_id', 'ffffffffffffffffffffffff');
    await page.click('#lookup-form button[type="submit"]');
    await poll(() => text('#lookup-result')).toContain('No profile found');
  });

  it('submits and tracks tasks, with their progress', async () => {
    const sdkTask = await api.call('campaigns/triggers/start_batch_task', {
      trigger_id: 85,
      data: [{ email: 'console100@example.com' }],
    });
    await page.click('nav a[data-page="tasks"]');
    await page.locator('#task-form').waitFor();
    await poll(() => page.locator('#task-trigger option').count()).toBe(3);
    await page.selectOption('#task-trigger', '96');
    await page.fill('#task-data', JSON.stringify([person(200), person(201), person(202)]));
    await page.click('#task-form button[type="submit"]');
    await poll(() => text('#task-note')).toMatch(/^Submitted task_/);
    await page.fill('#track-id', sdkTask.data.task_id);
    await page.click('#track-form button[type="submit"]');
    await page.fill('#track-id', 'task_00000000-0000-4000-8000-000000000000');
    await page.click('#track-form button[type="submit"]');
    const table = rows('#task-table');
    await poll(() => table.count()).toBe(3);
    await poll(() => text('#task-table'), 20_000).toMatch(
      /import_and_start_batch · trigger 96 · 3 item\(s\)[\s\S]*completed\s+100%\s+3 profile\(s\) launched/,
    );
    await poll(() => table.filter({ hasText: sdkTask.data.task_id }).innerText(), 20_000).toMatch(
      /completed\s+100%\s+1 profile\(s\) launched/,
    );
    expect(await table.filter({ hasText: 'task_00000000' }).innerText()).toContain('not found');
    await screenshot('tasks');
    // Remembered in this browser: still there after a reload.
    await page.reload();
    await poll(() => rows('#task-table').count()).toBe(3);
    expect(JSON.parse(String(await page.evaluate('localStorage.getItem("herald.console.tasks")'))).length).toBe(3);
  });

  it('charts the report counters per day, for the account and one trigger, counting no message itself', async () => {
    await delivered(96);
    await delivered(85);
    const calls: string[] = [];
    const onRequest = (r: { url(): string }) => calls.push(r.url());
    page.on('request', onRequest);
    await page.click('nav a[data-page="charts"]');
    await page.locator('#chart-sent svg.chart').waitFor();
    const today = new Date().toISOString().slice(0, 10);
    const monthAgo = new Date(Date.now() - 29 * 86_400_000).toISOString().slice(0, 10);
    const account = (await api.call('account/stats', { date_from: monthAgo, date_to: today })).data;
    const sent = account.reduce((n, d) => n + d.sent, 0);
    expect(sent).toBeGreaterThanOrEqual(36);
    await poll(() => text('#total-sent')).toBe(sent.toLocaleString('en-US'));
    // Thirty UTC days, one bar group each; today's bar is there.
    expect(await page.locator('#chart-sent g.day').count()).toBe(30);
    expect(await page.locator(`#chart-sent g.day[data-date="${today}"]`).getAttribute('data-value')).toBe(String(sent));
    expect(await page.locator('#chart-sent rect.bar-sent').count()).toBeGreaterThan(0);
    for (const id of ['delivered', 'opens', 'clicks', 'bounces', 'complaints'])
      expect(await page.locator(`#chart-${id} svg.chart`).count(), id).toBe(1);
    await screenshot('charts');
    // One trigger: its report, and its all-time totals from campaigns/status.
    await page.selectOption('#chart-trigger', '85');
    const status85 = (await api.call('campaigns/status', { id: 85 })).data;
    await poll(() => text('#all-sent')).toBe(String(status85.sent));
    await poll(() => text('#total-sent')).toBe(String(status85.sent));
    await screenshot('charts-trigger');
    await page.selectOption('#chart-range', '7d');
    await poll(() => page.locator('#chart-sent g.day').count()).toBe(7);
    page.off('request', onRequest);
    expect(calls.filter((u) => u.includes('/api/v1.1/messages/'))).toEqual([]);
    expect(calls.some((u) => u.endsWith('/api/v1.1/account/stats'))).toBe(true);
    expect(calls.some((u) => u.endsWith('/api/v1.1/campaigns/triggers/stats'))).toBe(true);
  });

  it('met no Content-Security-Policy violation and no script error', () => {
    expect(problems).toEqual([]);
  });

  it('signs out, forgetting the token', async () => {
    await page.click('#logout');
    await page.locator('form.login').waitFor();
    expect(await page.evaluate('sessionStorage.getItem("herald.console.token")')).toBeNull();
  });
});
