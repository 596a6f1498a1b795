// Answers shaped as Altcraft's published pages, through real HTTP on the store under test (SQLite,
// or PostgreSQL with HERALD_TEST_STORE=postgres): profiles/delete's profile_id, campaigns/get_status,
// the trigger list's type/for_confirm/groups, resources' channels and dbs_ids, next_from_id, the
// log_v2 vocabulary, email_data in subscriptions, and templates of several channels — stored,
// answered as `channels: [{id, sid, fields}]` and rendered for the channel a trigger sends on.
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CatalogCache } from '../../src/core/catalog/cache.js';
import { defaultRetryPolicy } from '../../src/core/delivery/retry.js';
import { SenderPool } from '../../src/core/delivery/sender-pool.js';
import { DeliveryWorker } from '../../src/core/delivery/worker.js';
import { createSender } from '../../src/senders/factory.js';
import { deliveryProvision } from '../helpers/delivery-provision.js';
import { startHarness, TOKEN, type Harness, type Response } from '../helpers/harness.js';
import { startHttpReceiver, type HttpReceiver } from '../helpers/http-receiver.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';

let h: Harness;
let sink: SmtpSink;
let gateway: HttpReceiver;
let senders: SenderPool;
let worker: DeliveryWorker;

beforeAll(async () => {
  sink = await startSmtpSink();
  gateway = await startHttpReceiver();
  h = await startHarness({ provisionObject: deliveryProvision({ smtpUrl: sink.url, httpUrl: gateway.url }) });
  senders = new SenderPool(createSender);
  worker = new DeliveryWorker(
    { store: h.store, clock: h.clock, catalogs: new CatalogCache(h.store), senders, log: pino({ level: 'silent' }) },
    {
      batchSize: 50,
      leaseMs: 60_000,
      pollMs: 1000,
      concurrency: 1,
      retry: defaultRetryPolicy,
      publicUrl: 'http://x',
      secret: 's',
    },
  );
});
afterAll(async () => {
  await senders.close();
  await h.close();
  await Promise.all([sink.close(), gateway.close()]);
});

async function ok(method: string, body: Record<string, unknown>): Promise<Response> {
  const res = await h.post(method, { token: TOKEN, ...body });
  expect(res.status, res.body).toBe(200);
  expect(res.json.error).toBe(0);
  return res;
}
const data = async (method: string, body: Record<string, unknown>) =>
  (await ok(method, body)).json.data as Record<string, unknown>;

async function refused(
  method: string,
  body: Record<string, unknown>,
  code: number,
  debug: string | RegExp,
): Promise<void> {
  const res = await h.post(method, { token: TOKEN, ...body });
  expect(res.status, res.body).toBe(code);
  expect(res.json.error).toBe(code);
  if (typeof debug === 'string') expect(res.json.error_debug).toBe(debug);
  else expect(String(res.json.error_debug)).toMatch(debug);
}

const MAIN = [{ id: 0, name: 'main' }];

