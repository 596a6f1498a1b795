// account/get and senders/list (Herald extensions the console reads): the calling account's
// name; the senders with their settings, no secret shown (SMTP passwords, header values, Basic
// passwords, secret-looking query values, receipt keys); each account sees its own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/harness.js';

const WRITE = 'abcdefghijklmnqrstuvwxyz';
const READ = 'read-only-token-0123456789';
const OTHER = 'other-account-token-0123456789';

const provision = {
  accounts: [
    {
      id: 1,
      name: 'Shop & Co',
      tokens: [
        { token: WRITE, role: 'write' },
        { token: READ, role: 'read' },
      ],
      senders: [
        { name: 'mail', type: 'smtp', url: 'smtp://mailer:hunter2-secret@127.0.0.1:2525' },
        {
          name: 'sms',
          type: 'http',
          url: 'https://gw.example/api/send?api_key=k-secret-1&from=Shop',
          method: 'POST',
          auth: { basic: { user: 'shop', password: 'basic-secret-2' } },
          headers: { 'X-Key': 'header-secret-3', 'X-Customer': '{lead.CRM_ID}' },
          query: { token: 'query-secret-4', lang: 'en' },
          rate_per_second: 5,
        },
        { name: 'box', type: 'file', dir: './data/outbox' },
      ],
      databases: [],
      resources: [],
      templates: [],
      triggers: [],
    },
    {
      id: 2,
      name: 'Other',
      tokens: [{ token: OTHER, role: 'write' }],
      senders: [],
      databases: [],
      resources: [],
      templates: [],
      triggers: [],
    },
  ],
};

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ provisionObject: provision });
});
afterAll(() => h.close());

describe('account/get', () => {
  it("answers the calling account's id and name, to read tokens too", async () => {
    expect((await h.post('account/get', { token: WRITE })).json).toEqual({
      error: 0,
      error_text: 'Successful operation',
      data: { id: 1, name: 'Shop & Co' },
    });
    expect((await h.post('account/get', { token: READ })).json.data).toEqual({ id: 1, name: 'Shop & Co' });
    expect((await h.post('account/get', { token: OTHER })).json.data).toEqual({ id: 2, name: 'Other' });
    expect((await h.post('account/get', {})).status).toBe(401);
  });
});

describe('senders/list', () => {
  it('lists the senders by name with their settings, every secret masked', async () => {
    const res = await h.post('senders/list', { token: READ });
    expect(res.status).toBe(200);
    expect(res.body).not.toMatch(/secret/);
    expect(res.json.data).toEqual([
      { name: 'box', type: 'file', settings: { dir: './data/outbox' } },
      { name: 'mail', type: 'smtp', settings: { url: 'smtp://mailer:••••••@127.0.0.1:2525' } },
      {
        name: 'sms',
        type: 'http',
        settings: {
          url: 'https://gw.example/api/send?api_key=••••••&from=Shop',
          rate_per_second: '5',
          'headers.X-Key': '••••••',
          'headers.X-Customer': '••••••',
          'request.method': 'POST',
          'request.basic_auth': 'shop:••••••',
          'request.query.token': '••••••',
          'request.query.lang': 'en',
        },
      },
    ]);
  });

  it('shows an account only its own senders', async () => {
    expect((await h.post('senders/list', { token: OTHER })).json.data).toEqual([]);
  });
});
