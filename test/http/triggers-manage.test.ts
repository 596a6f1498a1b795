// Trigger campaign management (spec 05): campaigns/triggers/add|update|get|list|clone|delete and
// campaigns/activate|deactivate|status, in JSON and XML — the validity rules of spec 04, partial
// updates, paging, account isolation, roles, and what deleting or deactivating does to the
// trigger's scheduled messages.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, count, OTHER_TOKEN, READ_TOKEN, rows, SINGLE, startApi, xmlValues } from '../helpers/api.js';
import type { Harness } from '../helpers/harness.js';
import { configVersion, expectError, expectOk, expectXmlError, FIXTURE_MAX_IDS, xml } from '../helpers/manage.js';

let h: Harness;
beforeAll(async () => {
  h = await startApi();
});
afterAll(() => h.close());

const ADD = 'campaigns/triggers/add';
const UPDATE = 'campaigns/triggers/update';
const GET = 'campaigns/triggers/get';
const LIST = 'campaigns/triggers/list';

let seq = 0;
const uniq = (tag: string) => `${tag}.${++seq}@example.com`;

const minimal = { name: 'New', send_channel: 'email', trigger_type: 'api_call', content: [{ message_id: 5 }] };
const activeEmail = { ...minimal, is_active: true, resource_id: 21, list_id: 1 };

async function add(body: Record<string, unknown>): Promise<Record<string, unknown>> {
  return expectOk(await call(h, ADD, body)).data as Record<string, unknown>;
}

/** Launches `triggerId` for a fresh profile subscribed on resource 21; returns the profile id. */
async function launch(triggerId: number): Promise<string> {
  const email = uniq('launch');
  const res = await call(h, SINGLE, {
    trigger_id: triggerId,
    data: { email, subscriptions: [{ channel: 'email', resource_id: 21, email }] },
  });
  return expectOk(res).profile_id as string;
}

const messages = (triggerId: number) =>
  rows<{ status: string; skip_reason: string | null }>(
    h,
    'SELECT status, skip_reason FROM messages WHERE trigger_id = ? ORDER BY id',
    triggerId,
  );

