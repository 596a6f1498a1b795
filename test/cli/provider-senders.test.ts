// The provider senders of a provisioning file on a real SQLite store: every problem of a bad
// webpush / fcm / apns / http / receipt setting listed with its path and without quoting a secret,
// {"file"} key files read relative to the provisioning file, and a receipt key that another
// account's same-named sender uses refused (receipt URLs name the sender only).
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyProvisioningFile } from '../../src/core/provisioning/apply.js';
import { secretFileReader } from '../../src/runtime/open-store.js';
import { SqliteStore } from '../../src/store/sqlite/store.js';
import { vapidKeys } from '../helpers/push-peers.js';
import { ProvisioningError } from '../../src/core/base/errors.js';

let dir: string;
let store: SqliteStore;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'herald-senders-'));
  store = new SqliteStore(join(dir, 'herald.db'));
  await store.migrate();
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const vapid = vapidKeys();
const p8 = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString();
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString();
const serviceAccount = {
  type: 'service_account',
  project_id: 'p',
  private_key_id: 'k',
  private_key: rsa,
  client_email: 'a@p.iam.gserviceaccount.com',
  token_uri: 'https://oauth2.googleapis.com/token',
};

const fileOf = (senders: unknown[], id = 1) => ({ accounts: [{ id, name: `Account ${id}`, senders }] });

async function problemsOf(file: unknown): Promise<string[]> {
  try {
    await applyProvisioningFile(store, file, {}, 1, secretFileReader(join(dir, 'provision.json')));
  } catch (err) {
    expect(err).toBeInstanceOf(ProvisioningError);
    return (err as ProvisioningError).problems;
  }
  throw new Error('expected problems');
}

