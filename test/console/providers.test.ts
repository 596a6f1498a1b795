// The console shows what a provider said about a message: a real `herald serve` sends an SMS to a
// gateway on loopback (which answers with its id) and a push to an HTTP/2 APNs peer; the gateway's
// delivery receipt is posted; the message log in headless Chromium shows both provider ids and the
// receipt.
import { createServer } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HeraldClient } from '../../src/client/index.js';
import { findChromium, launchChromium, type Browser } from '../helpers/browser.js';
import { startDemoServer, type DemoServer } from '../helpers/demo-server.js';
import { TOKEN } from '../helpers/harness.js';
import { pngStats } from '../helpers/png.js';
import { deviceToken, startApnsService, type ApnsService } from '../helpers/push-peers.js';

const chromiumPath = findChromium();
const RECEIPT_KEY = 'console-receipt-key-0123456789';

describe.runIf(chromiumPath !== undefined)('the console and providers', { timeout: 60_000 }, () => {
  let server: DemoServer;
  let apns: ApnsService;
  let gateway: ReturnType<typeof createServer>;
  let browser: Browser;
  let page: Page;
  let api: HeraldClient;
  let dir: string;

  beforeAll(async () => {
    apns = await startApnsService();
    gateway = createServer((req, res) => {
      req.resume();
      req.on('end', () =>
        res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ sid: 'SM0123456789abcdef' })),
      );
    });
    await new Promise<void>((r) => gateway.listen(0, '127.0.0.1', r));
    dir = mkdtempSync(join(tmpdir(), 'herald-console-providers-'));
    const provision = join(dir, 'provision.json');
    writeFileSync(join(dir, 'AuthKey.p8'), apns.privateKeyPem);
    writeFileSync(
      provision,
      JSON.stringify({
        accounts: [
          {
            id: 1,
            name: 'Providers',
            tokens: [{ token: TOKEN }],
            senders: [
              {
                name: 'gateway',
                type: 'http',
                url: `http://127.0.0.1:${(gateway.address() as AddressInfo).port}/send`,
                body: { form: { To: '{message.to}', Body: '{message.text}' } },
                response: { message_id: '/sid' },
                receipt: {
                  key: RECEIPT_KEY,
                  id: '/MessageSid',
                  status: '/MessageStatus',
                  delivered: ['delivered'],
                  undelivered: ['failed'],
                },
              },
              {
                name: 'ios',
                type: 'apns',
                team_id: apns.teamId,
                key_id: apns.keyId,
                private_key: { file: 'AuthKey.p8' },
                topic: 'com.example.shop',
                api_url: apns.url,
              },
            ],
            databases: [{ id: 1, name: 'Customers' }],
            resources: [
              { id: 21, name: 'App', db_ids: [1], channels: { sms: { sender: 'gateway' }, push: { sender: 'ios' } } },
            ],
            templates: [
              { id: 6, name: 'SMS', channel: 'sms', text: 'Your code: {apicontent.code}' },
              { id: 7, name: 'Push', channel: 'push', title: 'Hello', text: 'News' },
            ],
            triggers: [
              {
                id: 97,
                name: 'SMS',
                trigger_type: 'api_call',
                send_channel: 'sms',
                resource_id: 21,
                list_id: 1,
                is_active: true,
                content: [{ message_id: 6 }],
              },
              {
                id: 98,
                name: 'Push',
                trigger_type: 'api_call',
                send_channel: 'push',
                resource_id: 21,
                list_id: 1,
                is_active: true,
                content: [{ message_id: 7 }],
              },
            ],
          },
        ],
      }),
    );
    server = await startDemoServer({}, provision);
    api = new HeraldClient({ baseUrl: server.url, token: TOKEN });
    const subscriptions = [
      { channel: 'sms' as const, phone: '+15551234567', resource_id: 21 },
      {
        channel: 'push' as const,
        provider: 'ios-apns',
        subscription_id: deviceToken('console-iphone'),
        resource_id: 21,
      },
    ];
    await api.call('campaigns/triggers/import_and_start', {
      trigger_id: 97,
      matching: 'phone',
      content: { code: '42' },
      data: { phones: '+15551234567', subscriptions },
    });
    await api.call('campaigns/triggers/import_and_start', {
      trigger_id: 98,
      matching: 'phone',
      data: { phones: '+15551234567' },
    });
    const deadline = Date.now() + 15_000;
    while ((await api.call('messages/list', { status: ['sent'] })).total_count < 2) {
      if (Date.now() > deadline) throw new Error('the SMS and the push were not sent');
      await new Promise((r) => setTimeout(r, 100));
    }
    const receipt = await fetch(`${server.url}/receipts/gateway?key=${RECEIPT_KEY}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'MessageSid=SM0123456789abcdef&MessageStatus=delivered',
    });
    expect(receipt.status).toBe(200);
    browser = await launchChromium(chromiumPath!);
    page = await browser.context.newPage();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await apns?.close();
    await new Promise<void>((r) => (gateway ? gateway.close(() => r()) : r()));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("shows each message's provider id, and the receipt of the SMS", async () => {
    await page.goto(`${server.url}/console`);
    await page.fill('#token', TOKEN);
    await page.click('form.login button');
    await page.locator('nav a[data-page="messages"]').click();
    await page.locator('#message-count').waitFor();
    await expect.poll(() => page.locator('#message-table tbody tr').count(), { timeout: 10_000 }).toBe(2);
    const sms = page.locator('#message-table tbody tr', { hasText: '+15551234567' });
    await expect.poll(() => sms.innerText()).toContain('SM0123456789abcdef');
    expect(await sms.innerText()).toMatch(/delivered[\s\S]*receipt: delivered/);
    const push = page.locator('#message-table tbody tr', { hasText: 'ios-apns' });
    expect(await push.innerText()).toContain(apns.received[0].apnsId);
    const png = await page.screenshot({ fullPage: true });
    writeFileSync(join(dir, '..', 'herald-console-providers.png'), png);
    expect(pngStats(png).colours).toBeGreaterThan(30);
  });
});