describe('campaigns/triggers/add', () => {
  it('creates a trigger with the defaults, an id above every provisioned one, and answers with it', async () => {
    const version = configVersion(h);
    const data = await add(minimal);
    expect(data).toEqual({
      id: expect.any(Number),
      name: 'New',
      description: '',
      subid: '',
      ui_tags: [],
      is_active: false,
      trigger_type: 'api_call',
      // Altcraft's list and get name the type again, with for_confirm and the access groups.
      type: 'api_call',
      for_confirm: false,
      groups: [{ id: 0, name: 'main' }],
      send_channel: 'email',
      skip_minutes: 0,
      content: [{ message_id: 5 }],
      push_sending_mode: 'fanout',
      track_opens: true,
      track_clicks: true,
      created_at: '2026-11-27T10:00:00.000Z',
      updated_at: '2026-11-27T10:00:00.000Z',
    });
    expect(data.id).toBeGreaterThan(FIXTURE_MAX_IDS.triggers);
    expect(configVersion(h)).toBe(version + 1);
    expect(expectOk(await call(h, GET, { id: data.id })).data).toEqual(data);
  });

  it('an active trigger can be launched at once (the cached catalog reloads)', async () => {
    const data = await add({
      ...activeEmail,
      name: 'Launch me',
      skip_minutes: 15,
      ui_tags: ['a', 'b'],
      subid: 's1',
      description: 'd',
      content: [{ message_id: 5, subject: 'Hi {lead._fname}', from_name: 'Shop' }],
    });
    expect(data).toMatchObject({
      is_active: true,
      resource_id: 21,
      list_id: 1,
      skip_minutes: 15,
      ui_tags: ['a', 'b'],
      content: [{ message_id: 5, subject: 'Hi {lead._fname}', from_name: 'Shop' }],
    });
    await launch(data.id as number);
    expect(messages(data.id as number)).toEqual([{ status: 'scheduled', skip_reason: null }]);
  });

  it('answers in XML, with single elements standing for arrays', async () => {
    const res = await h.post(
      ADD,
      xml(
        '<name>Push</name><send_channel>push</send_channel><trigger_type>api_call</trigger_type><content><message_id>7</message_id></content>' +
          '<ui_tags>promo</ui_tags><is_active>true</is_active><resource_id>21</resource_id><list_id>1</list_id><push_sending_mode>last</push_sending_mode>',
      ),
    );
    expect(res.status, res.body).toBe(200);
    expect(res.body).toMatch(
      /^<xml><error>0<\/error><error_text>Successful operation<\/error_text><data><id>\d+<\/id><name>Push<\/name>.*<ui_tags>promo<\/ui_tags><is_active>true<\/is_active>.*<content><message_id>7<\/message_id><\/content><push_sending_mode>last<\/push_sending_mode>.*<\/data><\/xml>$/,
    );
    const id = Number(xmlValues(res.body, 'id')[0]);
    expect(expectOk(await call(h, GET, { id })).data).toMatchObject({
      send_channel: 'push',
      ui_tags: ['promo'],
      push_sending_mode: 'last',
    });
  });

  it('400 names the missing or ill-typed field; nothing is written', async () => {
    const before = count(h, 'triggers');
    expectError(await call(h, ADD, { ...minimal, name: undefined }), 400, 'name: is required');
    expectError(await call(h, ADD, { ...minimal, content: undefined }), 400, 'content: is required');
    expectError(await call(h, ADD, { ...minimal, content: [] }), 400, 'content: must not be empty');
    expectError(
      await call(h, ADD, { ...minimal, send_channel: 'fax' }),
      400,
      /^send_channel: must be one of email, sms, push/,
    );
    expectError(await call(h, ADD, { ...minimal, trigger_type: 'cron' }), 400, /^trigger_type: must be one of/);
    expectError(await call(h, ADD, { ...minimal, skip_minutes: -1 }), 400, /^skip_minutes: must be at least 0/);
    expectError(
      await call(h, ADD, { ...minimal, content: [{ message_id: 'x' }] }),
      400,
      /^content\[0\]\.message_id: expected an integer/,
    );
    expectError(
      await call(h, ADD, { ...minimal, content: [{ message_id: 5, subject: '{leed.x}' }] }),
      400,
      /^content\[0\]\.subject: .*\{leed\.x\}/,
    );
    expectXmlError(
      await h.post(
        ADD,
        xml('<name>X</name><send_channel>email</send_channel><content><message_id>5</message_id></content>'),
      ),
      400,
      /^trigger_type: is required$/,
    );
    expect(count(h, 'triggers')).toBe(before);
  });

  it('checks the templates: absent or another account’s → 404, another channel → 400', async () => {
    expectError(
      await call(h, ADD, { ...minimal, content: [{ message_id: 999 }] }),
      404,
      'content[0].message_id: template 999 does not exist',
    );
    expectError(
      await call(h, ADD, { ...minimal, content: [{ message_id: 8 }] }),
      404,
      'content[0].message_id: template 8 does not exist',
    );
    expectError(
      await call(h, ADD, { ...minimal, send_channel: 'sms' }),
      400,
      'content[0].message_id: template 5 is for email, the trigger sends sms',
    );
  });

  it('checks the rules of an active trigger: list, resource linked with the channel, a from address', async () => {
    expectError(
      await call(h, ADD, { ...minimal, is_active: true, resource_id: 21 }),
      400,
      'an active trigger needs list_id',
    );
    expectError(
      await call(h, ADD, { ...minimal, is_active: true, list_id: 1 }),
      400,
      'an active trigger needs resource_id',
    );
    expectError(
      await call(h, ADD, { ...activeEmail, resource_id: 23 }),
      400,
      'an active trigger needs resource 23 linked to database 1',
    );
    expectError(
      await call(h, ADD, { ...activeEmail, resource_id: 31 }),
      404,
      'resource_id: resource 31 does not exist',
    );
    expectError(await call(h, ADD, { ...activeEmail, list_id: 3 }), 404, 'list_id: database 3 does not exist');
    expectError(
      await call(h, ADD, { ...activeEmail, send_channel: 'sms', content: [{ message_id: 6 }], resource_id: 22 }),
      400,
      'an active trigger needs resource 22 to have a sms channel',
    );
    // A resource whose email channel has no from address: the content entry must give one.
    const res = expectOk(
      await call(h, 'resources/add', { name: 'No from', db_ids: [1], channels: { email: { sender: 'outbox' } } }),
    ).data as { id: number };
    expectError(
      await call(h, ADD, { ...activeEmail, resource_id: res.id }),
      400,
      /^an active trigger needs a from address/,
    );
    await add({ ...activeEmail, resource_id: res.id, content: [{ message_id: 5, from_email: 'me@example.com' }] });
    // Inactive, the same trigger is fine.
    await add({ ...minimal, resource_id: 23 });
  });
});

