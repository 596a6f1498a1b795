// Each documented example request of each method Herald implements, sent as Altcraft's API page
// shows it (fixtures.ts), and the answer checked for the shape the page documents: the envelope,
// the payload key, and the documented fields with their types. docs/COMPATIBILITY.md is the table
// of methods, pages and the differences that remain. Runs on SQLite, and on PostgreSQL with
// HERALD_TEST_STORE=postgres.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness, type Response } from '../helpers/harness.js';
import { fixtures as f, PROFILE, TOKEN, xmlFixtures as x } from './fixtures.js';

const OK = { error: 0, error_text: 'Successful operation' };
const PROFILE_ID = expect.stringMatching(/^[0-9a-f]{24}$/);

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  expect((await h.post('profiles/import', PROFILE)).json.error).toBe(0);
});
afterAll(() => h.close());

/** POSTs to the method's URL as the page writes it (some pages end it with a slash). */
async function send(path: string, body: unknown): Promise<Response> {
  return h.post(path, body);
}

function ok(res: Response): Record<string, unknown> {
  expect(res.status).toBe(200);
  expect(res.json).toMatchObject(OK);
  return res.json;
}

describe('trigger launches', () => {
  it('campaigns/triggers/start/ answers result: the profile ids launched', async () => {
    const body = ok(await send('campaigns/triggers/start/', f.start));
    expect(body.result).toEqual([{ profile_id: PROFILE_ID }]);
  });

  it('campaigns/triggers/start takes the campaign id as a string, with content and custom_data', async () => {
    const body = ok(await send('campaigns/triggers/start', f.startStringId));
    expect(body.result).toEqual([{ profile_id: PROFILE_ID }]);
  });

  it("campaigns/triggers/start with the page's subscription_filter (an empty email, not_strict)", async () => {
    const body = ok(await send('campaigns/triggers/start', f.startSubscriptionFilter));
    expect(body.result).toEqual([{ profile_id: PROFILE_ID }]);
  });

  it('campaigns/triggers/start with custom_request launches for every match', async () => {
    const body = ok(await send('campaigns/triggers/start', f.startCustomRequest));
    expect(body.result).toEqual([{ profile_id: PROFILE_ID }]);
  });

  it('campaigns/triggers/import_and_start answers profile_id (timeout, content, one attached file)', async () => {
    const body = ok(await send('campaigns/triggers/import_and_start', f.importAndStart));
    expect(body.profile_id).toEqual(PROFILE_ID);
    const messages = ok(await send('messages/list', { token: TOKEN, profile_id: body.profile_id }));
    const [message] = messages.data as { due_at: string }[];
    expect(Date.parse(message.due_at) - h.clock.now()).toBe(5 * 60_000);
  });

  it('campaigns/triggers/import_and_start_batch answers result with one profile_id per item', async () => {
    const body = ok(await send('campaigns/triggers/import_and_start_batch', f.importAndStartBatch));
    expect(body.result).toEqual([{ profile_id: PROFILE_ID }, { profile_id: PROFILE_ID }]);
    expect(body.errors).toBeUndefined();
    const lambert = ok(await send('profiles/get', { token: TOKEN, db_id: 1, email: 'profile4@example.com' }));
    expect(lambert.data).toMatchObject({ _lname: 'Lambert', phones: ['+79000000004'] });
  });

  it('campaigns/triggers/start_batch (email) answers result, and errors for the profile not found', async () => {
    const body = ok(await send('campaigns/triggers/start_batch', f.startBatchEmail));
    expect(body.result).toEqual([{ profile_id: PROFILE_ID }]);
    expect(body.errors).toEqual([expect.objectContaining({ index: 1, error: 404 })]);
  });

  it('campaigns/triggers/start_batch in XML as the page shows it', async () => {
    const res = await send('campaigns/triggers/start_batch', x.startBatchEmail);
    expect(res.status).toBe(200);
    expect(res.body).toMatch(
      /^<xml><error>0<\/error><error_text>Successful operation<\/error_text><result><profile_id>[0-9a-f]{24}<\/profile_id><\/result>/,
    );
  });

  it('campaigns/triggers/start_batch (custom field) launches the profile holding the value', async () => {
    ok(
      await send('profiles/import', {
        token: TOKEN,
        db_id: 1,
        matching: 'custom',
        field_name: 'Custom_ID',
        field_value: 'C-1',
        data: { Custom_ID: 'C-1', email: 'custom1@example.com' },
      }),
    );
    const body = ok(await send('campaigns/triggers/start_batch', f.startBatchCustom));
    expect(body.result).toEqual([{ profile_id: PROFILE_ID }]);
  });

  it('the *_task variants answer data.task_id, and tasks/status reports it', async () => {
    for (const [method, req] of [
      ['campaigns/triggers/start_batch_task', f.startBatchTask],
      ['campaigns/triggers/start_batch_task', f.startBatchTaskById],
      ['campaigns/triggers/import_and_start_batch_task', f.importAndStartBatchTask],
      ['campaigns/triggers/import_and_start_batch_task', f.importAndStartBatchTaskNoDb],
    ] as const) {
      const body = ok(await send(method, req));
      const { task_id } = body.data as { task_id: string };
      expect(task_id).toMatch(/^task_/);
      const status = ok(await send('tasks/status', { token: TOKEN, task_id }));
      expect(status.data).toMatchObject({
        status: expect.stringMatching(/^(pending|running|completed)$/),
        progress: expect.any(Number),
      });
    }
  });
});