describe('profiles', () => {
  it('profiles/delete answers data.profile_id, the id of the profile deleted', async () => {
    const imported = (await ok('profiles/import', { db_id: 1, data: { email: 'gone@example.com' } })).json.profile_id;
    expect(imported).toEqual(expect.any(String));
    const res = await ok('profiles/delete', { db_id: 1, matching: 'email', email: 'gone@example.com' });
    expect(res.json).toEqual({ error: 0, error_text: 'Successful operation', data: { profile_id: imported } });
    const xml = await h.post(
      'profiles/delete',
      `<xml><token>${TOKEN}</token><db_id>1</db_id><email>gone@example.com</email></xml>`,
      { contentType: 'application/xml' },
    );
    expect(xml.status).toBe(404);
  });

  it('profiles/get: each subscription carries its channel data object beside the flat fields', async () => {
    const subscriptions = [
      { channel: 'email', email: 'Mixed.Case@Example.com', resource_id: 21 },
      { channel: 'sms', phone: '+79001234567', resource_id: 21 },
      { channel: 'push', provider: 'Firefox', subscription_id: 'https://push.example/abc', resource_id: 21 },
    ];
    await ok('profiles/import', { db_id: 1, data: { email: 'Mixed.Case@Example.com', subscriptions } });
    const profile = await data('profiles/get', { db_id: 1, email: 'Mixed.Case@Example.com' });
    const subs = profile.subscriptions as Record<string, unknown>[];
    const email = subs.find((s) => s.channel === 'email');
    expect(email?.email_data).toEqual({
      email: email?.email,
      domain: 'example.com',
      md5: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    // md5 of the lower-cased address, as the profile's own _md5.
    expect((email?.email_data as { md5: string }).md5).toBe(profile._md5);
    expect(email).toMatchObject({ is_delete: false, resource_id: 21, status: 0 });
    expect(subs.find((s) => s.channel === 'sms')).toMatchObject({
      phone: '+79001234567',
      sms_data: { phone: '+79001234567' },
      is_delete: false,
    });
    expect(subs.find((s) => s.channel === 'push')).toMatchObject({
      provider: 'Firefox',
      push_data: { provider: 'Firefox', subscription_id: 'https://push.example/abc' },
    });
  });
});

describe('campaigns', () => {
  it('campaigns/get_status: is_active, is_completed (never, for a trigger) and the status word', async () => {
    expect((await ok('campaigns/get_status', { id: 96 })).json).toEqual({
      error: 0,
      error_text: 'Successful operation',
      data: { is_active: true, is_completed: false, status: 'Active' },
    });
    await ok('campaigns/deactivate', { id: 85 });
    expect(await data('campaigns/get_status', { id: 85 })).toEqual({
      is_active: false,
      is_completed: false,
      status: 'Inactive',
    });
    await refused('campaigns/get_status', { id: 4242 }, 404, 'trigger 4242 not found');
    await refused('campaigns/get_status', {}, 400, 'id: is required');
  });

  it('triggers list and get: type, for_confirm and groups as the page shows', async () => {
    const list = await ok('campaigns/triggers/list', { limit: 2 });
    const items = list.json.data as Record<string, unknown>[];
    expect(items).toHaveLength(2);
    for (const t of items)
      expect(t).toMatchObject({
        type: t.trigger_type,
        for_confirm: false,
        groups: MAIN,
        is_active: expect.any(Boolean),
        ui_tags: [],
      });
    expect(await data('campaigns/triggers/get', { id: 97 })).toMatchObject({
      id: 97,
      type: 'api_call',
      for_confirm: false,
      groups: MAIN,
    });
  });

  it('campaigns/log_v2: upper-case levels, state start for a launch, value a string; the event in Herald’s field', async () => {
    await ok('campaigns/triggers/import_and_start', {
      trigger_id: 99,
      data: {
        email: 'later@example.com',
        subscriptions: [{ channel: 'email', email: 'later@example.com', resource_id: 21 }],
      },
    });
    const entries = (await ok('campaigns/log_v2', { id: 99 })).json.data as Record<string, unknown>[];
    expect(entries[0]).toEqual({
      time: expect.any(String),
      level: 'INFO',
      message: 'launched (API) for 1 message(s)',
      state: 'start',
      value: '1',
      event: 'launch',
    });
    await ok('campaigns/deactivate', { id: 99, abort_if_running: true });
    const after = (await ok('campaigns/log_v2', { id: 99 })).json.data as Record<string, unknown>[];
    expect(after.find((e) => e.event === 'cancelled')).toMatchObject({
      level: 'WARNING',
      state: '',
      value: expect.stringMatching(/^\d+$/),
    });
  });
});

describe('paging by id: next_from_id', () => {
  it('databases/list answers the from_id of the next page; an empty page answers the one asked for', async () => {
    await ok('databases/add', { name: 'Second' });
    await ok('databases/add', { name: 'Third' });
    const first = await ok('databases/list', { limit: 2 });
    const ids = (first.json.data as { id: number }[]).map((d) => d.id);
    expect(ids).toHaveLength(2);
    expect(first.json.next_from_id).toBe(ids[1] + 1);
    const next = await ok('databases/list', { from_id: first.json.next_from_id, limit: 2 });
    expect((next.json.data as { id: number }[]).every((d) => d.id > ids[1])).toBe(true);
    const past = await ok('databases/list', { from_id: 100000 });
    expect(past.json).toMatchObject({ data: [], total_count: first.json.total_count, next_from_id: 100000 });
    const xml = await h.post('databases/list', `<xml><token>${TOKEN}</token><limit>1</limit></xml>`, {
      contentType: 'application/xml',
    });
    expect(xml.body).toMatch(/<next_from_id>2<\/next_from_id><\/xml>$/);
  });

  it('resources/list and templates/list too', async () => {
    expect((await ok('resources/list', { limit: 1 })).json.next_from_id).toBe(22);
    expect((await ok('templates/list', { limit: 1 })).json.next_from_id).toBe(6);
  });
});

describe('resources: channels as names, dbs_ids, the settings in channel_settings', () => {
  it('get answers the page’s shape; the answer sent back to update changes nothing', async () => {
    const r = await data('resources/get', { id: 21 });
    expect(r).toMatchObject({ id: 21, channels: ['email', 'sms', 'push'], dbs_ids: [1], groups: MAIN });
    expect(r.channel_settings).toMatchObject({
      email: { sender: 'mail', from_email: 'shop@example.com' },
      sms: { sender: 'sms-gw' },
    });
    expect(await data('resources/update', { ...r })).toEqual(r);
  });

  it('add and update take dbs_ids, and channels as names with channel_settings; a name without settings is a 400', async () => {
    const r = await data('resources/add', {
      name: 'Names',
      dbs_ids: [1],
      channels: ['sms'],
      channel_settings: { sms: { sender: 'sms-gw' } },
    });
    expect(r).toMatchObject({ channels: ['sms'], dbs_ids: [1], channel_settings: { sms: { sender: 'sms-gw' } } });
    // A listed channel keeps its settings; one not listed goes.
    await ok('resources/update', {
      id: r.id,
      channel_settings: { sms: { sender: 'sms-gw' }, push: { sender: 'push-gw' } },
    });
    expect(await data('resources/update', { id: r.id, channels: ['push'] })).toMatchObject({
      channels: ['push'],
      channel_settings: { push: { sender: 'push-gw' } },
    });
    await refused(
      'resources/update',
      { id: r.id, channels: ['email'] },
      400,
      'channels: channel email has no settings: send them in channel_settings.email',
    );
    await refused('resources/add', { name: 'x', channels: ['fax'] }, 400, /^channels\[0\]: must be one of/);
    const xml = await h.post(
      'resources/add',
      `<xml><token>${TOKEN}</token><name>X</name><dbs_ids>1</dbs_ids><channels>sms</channels><channel_settings><sms><sender>sms-gw</sender></sms></channel_settings></xml>`,
      {
        contentType: 'application/xml',
      },
    );
    expect(xml.body).toMatch(
      /<channels>sms<\/channels><dbs_ids>1<\/dbs_ids><channel_settings><sms><sender>sms-gw<\/sender><\/sms><\/channel_settings>/,
    );
  });
});

describe('templates of several channels', () => {
  const channels = [
    {
      sid: 'email',
      fields: {
        subject: 'Hello {lead._fname}',
        html: '<p>Mail for {lead._fname}</p>',
        text: 'Mail for {lead._fname}',
        from_email: '',
      },
    },
    { sid: 'sms', fields: { sms: 'Sms for {lead._fname}' } },
    { sid: 'push', fields: { title: 'Push', body: 'Push for {lead._fname}', click_url: 'https://shop.example/x' } },
  ];

  it('add in Altcraft’s form (data.saved_id); get answers channels [{id, sid, fields}], list their names', async () => {
    const t = await data('templates/add', { name: 'Multi', descr: 'three channels', channels });
    const expected = {
      id: t.id,
      name: 'Multi',
      description: 'three channels',
      channels: [
        {
          id: 1,
          sid: 'email',
          fields: {
            subject: 'Hello {lead._fname}',
            html: '<p>Mail for {lead._fname}</p>',
            text: 'Mail for {lead._fname}',
          },
        },
        { id: 2, sid: 'sms', fields: { sms: 'Sms for {lead._fname}' } },
        {
          id: 3,
          sid: 'push',
          fields: { title: 'Push', body: 'Push for {lead._fname}', click_url: 'https://shop.example/x' },
        },
      ],
      groups: MAIN,
    };
    expect(t).toEqual({ ...expected, saved_id: t.id });
    expect(await data('templates/get', { id: t.id })).toEqual(expected);
    for (const channel of ['email', 'sms', 'push']) {
      const list = (await ok('templates/list', { channel, from_id: t.id, limit: 1 })).json.data;
      expect(list).toEqual([
        { id: t.id, name: 'Multi', description: 'three channels', channels: ['email', 'sms', 'push'], groups: MAIN },
      ]);
    }
    // The answer sent back to update changes nothing.
    expect(await data('templates/update', { ...expected })).toEqual(expected);
  });

  it('checks each channel, names it, and refuses a channel twice or both forms at once', async () => {
    await refused(
      'templates/add',
      {
        name: 'x',
        channels: [
          { sid: 'email', fields: { html: '<p/>' } },
          { sid: 'sms', fields: { sms: 'x' } },
        ],
      },
      400,
      'channels.email.subject: an email template needs a subject',
    );
    await refused(
      'templates/add',
      {
        name: 'x',
        channels: [
          { sid: 'sms', fields: { sms: 'a' } },
          { sid: 'sms', fields: { sms: 'b' } },
        ],
      },
      400,
      'channels[1].sid: channel sms is given twice',
    );
    await refused(
      'templates/add',
      { name: 'x', channel: 'sms', text: 'a', channels: [{ sid: 'sms', fields: { sms: 'b' } }] },
      400,
      'channels: send the channels, or one channel with its parts, not both',
    );
    await refused(
      'templates/add',
      { name: 'x', channels: [{ sid: 'sms', fields: { sms: 'Hi {leed.x}' } }] },
      400,
      /^text: .*\{leed\.x\}/,
    );
    await refused('templates/add', { name: 'x' }, 400, 'channels: is required (or channel with its parts)');
    await refused('templates/add', { name: 'x', channels: [] }, 400, 'channels: must not be empty');
  });

  it('update: the shorthand names the channel it changes on a template of several; channels replaces them', async () => {
    const t = await data('templates/add', { name: 'Two', channels: channels.slice(0, 2) });
    await refused(
      'templates/update',
      { id: t.id, text: 'x' },
      400,
      'channel: is required: this template has several channels, name the one to change',
    );
    const sms = await data('templates/update', { id: t.id, channel: 'sms', text: 'New sms' });
    expect(sms.channels).toEqual([
      expect.objectContaining({ sid: 'email' }),
      { id: 2, sid: 'sms', fields: { sms: 'New sms' } },
    ]);
    const pushAdded = await data('templates/update', { id: t.id, channel: 'push', title: 'Added' });
    expect((pushAdded.channels as { sid: string }[]).map((c) => c.sid)).toEqual(['email', 'sms', 'push']);
    const replaced = await data('templates/update', {
      id: t.id,
      channels: [{ sid: 'push', fields: { title: 'Only' } }],
    });
    expect(replaced.channels).toEqual([{ id: 3, sid: 'push', fields: { title: 'Only' } }]);
  });

  it('a trigger may name a template only for a channel the template has; removing that channel is refused', async () => {
    const t = await data('templates/add', { name: 'Mail and sms', channels: channels.slice(0, 2) });
    await ok('campaigns/triggers/update', { id: 97, content: [{ message_id: t.id }] });
    await refused(
      'campaigns/triggers/update',
      { id: 98, content: [{ message_id: t.id }] },
      400,
      /template \d+ is for email, sms, the trigger sends push/,
    );
    await refused(
      'templates/update',
      { id: t.id, channels: [channels[0]] },
      400,
      /trigger 97 \(SMS\) would become invalid: content\[0\]\.message_id: template \d+ is for email, the trigger sends sms/,
    );
    await ok('campaigns/triggers/update', { id: 97, content: [{ message_id: 6 }] });
  });

  it('renders the content of the channel each trigger sends on', async () => {
    const t = await data('templates/add', { name: 'Rendered', channels });
    await ok('campaigns/triggers/update', { id: 96, content: [{ message_id: t.id }] });
    await ok('campaigns/triggers/update', { id: 97, content: [{ message_id: t.id }] });
    const subscriptions = [
      { channel: 'email', email: 'ann@example.com', resource_id: 21 },
      { channel: 'sms', phone: '+79005550011', resource_id: 21 },
    ];
    const profile = { email: 'ann@example.com', _fname: 'Ann', subscriptions };
    await ok('campaigns/triggers/import_and_start', { trigger_id: 96, data: profile });
    await ok('campaigns/triggers/import_and_start', { trigger_id: 97, data: profile });
    await worker.tick();
    const mail = sink.mails.find((m) => m.envelopeTo.includes('ann@example.com'));
    expect(mail?.parsed.subject).toBe('Hello Ann');
    expect(mail?.parsed.text?.trim()).toBe('Mail for Ann');
    const sms = gateway.requests.filter((r) => r.path === '/sms').map((r) => r.json as { to: string; text: string });
    expect(sms).toEqual([expect.objectContaining({ to: '+79005550011', text: 'Sms for Ann' })]);
  });

  it('the single-channel form still works: add, get, update', async () => {
    const t = await data('templates/add', {
      name: 'Short',
      channel: 'push',
      title: 'T',
      text: 'Body',
      url: 'https://u',
      image: 'https://i',
    });
    expect(t.channels).toEqual([
      { id: 3, sid: 'push', fields: { title: 'T', body: 'Body', click_url: 'https://u', image: 'https://i' } },
    ]);
    expect((await data('templates/update', { id: t.id, text: 'New body' })).channels).toEqual([
      { id: 3, sid: 'push', fields: { title: 'T', body: 'New body', click_url: 'https://u', image: 'https://i' } },
    ]);
  });
});