describe('campaigns/triggers/update', () => {
  it('changes only the fields sent; send_channel is ignored; updated_at moves', async () => {
    const created = await add({ ...activeEmail, name: 'Before', description: 'keep', ui_tags: ['x'] });
    h.clock.advance(60_000);
    const res = await call(h, UPDATE, { id: created.id, name: 'After', send_channel: 'sms', skip_minutes: 7 });
    const data = expectOk(res).data as Record<string, unknown>;
    expect(data).toEqual({ ...created, name: 'After', skip_minutes: 7, updated_at: '2026-11-27T10:01:00.000Z' });
    expect(data.send_channel).toBe('email');
    expect(expectOk(await call(h, GET, { trigger_id: created.id })).data).toEqual(data);
  });

  it('checks the result as add does, and writes nothing when it fails', async () => {
    const created = await add({ ...activeEmail, name: 'Checked' });
    const version = configVersion(h);
    expectError(
      await call(h, UPDATE, { id: created.id, content: [{ message_id: 6 }] }),
      400,
      'content[0].message_id: template 6 is for sms, the trigger sends email',
    );
    expectError(
      await call(h, UPDATE, { id: created.id, resource_id: 23 }),
      400,
      'an active trigger needs resource 23 linked to database 1',
    );
    expectError(await call(h, UPDATE, { id: created.id, content: [] }), 400, 'an active trigger needs content');
    expectError(await call(h, UPDATE, { id: created.id, is_active: 'maybe' }), 400, /^is_active: expected a boolean/);
    expectError(await call(h, UPDATE, { name: 'x' }), 400, 'id: is required');
    expect(configVersion(h)).toBe(version);
    // Deactivated, the same change is accepted.
    expectOk(await call(h, UPDATE, { id: created.id, is_active: false, resource_id: 23 }));
  });

  it('404 for an unknown trigger or another account’s', async () => {
    expectError(await call(h, UPDATE, { id: 4242, name: 'x' }), 404, 'trigger 4242 not found');
    expectError(await call(h, UPDATE, { id: 200, name: 'x' }), 404, 'trigger 200 not found');
    expectError(await h.post(UPDATE, { token: OTHER_TOKEN, id: 96, name: 'x' }), 404, 'trigger 96 not found');
  });

  it('in XML', async () => {
    const created = await add({ ...minimal, name: 'Xml' });
    const res = await h.post(
      UPDATE,
      xml(
        `<id>${created.id}</id><ui_tags>a</ui_tags><ui_tags>b</ui_tags><is_active>1</is_active><resource_id>21</resource_id><list_id>1</list_id>`,
      ),
    );
    expect(res.status, res.body).toBe(200);
    expect(xmlValues(res.body, 'ui_tags')).toEqual(['a', 'b']);
    expect(xmlValues(res.body, 'is_active')).toEqual(['true']);
    expectXmlError(
      await h.post(UPDATE, xml(`<id>${created.id}</id><list_id>2</list_id>`)),
      400,
      /^an active trigger needs resource 21 linked to database 2$/,
    );
  });
});

describe('campaigns/triggers/get', () => {
  it('answers a provisioned trigger with the fields of spec 04, to read tokens too, in XML too', async () => {
    const data = expectOk(await h.post(GET, { token: READ_TOKEN, id: 97 })).data;
    expect(data).toMatchObject({
      id: 97,
      name: 'Welcome SMS',
      send_channel: 'sms',
      resource_id: 21,
      list_id: 1,
      content: [{ message_id: 6 }],
      is_active: true,
    });
    const res = await h.post(GET, xml('<id>99</id>', READ_TOKEN));
    expect(res.body).toMatch(
      /^<xml><error>0<\/error><error_text>Successful operation<\/error_text><data><id>99<\/id><name>Welcome push<\/name>/,
    );
  });

  it('404 for unknown and other-account triggers; 400 without id', async () => {
    expectError(await call(h, GET, { id: 4242 }), 404, 'trigger 4242 not found');
    expectError(await call(h, GET, { id: 200 }), 404, 'trigger 200 not found');
    expectXmlError(await h.post(GET, xml('<id>200</id>')), 404, /trigger 200 not found/);
    expectError(await call(h, GET, {}), 400, 'id: is required');
    expectError(await call(h, GET, { id: 'abc' }), 400, /^id: expected an integer/);
  });
});