describe('trigger campaigns', () => {
  it('campaigns/triggers/get answers the documented fields', async () => {
    const body = ok(await send('campaigns/triggers/get', f.triggerGet));
    expect(body.data).toMatchObject({
      id: 96,
      name: expect.any(String),
      is_active: true,
      trigger_type: 'api_call',
      send_channel: 'email',
      resource_id: 21,
      list_id: 1,
      skip_minutes: 0,
      subid: expect.any(String),
      push_sending_mode: expect.any(String),
      content: [expect.objectContaining({ message_id: 5 })],
    });
  });

  // As the page shows it: the trigger view gains `for_confirm` (with `type` and `groups`).
  it('campaigns/triggers/get answers for_confirm', async () => {
    const body = ok(await send('campaigns/triggers/get', f.triggerGet));
    expect(body.data).toMatchObject({ for_confirm: expect.any(Boolean) });
  });

  it('campaigns/triggers/get in XML as the page shows it', async () => {
    const res = await send('campaigns/triggers/get', x.triggerGet);
    expect(res.status).toBe(200);
    expect(res.body).toContain('<data><id>96</id>');
  });

  it('campaigns/triggers/add/ takes content entries with empty sender overrides, and descr for the description', async () => {
    const body = ok(await send('campaigns/triggers/add/', f.triggerAdd));
    expect(body.data).toMatchObject({
      id: expect.any(Number),
      name: 'New Awesome Campaign',
      subid: 'Adv_1',
      description: 'Sent when the weather turns',
      send_channel: 'email',
      is_active: false,
    });
    const content = (body.data as { content: Record<string, unknown>[] }).content;
    expect(content).toEqual([expect.objectContaining({ message_id: 5, subject: 'Weather alert' })]);
    const id = (body.data as { id: number }).id;
    const updated = ok(await send('campaigns/triggers/update', { token: TOKEN, id, descr: 'Sent on storms' }));
    expect(updated.data).toMatchObject({ id, description: 'Sent on storms', subid: 'Adv_1' });
  });

  it('campaigns/triggers/clone answers data.saved_id', async () => {
    const body = ok(await send('campaigns/triggers/clone', f.triggerClone));
    expect(body.data).toEqual({ saved_id: expect.any(Number) });
  });

  it('campaigns/deactivate and campaigns/activate answer data: null (id and flag as strings, JSON and XML)', async () => {
    expect(ok(await send('campaigns/deactivate', f.deactivate)).data).toBeNull();
    expect(ok(await send('campaigns/activate', f.activate)).data).toBeNull();
    const res = await send('campaigns/deactivate', x.deactivate);
    expect(res.status).toBe(200);
    expect(res.body).toContain('<error>0</error>');
    expect(ok(await send('campaigns/activate', f.activate)).data).toBeNull();
  });

  // The v72 Activate campaign page also documents launch options of regular campaigns (run_now,
  // override_source_*): sent to a trigger they are accepted and ignored, JSON and XML (`<data/>`).
  it("campaigns/activate with the v72 page's run_now and override_source_* answers data: null", async () => {
    expect(ok(await send('campaigns/deactivate', f.deactivate)).data).toBeNull();
    expect(ok(await send('campaigns/activate', f.activateRunNow)).data).toBeNull();
    const res = await send('campaigns/activate', x.activateRunNow);
    expect(res.body).toBe('<xml><error>0</error><error_text>Successful operation</error_text><data/></xml>');
    const trigger = ok(await send('campaigns/triggers/get', f.triggerGet));
    expect(trigger.data).toMatchObject({ is_active: true, list_id: 1 });
  });
});