describe('provider senders in the provisioning file', () => {
  it('are stored with their settings; key files are read relative to the provisioning file', async () => {
    writeFileSync(join(dir, 'sa.json'), JSON.stringify(serviceAccount));
    writeFileSync(join(dir, 'AuthKey.p8'), p8);
    await applyProvisioningFile(
      store,
      fileOf([
        {
          name: 'web',
          type: 'webpush',
          vapid: { subject: 'mailto:ops@shop.example', public_key: vapid.publicKey, private_key: vapid.privateKey },
        },
        { name: 'android', type: 'fcm', service_account: { file: 'sa.json' } },
        {
          name: 'ios',
          type: 'apns',
          team_id: 'T',
          key_id: 'K',
          private_key: { file: 'AuthKey.p8' },
          topic: 'com.example',
          environment: 'sandbox',
        },
      ]),
      {},
      1,
      secretFileReader(join(dir, 'provision.json')),
    );
    const catalog = await store.loadCatalog(1);
    expect(catalog.senders.get('web')?.webpush).toMatchObject({
      subject: 'mailto:ops@shop.example',
      publicKey: vapid.publicKey,
      ttlSeconds: 2_419_200,
    });
    expect(catalog.senders.get('android')?.fcm).toMatchObject({
      projectId: 'p',
      clientEmail: 'a@p.iam.gserviceaccount.com',
      apiUrl: 'https://fcm.googleapis.com',
      privateKeyId: 'k',
    });
    expect(catalog.senders.get('ios')?.apns).toMatchObject({
      teamId: 'T',
      keyId: 'K',
      topic: 'com.example',
      apiUrl: 'https://api.sandbox.push.apple.com',
      privateKey: p8,
    });
  });

  it('lists every bad setting with its path and never quotes a key or password', async () => {
    const otherVapid = vapidKeys();
    const problems = await problemsOf(
      fileOf([
        {
          name: 'w1',
          type: 'webpush',
          vapid: {
            subject: 'mailto:ops@shop.example',
            public_key: vapid.publicKey,
            private_key: otherVapid.privateKey,
          },
        },
        {
          name: 'w2',
          type: 'webpush',
          vapid: { subject: 'mailto:a@b.c', public_key: 'short', private_key: 'SECRET-NOT-A-KEY' },
        },
        { name: 'f1', type: 'fcm', service_account: { ...serviceAccount, private_key: 'SECRET-PEM-TEXT' } },
        { name: 'f2', type: 'fcm', service_account: { file: 'missing.json' } },
        { name: 'a1', type: 'apns', team_id: 'T', key_id: 'K', private_key: rsa, topic: 'x' },
        {
          name: 'h1',
          type: 'http',
          url: 'https://gw.example',
          method: 'PUT',
          body: { xml: '<x/>' },
          query: { to: '{message.nope.x}{leed.x}' },
        },
        {
          name: 'h2',
          type: 'http',
          url: 'https://gw.example',
          vapid: {},
          response: { message_id: 'sid', success: { pointer: '/ok' } },
        },
        {
          name: 'h3',
          type: 'http',
          url: 'https://gw.example',
          auth: { basic: { user: 'u', password: 42 } },
          receipt: { key: 'SHORT-SECRET', id: '/id', status: '/s', delivered: ['ok'] },
        },
        {
          name: 'h4',
          type: 'http',
          url: 'https://gw.example',
          receipt: { key: 'a-long-enough-receipt-key', status: '/s', delivered: ['ok'] },
        },
        { name: 'a2', type: 'apns', team_id: 'T', key_id: 'K', private_key: p8, topic: 'x', environment: 'staging' },
        {
          name: 'w3',
          type: 'webpush',
          vapid: { subject: 'ops@shop.example', public_key: vapid.publicKey, private_key: vapid.privateKey },
        },
      ]),
    );
    const at = (prefix: string) => problems.filter((p) => p.startsWith(prefix)).join(' | ');
    expect(at('accounts[0].senders[10]')).toMatch(/vapid\.subject: must be a mailto: or https: URL/);
    expect(at('accounts[0].senders[0]')).toMatch(/vapid\.private_key: is not the private key of vapid\.public_key/);
    expect(at('accounts[0].senders[1]')).toMatch(/vapid\.public_key: must be an uncompressed P-256 public key/);
    expect(at('accounts[0].senders[2]')).toMatch(
      /service_account\.private_key: is not an RSA private key in PEM \(not shown\)/,
    );
    expect(at('accounts[0].senders[3]')).toMatch(/file "missing\.json" cannot be read: ENOENT/);
    expect(at('accounts[0].senders[4]')).toMatch(/private_key: is not a P-256 private key/);
    expect(at('accounts[0].senders[9]')).toMatch(/environment: must be production or sandbox/);
    expect(at('accounts[0].senders[5]')).toMatch(/method: must be POST or GET/);
    expect(at('accounts[0].senders[6]')).toMatch(/vapid: is not a setting of a http sender/);
    expect(at('accounts[0].senders[7]')).toMatch(
      /auth\.basic\.password: expected a non-empty string \(a secret, not shown\)/,
    );
    expect(at('accounts[0].senders[8]')).toMatch(/receipt\.id: is required/);
    const all = problems.join('\n');
    for (const secret of ['SECRET-NOT-A-KEY', 'SECRET-PEM-TEXT', 'SHORT-SECRET', otherVapid.privateKey, 'BEGIN'])
      expect(all).not.toContain(secret);
    expect(await store.loadCatalog(1).then((c) => c.senders.size)).toBe(0);
  });

  it('checks the http sender one setting at a time: body kinds, pointers, receipt key length, templates', async () => {
    const one = async (extra: Record<string, unknown>) =>
      (await problemsOf(fileOf([{ name: 'h', type: 'http', url: 'https://gw.example', ...extra }]))).join(' | ');
    expect(await one({ body: { xml: '<x/>' } })).toMatch(
      /body: expected \{"json": …\}, \{"form": \{…\}\} or \{"none": true\}/,
    );
    expect(await one({ method: 'GET', body: { json: {} } })).toMatch(/body: a GET request has no body/);
    expect(await one({ query: { to: '{leed.x}' } })).toMatch(/query\.to: unknown variable namespace: \{leed\.x\}/);
    expect(await one({ headers: { 'X-To': '{unsubscribe}' } })).toMatch(
      /headers\.X-To: unknown variable namespace: \{unsubscribe\}/,
    );
    expect(await one({ body: { form: { To: '{apicontent.to}' } } })).toMatch(
      /body\.form\.To: unknown variable namespace/,
    );
    expect(await one({ response: { message_id: 'sid' } })).toMatch(
      /response\.message_id: a JSON pointer starts with \//,
    );
    expect(await one({ response: { success: { pointer: '/ok' } } })).toMatch(
      /response\.success\.equals: a success pointer needs the value/,
    );
    const short = await one({ receipt: { key: 'SHORT-SECRET', id: '/id', status: '/s', delivered: ['ok'] } });
    expect(short).toMatch(/receipt\.key: must be at least 16 characters \(not shown\)/);
    expect(short).not.toContain('SHORT-SECRET');
  });

  it("refuses a receipt key that another account's sender of the same name takes receipts with", async () => {
    const receipt = { key: 'shared-receipt-key-0123456789', id: '/id', status: '/status', delivered: ['delivered'] };
    await applyProvisioningFile(
      store,
      fileOf([{ name: 'sms', type: 'http', url: 'https://gw.example', receipt }], 1),
      {},
      1,
    );
    const problems = await problemsOf(fileOf([{ name: 'sms', type: 'http', url: 'https://gw.example', receipt }], 2));
    expect(problems).toEqual([
      "accounts[0].senders[0].receipt.key: another account's sender 'sms' takes receipts with this key: choose another",
    ]);
    // Another key, or another name, is fine; and the first account may apply its own again.
    await applyProvisioningFile(
      store,
      fileOf(
        [
          {
            name: 'sms',
            type: 'http',
            url: 'https://gw.example',
            receipt: { ...receipt, key: 'another-receipt-key-0123456789' },
          },
        ],
        2,
      ),
      {},
      2,
    );
    await applyProvisioningFile(
      store,
      fileOf([{ name: 'sms', type: 'http', url: 'https://gw.example', receipt }], 1),
      {},
      3,
    );
  });

  it('routes push providers to senders of the resource, and keeps push-only senders off other channels', async () => {
    const problems = await problemsOf({
      accounts: [
        {
          id: 1,
          name: 'A',
          senders: [
            {
              name: 'web',
              type: 'webpush',
              vapid: { subject: 'mailto:a@b.c', public_key: vapid.publicKey, private_key: vapid.privateKey },
            },
          ],
          databases: [{ id: 1, name: 'D' }],
          resources: [
            {
              id: 1,
              name: 'R',
              db_ids: [1],
              channels: { push: { sender: 'web', providers: { 'iOS-APNs': 'ios' } }, sms: { sender: 'web' } },
            },
            { id: 2, name: 'S', db_ids: [1], channels: { sms: { sender: 'web', providers: { x: 'web' } } } },
          ],
        },
      ],
    });
    expect([...problems].sort()).toEqual([
      "accounts[0].resources[0]: channels.push.providers.ios-apns: sender 'ios' does not exist",
      'accounts[0].resources[0]: channels.sms.sender: a webpush sender sends push only',
      'accounts[0].resources[1].channels.sms.providers: only a push channel routes by provider',
    ]);
  });
});