describe('campaigns/triggers/list', () => {
  let l: Harness;
  beforeAll(async () => {
    l = await startApi();
    await call(l, UPDATE, { id: 96, ui_tags: ['vip', 'news'] });
    await call(l, UPDATE, { id: 97, ui_tags: ['vip'] });
  });
  afterAll(() => l.close());
  const ids = (res: { json: Record<string, unknown> }) => (res.json.data as { id: number }[]).map((t) => t.id);

  it('lists the account’s triggers by id from from_id (inclusive); total_count ignores the cursor and limit', async () => {
    const all = await call(l, LIST, {});
    expect(ids(all)).toEqual([85, 96, 97, 98, 99, 100, 101, 102]);
    expect(all.json.total_count).toBe(8);
    expect(Object.keys(all.json)).toEqual(['error', 'error_text', 'data', 'total_count', 'next_from_id']);
    expect(all.json.next_from_id).toBe(103);
    const page = await call(l, LIST, { from_id: 97, limit: 2 });
    expect(ids(page)).toEqual([97, 98]);
    expect(page.json.total_count).toBe(8);
    expect(ids(await call(l, LIST, { from_id: 103 }))).toEqual([]);
    expect(ids(await call(l, LIST, { limit: 5000 }))).toHaveLength(8);
    expect(ids(await l.post(LIST, { token: OTHER_TOKEN }))).toEqual([200]);
  });

  it('filters by is_active and by ui_tags (a trigger matches when it has every tag given)', async () => {
    const inactive = await call(l, LIST, { is_active: false });
    expect(ids(inactive)).toEqual([98]);
    expect(inactive.json.total_count).toBe(1);
    expect(ids(await call(l, LIST, { ui_tags: ['vip'] }))).toEqual([96, 97]);
    expect(ids(await call(l, LIST, { ui_tags: 'vip' }))).toEqual([96, 97]);
    const both = await call(l, LIST, { ui_tags: ['vip', 'news'], limit: 1 });
    expect(ids(both)).toEqual([96]);
    expect(both.json.total_count).toBe(1);
    expect(ids(await call(l, LIST, { ui_tags: ['vip'], is_active: false }))).toEqual([]);
  });

  it('in XML, to read tokens', async () => {
    const res = await l.post(LIST, xml('<ui_tags>vip</ui_tags><ui_tags>news</ui_tags>', READ_TOKEN));
    expect(res.body).toMatch(
      /^<xml><error>0<\/error><error_text>Successful operation<\/error_text><data><id>96<\/id>.*<\/data><total_count>1<\/total_count><next_from_id>97<\/next_from_id><\/xml>$/,
    );
    const none = await l.post(LIST, xml('<from_id>5000</from_id>'));
    expect(none.body).toBe(
      '<xml><error>0</error><error_text>Successful operation</error_text><data/><total_count>8</total_count><next_from_id>5000</next_from_id></xml>',
    );
  });

  it('refuses a limit of 0 or less and ill-typed filters', async () => {
    expectError(await call(l, LIST, { limit: 0 }), 400, /^limit: must be positive/);
    expectError(await call(l, LIST, { limit: -3 }), 400, /^limit: must be positive/);
    expectError(await call(l, LIST, { is_active: 'yes' }), 400, /^is_active: expected a boolean/);
    expectXmlError(await l.post(LIST, xml('<limit>0</limit>')), 400, /^limit: must be positive/);
  });
});

describe('campaigns/triggers/clone', () => {
  it('copies a trigger as an inactive one named "Clone of …", with a new id', async () => {
    const res = await call(h, 'campaigns/triggers/clone', { id: 100 });
    const { saved_id } = expectOk(res).data as { saved_id: number };
    expect(Object.keys(res.json)).toEqual(['error', 'error_text', 'data']);
    expect(saved_id).toBeGreaterThan(FIXTURE_MAX_IDS.triggers);
    const original = expectOk(await call(h, GET, { id: 100 })).data as Record<string, unknown>;
    const clone = expectOk(await call(h, GET, { id: saved_id })).data as Record<string, unknown>;
    expect(clone).toEqual({
      ...original,
      id: saved_id,
      name: 'Clone of Delayed',
      is_active: false,
      created_at: clone.created_at,
      updated_at: clone.updated_at,
    });
    expect(original.is_active).toBe(true);
  });

  it('takes a name; in XML; 404 for unknown or other-account triggers', async () => {
    const res = await h.post('campaigns/triggers/clone', xml('<id>97</id><name>My copy</name>'));
    expect(res.body).toMatch(
      /^<xml><error>0<\/error><error_text>Successful operation<\/error_text><data><saved_id>\d+<\/saved_id><\/data><\/xml>$/,
    );
    const id = Number(xmlValues(res.body, 'saved_id')[0]);
    expect(expectOk(await call(h, GET, { id })).data).toMatchObject({
      name: 'My copy',
      is_active: false,
      send_channel: 'sms',
    });
    expectError(await call(h, 'campaigns/triggers/clone', { id: 200 }), 404, 'trigger 200 not found');
    expectError(await call(h, 'campaigns/triggers/clone', { id: 97, name: '' }), 400, 'name: must not be empty');
  });
});