describe('profiles', () => {
  it('profiles/import answers profile_id', async () => {
    expect(ok(await send('profiles/import', f.profileImport)).profile_id).toEqual(PROFILE_ID);
  });

  it('profiles/update answers profile_id', async () => {
    expect(ok(await send('profiles/update', f.profileUpdate)).profile_id).toEqual(PROFILE_ID);
  });

  it('profiles/get answers the profile data object with its subscriptions', async () => {
    const body = ok(await send('profiles/get', f.profileGet));
    expect(body.data).toMatchObject({
      id: PROFILE_ID,
      email: 'zaycev@example.com',
      _fname: 'Ivan',
      subscriptions: [expect.objectContaining({ channel: 'email', resource_id: 21, status: 0, priority: 0 })],
    });
  });

  // As the page shows it: subscriptions carry `email_data`.
  it('profiles/get subscriptions carry email_data', async () => {
    const body = ok(await send('profiles/get', f.profileGet));
    expect((body.data as { subscriptions: Record<string, unknown>[] }).subscriptions[0]).toHaveProperty('email_data');
  });

  // The Profile data object page's example sent as it is, and read back typed as Altcraft's pages answer it:
  // dates as RFC 3339 date-times (the Get profile data page's `_bdate`), `_sex` and `_postal_code` as
  // strings (the Types of fields in the database page), `_status` an int.
  it('profiles/get answers the Profile data object example typed as the pages document', async () => {
    ok(await send('profiles/import', f.profileDataObject));
    const body = ok(await send('profiles/get', { token: TOKEN, db_id: 1, email: 'olly@example.com' }));
    const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
    expect(body.data).toMatchObject({
      _bdate: expect.stringMatching(RFC3339),
      _regdate: expect.stringMatching(RFC3339),
      _createtime: expect.stringMatching(RFC3339),
      _postal_code: '390000',
      _status: 0,
      _tz: 'Europe/Moscow',
      phones: ['+79000000000'],
    });
    expect((body.data as { _bdate: string })._bdate).toBe('1990-02-22T21:00:00.000Z');
    // `_sex: 0` is "not set": the field is absent, never an int.
    expect(body.data).not.toHaveProperty('_sex');
  });

  it('profiles/import_batch answers result for wrapped items', async () => {
    expect(ok(await send('profiles/import_batch', f.importBatchWrapped)).result).toEqual([{ profile_id: PROFILE_ID }]);
  });

  // As the page shows it: flat items, as the import_batch page shows them.
  it('profiles/import_batch takes flat items', async () => {
    const body = ok(await send('profiles/import_batch', f.importBatchFlat));
    expect(body.result).toEqual([{ profile_id: PROFILE_ID }]);
    expect(body.errors).toBeUndefined();
  });

  // As the page shows it: the answer names the deleted profile.
  it('profiles/delete answers data.profile_id', async () => {
    const before = ok(await send('profiles/get', f.profileGet));
    const body = ok(await send('profiles/delete', f.profileDelete));
    expect(body.data).toEqual({ profile_id: (before.data as { id: string }).id });
  });
});

describe('databases', () => {
  it('databases/list/ answers data and total_count', async () => {
    const body = ok(await send('databases/list/', f.databasesList));
    expect(body.data).toEqual([expect.objectContaining({ id: 1, name: 'Customers' })]);
    expect(body.total_count).toBe(1);
  });

  // As the page shows it: the list answers `next_from_id`.
  it('databases/list answers next_from_id', async () => {
    const body = ok(await send('databases/list/', f.databasesList));
    expect(body.next_from_id).toEqual(expect.any(Number));
  });

  it('databases/get/ answers id, name, description (JSON and XML with a prolog)', async () => {
    const body = ok(await send('databases/get/', f.databasesGet));
    expect(body.data).toMatchObject({ id: 1, name: 'Customers', description: expect.any(String) });
    const res = await send('databases/get/', x.databasesGet);
    expect(res.status).toBe(200);
    expect(res.body).toContain('<data><id>1</id><name>Customers</name>');
  });

  it('databases/fields_get answers the fields with name and type', async () => {
    const body = ok(await send('databases/fields_get', f.databasesFields));
    const fields = body.data as { name: string; type: string }[];
    expect(fields.map((x) => x.name)).toEqual(
      expect.arrayContaining(['email', 'phones', '_fname', '_lname', 'CRM_ID', 'Custom_ID']),
    );
    for (const field of fields) expect(field).toMatchObject({ name: expect.any(String), type: expect.any(String) });
  });
});