describe('campaigns/triggers/delete', () => {
  it('deletes the trigger and cancels its scheduled messages; it is then 404 everywhere', async () => {
    const trigger = await add({ ...activeEmail, name: 'Doomed', skip_minutes: 30 });
    const id = trigger.id as number;
    await launch(id);
    await launch(id);
    const res = await call(h, 'campaigns/triggers/delete', { id });
    expect(res.json).toEqual({ error: 0, error_text: 'Successful operation' });
    expect(messages(id)).toEqual([
      { status: 'cancelled', skip_reason: 'trigger deleted' },
      { status: 'cancelled', skip_reason: 'trigger deleted' },
    ]);
    expectError(await call(h, GET, { id }), 404, `trigger ${id} not found`);
    expectError(await call(h, 'campaigns/triggers/delete', { id }), 404, `trigger ${id} not found`);
    expectError(await call(h, SINGLE, { trigger_id: id, data: { email: uniq('gone') } }), 404);
  });

  it('in XML; 404 for another account’s trigger, which stays', async () => {
    const trigger = await add({ ...minimal, name: 'Xml delete' });
    const res = await h.post('campaigns/triggers/delete', xml(`<id>${trigger.id}</id>`));
    expect(res.body).toBe('<xml><error>0</error><error_text>Successful operation</error_text></xml>');
    expectError(await call(h, 'campaigns/triggers/delete', { id: 200 }), 404, 'trigger 200 not found');
    expect(count(h, 'triggers', 'id = 200')).toBe(1);
  });
});

describe('campaigns/activate and campaigns/deactivate', () => {
  it('deactivate without abort_if_running keeps the scheduled messages; launching is then refused', async () => {
    const trigger = await add({ ...activeEmail, name: 'Pause me', skip_minutes: 30 });
    const id = trigger.id as number;
    await launch(id);
    const res = await call(h, 'campaigns/deactivate', { id });
    expect(res.json).toEqual({ error: 0, error_text: 'Successful operation', data: null });
    expect(messages(id)).toEqual([{ status: 'scheduled', skip_reason: null }]);
    expect(expectOk(await call(h, GET, { id })).data).toMatchObject({ is_active: false });
    expectError(await call(h, SINGLE, { trigger_id: id, data: { email: uniq('paused') } }), 400);

    expectOk(await call(h, 'campaigns/activate', { id }));
    expect(expectOk(await call(h, GET, { id })).data).toMatchObject({ is_active: true });
    await launch(id);
    expect(messages(id)).toHaveLength(2);
  });

  it('deactivate with abort_if_running cancels the scheduled messages (only this trigger’s)', async () => {
    const trigger = await add({ ...activeEmail, name: 'Abort me', skip_minutes: 30 });
    const id = trigger.id as number;
    await launch(id);
    await launch(100);
    const others = messages(100).length;
    const res = await h.post('campaigns/deactivate', xml(`<id>${id}</id><abort_if_running>true</abort_if_running>`));
    expect(res.body).toBe('<xml><error>0</error><error_text>Successful operation</error_text><data/></xml>');
    expect(messages(id)).toEqual([{ status: 'cancelled', skip_reason: 'trigger deactivated' }]);
    expect(messages(100).filter((m) => m.status === 'scheduled')).toHaveLength(others);
  });

  it('activate checks the rules of an active trigger; both are idempotent', async () => {
    const trigger = await add({ ...minimal, name: 'Incomplete' });
    expectError(
      await call(h, 'campaigns/activate', { id: trigger.id }),
      400,
      `id: trigger ${trigger.id} cannot be activated: an active trigger needs list_id`,
    );
    expectXmlError(
      await h.post('campaigns/activate', xml(`<id>${trigger.id}</id>`)),
      400,
      /an active trigger needs list_id/,
    );
    expectOk(await call(h, UPDATE, { id: trigger.id, list_id: 1, resource_id: 21 }));
    const version = configVersion(h);
    expect((await h.post('campaigns/activate', xml(`<id>${trigger.id}</id>`))).body).toBe(
      '<xml><error>0</error><error_text>Successful operation</error_text><data/></xml>',
    );
    expect(configVersion(h)).toBe(version + 1);
    expectOk(await call(h, 'campaigns/activate', { id: trigger.id }));
    expect(configVersion(h)).toBe(version + 1);
    expectOk(await call(h, 'campaigns/deactivate', { id: trigger.id }));
    expectOk(await call(h, 'campaigns/deactivate', { id: trigger.id }));
    expect(configVersion(h)).toBe(version + 2);
  });

  it('404 for unknown and other-account triggers; 400 for an ill-typed abort_if_running', async () => {
    expectError(await call(h, 'campaigns/activate', { id: 200 }), 404, 'trigger 200 not found');
    expectError(await call(h, 'campaigns/deactivate', { id: 4242 }), 404, 'trigger 4242 not found');
    expectError(
      await call(h, 'campaigns/deactivate', { id: 96, abort_if_running: 'soon' }),
      400,
      /^abort_if_running: expected a boolean/,
    );
  });
});

describe('campaigns/status', () => {
  it('counts the trigger’s messages by state', async () => {
    const trigger = await add({ ...activeEmail, name: 'Counted', skip_minutes: 30 });
    const id = trigger.id as number;
    await launch(id);
    await launch(id);
    await call(h, SINGLE, { trigger_id: id, data: { email: uniq('nosub') } });
    const res = await h.post('campaigns/status', { token: READ_TOKEN, id });
    expect(res.json).toEqual({
      error: 0,
      error_text: 'Successful operation',
      data: {
        is_active: true,
        scheduled: 2,
        sent: 0,
        failed: 0,
        skipped: 1,
        delivered: 0,
        bounced_hard: 0,
        bounced_soft: 0,
        complained: 0,
        opened: 0,
        opened_unique: 0,
        clicked: 0,
        clicked_unique: 0,
        unsubscribed: 0,
        suppressed: 0,
      },
    });
    h.exec("UPDATE messages SET status = 'sent' WHERE id = (SELECT MIN(id) FROM messages WHERE trigger_id = ?)", id);
    await call(h, 'campaigns/deactivate', { id, abort_if_running: true });
    const xmlRes = await h.post('campaigns/status', xml(`<id>${id}</id>`));
    expect(xmlRes.body).toBe(
      '<xml><error>0</error><error_text>Successful operation</error_text><data><is_active>false</is_active><scheduled>0</scheduled><sent>1</sent><failed>0</failed><skipped>1</skipped><delivered>0</delivered><bounced_hard>0</bounced_hard><bounced_soft>0</bounced_soft><complained>0</complained><opened>0</opened><opened_unique>0</opened_unique><clicked>0</clicked><clicked_unique>0</clicked_unique><unsubscribed>0</unsubscribed><suppressed>0</suppressed></data></xml>',
    );
  });

  it('404 for unknown and other-account triggers', async () => {
    expectError(await call(h, 'campaigns/status', { id: 200 }), 404, 'trigger 200 not found');
    expectError(await h.post('campaigns/status', { token: OTHER_TOKEN, id: 96 }), 404, 'trigger 96 not found');
  });
});

describe('roles', () => {
  it('a read token may get, list and status, but not change anything (403, nothing written)', async () => {
    const version = configVersion(h);
    for (const [method, body] of [
      [ADD, minimal],
      [UPDATE, { id: 96, name: 'x' }],
      ['campaigns/triggers/clone', { id: 96 }],
      ['campaigns/triggers/delete', { id: 96 }],
      ['campaigns/activate', { id: 98 }],
      ['campaigns/deactivate', { id: 96 }],
    ] as const) {
      expectError(await h.post(method, { token: READ_TOKEN, ...body }), 403, `a read token cannot call ${method}`);
    }
    expect(configVersion(h)).toBe(version);
    expectOk(await h.post(GET, { token: READ_TOKEN, id: 96 }));
    expectOk(await h.post(LIST, { token: READ_TOKEN }));
    expectOk(await h.post('campaigns/status', { token: READ_TOKEN, id: 96 }));
  });
});