describe('resources', () => {
  it('resources/list answers data, total_count and next_from_id (JSON and XML)', async () => {
    const body = ok(await send('resources/list', f.resourcesList));
    expect(body.data).toEqual([expect.objectContaining({ id: 21, name: 'Main' })]);
    expect(body.total_count).toBe(1);
    expect(body.next_from_id).toBe(22);
    const res = await send('resources/list', x.resourcesList);
    expect(res.body).toContain('<next_from_id>22</next_from_id>');
  });

  it('resources/get answers id and name', async () => {
    const body = ok(await send('resources/get', f.resourcesGet));
    expect(body.data).toMatchObject({ id: 21, name: 'Main' });
  });

  // As the page shows it: `channels` as an array of names and `dbs_ids`.
  it('resources/get answers channels as names and dbs_ids', async () => {
    const body = ok(await send('resources/get', f.resourcesGet));
    expect(body.data).toMatchObject({ channels: expect.arrayContaining(['email']), dbs_ids: [1] });
  });
});

describe('templates', () => {
  it('templates/list answers data and total_count', async () => {
    const body = ok(await send('templates/list', f.templatesList));
    expect(body.data).toEqual([expect.objectContaining({ id: 5, name: 'Welcome' })]);
    expect(body.total_count).toBe(1);
  });

  // As the page shows it: the items' channels are names; templates/get answers their fields.
  it('templates/list answers the channels as names (JSON and XML)', async () => {
    const body = ok(await send('templates/list', f.templatesList));
    expect((body.data as { channels: unknown }[])[0].channels).toEqual(['email']);
    const xml = await send('templates/list', x.templatesList);
    expect(xml.body).toContain('<channels>email</channels>');
    expect(xml.body).not.toContain('<sid>');
  });

  it('templates/get answers id and name', async () => {
    const body = ok(await send('templates/get', f.templatesGet));
    expect(body.data).toMatchObject({ id: 5, name: 'Welcome' });
  });

  // As the page shows it: a template carries several channels.
  it('templates/get answers channels: [{id, sid, fields}]', async () => {
    const body = ok(await send('templates/get', f.templatesGet));
    expect(body.data).toMatchObject({
      channels: [
        expect.objectContaining({ sid: 'email', fields: expect.objectContaining({ subject: expect.any(String) }) }),
      ],
    });
  });

  // The current Get template info page (English and Russian) adds `channel_sid`: only those channels are answered.
  it('templates/get with channel_sid answers only the channels named', async () => {
    const added = ok(
      await send('templates/add', {
        token: TOKEN,
        name: 'Two channels',
        channels: [
          { sid: 'email', fields: { subject: 'Hi', text: 'Hi' } },
          { sid: 'sms', fields: { sms: 'Hi' } },
        ],
      }),
    );
    const id = (added.data as { id: number }).id;
    const both = ok(await send('templates/get', { ...f.templatesGetChannelSid, id }));
    expect((both.data as { channels: { sid: string }[] }).channels.map((c) => c.sid)).toEqual(['email', 'sms']);
    const sms = ok(await send('templates/get', { token: TOKEN, id, channel_sid: ['sms'] }));
    expect((sms.data as { channels: { sid: string }[] }).channels.map((c) => c.sid)).toEqual(['sms']);
    const xml = await send(
      'templates/get',
      `<xml><token>${TOKEN}</token><id>${id}</id><channel_sid>sms</channel_sid></xml>`,
    );
    expect(xml.body).toContain('<sid>sms</sid>');
    expect(xml.body).not.toContain('<sid>email</sid>');
    await send('templates/delete', { token: TOKEN, id });
  });

  // The current page's get_variable: the answer adds `params`, the variables the template uses.
  it('templates/get with get_variable answers params, the variables of the channels answered', async () => {
    const body = ok(await send('templates/get', f.templatesGetChannelSid));
    expect(body.data).toMatchObject({ params: ['lead._fname', 'lead._lname', 'apicontent.page', 'unsubscribe'] });
    const plain = ok(await send('templates/get', f.templatesGet));
    expect(plain.data).not.toHaveProperty('params');
    const none = ok(await send('templates/get', { ...f.templatesGetChannelSid, channel_sid: ['sms'] }));
    expect(none.data).toMatchObject({ channels: [], params: [] });
    const xml = await send(
      'templates/get',
      `<xml><token>${TOKEN}</token><id>5</id><get_variable>true</get_variable></xml>`,
    );
    expect(xml.body).toContain('<params>unsubscribe</params>');
  });

  // As the page shows it: the answer names the new template's id `saved_id`.
  it('templates/add answers data.saved_id, the new template', async () => {
    const body = ok(await send('templates/add', f.templatesAdd));
    const data = body.data as { id: number; saved_id: number; description: string };
    expect(data.saved_id).toEqual(expect.any(Number));
    expect(data).toMatchObject({ id: data.saved_id, name: 'Order confirmation', description: 'Sent after checkout' });
    const got = ok(await send('templates/get', { token: TOKEN, id: data.saved_id }));
    expect(got.data).toMatchObject({ channels: [{ sid: 'email', fields: { subject: 'Your order' } }] });
    expect(got.data).not.toHaveProperty('saved_id');
    await send('templates/delete', { token: TOKEN, id: data.saved_id });
  });

  it('templates/delete answers data: the deleted template id (JSON and XML)', async () => {
    const added = ok(
      await send('templates/add', { token: TOKEN, name: 'Spare', channel: 'email', subject: 'Hi', text: 'Hi' }),
    );
    const id = (added.data as { id: number }).id;
    expect(ok(await send('templates/delete', { token: TOKEN, id })).data).toBe(id);
    const again = ok(
      await send('templates/add', { token: TOKEN, name: 'Spare', channel: 'email', subject: 'Hi', text: 'Hi' }),
    );
    const id2 = (again.data as { id: number }).id;
    const res = await send('templates/delete', `<xml><token>${TOKEN}</token><id>${id2}</id></xml>`);
    expect(res.body).toContain(`<data>${id2}</data>`);
  });
});

describe('campaign status and log', () => {
  it('campaigns/log_v2 answers data and total_count', async () => {
    const body = ok(await send('campaigns/log_v2', f.campaignLog));
    expect(Array.isArray(body.data)).toBe(true);
    expect(body.total_count).toEqual(expect.any(Number));
  });

  it("campaigns/log_v2 with from_time and limit answers at most limit entries of the page's shape", async () => {
    const body = ok(await send('campaigns/log_v2', f.campaignLogFrom));
    const entries = body.data as Record<string, unknown>[];
    expect(entries.length).toBeGreaterThan(0);
    expect(entries.length).toBeLessThanOrEqual(2);
    for (const e of entries)
      expect(e).toMatchObject({
        level: expect.stringMatching(/^(DEBUG|INFO|WARNING|ERROR)$/),
        message: expect.any(String),
        state: expect.any(String),
        time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        value: expect.any(String),
      });
    expect(body.total_count).toBeGreaterThanOrEqual(entries.length);
  });

  // As the page shows it: Altcraft's method name for a campaign's status.
  it('campaigns/get_status answers the campaign status', async () => {
    const body = ok(await send('campaigns/get_status', f.campaignStatus));
    expect(body.data).toBeDefined();
  });
});

describe('error codes of the API interaction page', () => {
  it('401 without a token or with an unknown one, 404 for an unknown object, 400 for a bad parameter', async () => {
    const missing = await send('databases/list', {});
    expect(missing.status).toBe(401);
    expect(missing.json.error).toBe(401);
    expect((await send('databases/list', { token: 'unknown-unknown-unknown-' })).json.error).toBe(401);
    const unknown = await send('campaigns/triggers/get', { token: TOKEN, id: 4040 });
    expect(unknown.status).toBe(404);
    expect(unknown.json).toMatchObject({ error: 404, error_text: 'Not found' });
    const bad = await send('campaigns/triggers/start', {
      token: TOKEN,
      id: 'x',
      matching: 'email',
      email: 'zaycev@example.com',
    });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({
      error: 400,
      error_text: 'Invalid request',
      error_debug: expect.stringContaining('id'),
    });
  });
});
