// Object management (spec 05): databases/*, databases/fields_get, resources/*, templates/*, in
// JSON and XML — the provisioning file's validation, partial updates, paging, refusals that
// name an object's users, account isolation, roles, and the config version every change bumps.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, count, OTHER_TOKEN, READ_TOKEN, startApi, xmlValues } from '../helpers/api.js';
import type { Harness } from '../helpers/harness.js';
import { configVersion, expectError, expectOk, expectXmlError, FIXTURE_MAX_IDS, xml } from '../helpers/manage.js';

let h: Harness;
beforeAll(async () => {
  h = await startApi();
});
afterAll(() => h.close());

async function data(method: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  return expectOk(await call(h, method, body)).data as Record<string, unknown>;
}

/** A profile with an email subscription, imported through the API. */
async function importProfile(dbId: number, resourceId?: number): Promise<void> {
  const email = `p${Math.random().toString(36).slice(2)}@example.com`;
  const subscriptions = resourceId === undefined ? [] : [{ channel: 'email', resource_id: resourceId, email }];
  expectOk(await call(h, 'profiles/import', { db_id: dbId, data: { email, subscriptions } }));
}

const ids = (res: { json: Record<string, unknown> }) => (res.json.data as { id: number }[]).map((o) => o.id);

describe('databases', () => {
  const fields = [
    { name: 'CRM_ID', type: 'int' },
    { name: 'level', type: 'enum', values: ['bronze', 'gold'] },
  ];

  it('add: creates a database with its fields, above every provisioned id; get answers it', async () => {
    const version = configVersion(h);
    const db = await data('databases/add', { name: 'Leads', description: 'from the site', fields });
    expect(db).toEqual({ id: expect.any(Number), name: 'Leads', description: 'from the site', fields });
    expect(db.id).toBeGreaterThan(FIXTURE_MAX_IDS.databases);
    expect(configVersion(h)).toBe(version + 1);
    expect(await data('databases/get', { id: db.id })).toEqual(db);
    // Usable at once: a profile can be imported into it.
    await importProfile(db.id as number);
  });

  it('add in XML: fields and enum values as repeated elements', async () => {
    const res = await h.post(
      'databases/add',
      xml(
        '<name>Xml db</name><fields><name>tags</name><type>tags</type></fields><fields><name>lvl</name><type>enum</type><values>a</values><values>b</values></fields>',
      ),
    );
    expect(res.body).toMatch(
      /^<xml><error>0<\/error><error_text>Successful operation<\/error_text><data><id>\d+<\/id><name>Xml db<\/name><description><\/description><fields><name>tags<\/name><type>tags<\/type><\/fields><fields><name>lvl<\/name><type>enum<\/type><values>a<\/values><values>b<\/values><\/fields><\/data><\/xml>$/,
    );
    const one = await h.post(
      'databases/add',
      xml('<name>One field</name><fields><name>n</name><type>int</type></fields>'),
    );
    expect(await data('databases/get', { id: Number(xmlValues(one.body, 'id')[0]) })).toMatchObject({
      fields: [{ name: 'n', type: 'int' }],
    });
  });

  it('add: 400 names the field; nothing is written', async () => {
    const before = count(h, 'databases');
    expectError(await call(h, 'databases/add', { fields }), 400, 'name: is required');
    expectError(
      await call(h, 'databases/add', { name: 'x', fields: [{ name: 'a', type: 'money' }] }),
      400,
      /^fields\[0\]\.type: must be one of/,
    );
    expectError(
      await call(h, 'databases/add', { name: 'x', fields: [{ name: 'email', type: 'string' }] }),
      400,
      'fields[0].name: field name "email" is reserved',
    );
    expectError(
      await call(h, 'databases/add', { name: 'x', fields: [{ name: '_x', type: 'string' }] }),
      400,
      /^fields\[0\]\.name: field name "_x" may not start with "_"/,
    );
    expectError(
      await call(h, 'databases/add', {
        name: 'x',
        fields: [
          { name: 'a', type: 'int' },
          { name: 'a', type: 'string' },
        ],
      }),
      400,
      "fields[1]: field 'a' is declared twice",
    );
    expectError(
      await call(h, 'databases/add', { name: 'x', fields: [{ name: 'e', type: 'enum' }] }),
      400,
      'fields[0].values: an enum field needs values',
    );
    expectXmlError(
      await h.post('databases/add', xml('<name>x</name><fields><name>a</name></fields>')),
      400,
      /^fields\[0\]\.type: is required$/,
    );
    expect(count(h, 'databases')).toBe(before);
  });

  it('update: partial; fields may be added while profiles exist, not removed or retyped', async () => {
    const db = await data('databases/add', { name: 'Upd', fields });
    const renamed = await data('databases/update', { id: db.id, name: 'Renamed' });
    expect(renamed).toEqual({ ...db, name: 'Renamed' });
    await importProfile(db.id as number);
    const grown = await data('databases/update', {
      db_id: db.id,
      fields: [...fields, { name: 'extra', type: 'string' }],
      description: 'd',
    });
    expect(grown).toMatchObject({
      name: 'Renamed',
      description: 'd',
      fields: [...fields, { name: 'extra', type: 'string' }],
    });
    const version = configVersion(h);
    expectError(
      await call(h, 'databases/update', { id: db.id, fields: [fields[1]] }),
      400,
      /^fields: database \d+ holds 1 profile: field 'CRM_ID' would be removed; field 'extra' would be removed$/,
    );
    expectError(
      await call(h, 'databases/update', {
        id: db.id,
        fields: [{ name: 'CRM_ID', type: 'string' }, fields[1], { name: 'extra', type: 'string' }],
      }),
      400,
      /field 'CRM_ID' would change type from int to string/,
    );
    expectError(
      await call(h, 'databases/update', {
        id: db.id,
        fields: [fields[0], { name: 'level', type: 'enum', values: ['gold'] }, { name: 'extra', type: 'string' }],
      }),
      400,
      /field 'level' would lose enum values/,
    );
    expect(configVersion(h)).toBe(version);
    // An empty database takes any new definition.
    const empty = await data('databases/add', { name: 'Empty', fields });
    expect(await data('databases/update', { id: empty.id, fields: [] })).toMatchObject({ fields: [] });
  });

  it('update in XML; 404 for unknown and other-account databases; 400 for bad fields', async () => {
    const res = await h.post('databases/update', xml('<id>2</id><description>partners</description>'));
    expect(xmlValues(res.body, 'description')).toEqual(['partners']);
    expectError(await call(h, 'databases/update', { id: 3, name: 'x' }), 404, 'database 3 not found');
    expectError(await call(h, 'databases/update', { id: 999, name: 'x' }), 404, 'database 999 not found');
    expectError(
      await call(h, 'databases/update', {
        id: 2,
        fields: [
          { name: 'x', type: 'int' },
          { name: 'x', type: 'int' },
        ],
      }),
      400,
      "fields[1]: field 'x' is declared twice",
    );
    expectError(await call(h, 'databases/update', { id: 2, name: '' }), 400, 'name: must not be empty');
  });

  it('get and list: by id from from_id, total_count of all; other accounts see only theirs', async () => {
    const l = await startApi();
    try {
      const all = await call(l, 'databases/list', {});
      expect(ids(all)).toEqual([1, 2]);
      expect(all.json.total_count).toBe(2);
      const page = await call(l, 'databases/list', { from_id: 2, limit: 1 });
      expect(ids(page)).toEqual([2]);
      expect(page.json.total_count).toBe(2);
      expect(ids(await l.post('databases/list', { token: OTHER_TOKEN }))).toEqual([3]);
      expectError(await call(l, 'databases/list', { limit: 0 }), 400, /^limit: must be positive/);
      const x = await l.post('databases/list', xml('<from_id>2</from_id>', READ_TOKEN));
      expect(x.body).toBe(
        '<xml><error>0</error><error_text>Successful operation</error_text><data><id>2</id><name>Partners</name><description></description><fields/></data><total_count>2</total_count><next_from_id>3</next_from_id></xml>',
      );
      expectError(await call(l, 'databases/get', { id: 3 }), 404, 'database 3 not found');
      expectXmlError(await l.post('databases/get', xml('<id>77</id>')), 404, /database 77 not found/);
    } finally {
      await l.close();
    }
  });

  it('fields_get: the system fields (read-only first) then the custom ones, with types', async () => {
    const res = await h.post('databases/fields_get', { token: READ_TOKEN, db_id: 1 });
    const list = expectOk(res).data as {
      name: string;
      type: string;
      system: boolean;
      read_only: boolean;
      values?: string[];
    }[];
    expect(list.slice(0, 6).map((f) => f.name)).toEqual([
      'id',
      'db_id',
      '_createtime',
      '_updatetime',
      '_md5',
      '_emaildomain',
    ]);
    expect(list.find((f) => f.name === 'email')).toEqual({
      name: 'email',
      type: 'string',
      system: true,
      read_only: false,
    });
    expect(list.find((f) => f.name === 'phones')).toMatchObject({ type: 'array', system: true });
    expect(list.find((f) => f.name === '_bdate')).toMatchObject({ type: 'date' });
    expect(list.find((f) => f.name === '_sex')).toMatchObject({ type: 'enum', values: ['male', 'female'] });
    expect(list.find((f) => f.name === 'level')).toEqual({
      name: 'level',
      type: 'enum',
      system: false,
      read_only: false,
      values: ['bronze', 'silver', 'gold'],
    });
    expect(list.filter((f) => !f.system).map((f) => f.name)).toEqual([
      'CRM_ID',
      'Custom_ID',
      'custom_field',
      'interests',
      'score',
      'vip',
      'signup',
      'level',
      'last_ip',
      'attrs',
      'orders',
    ]);
    const x = await h.post('databases/fields_get', xml('<id>2</id>'));
    expect(x.body).toMatch(
      /^<xml><error>0<\/error><error_text>Successful operation<\/error_text><data><name>id<\/name><type>string<\/type><system>true<\/system><read_only>true<\/read_only><\/data>/,
    );
    expectError(await call(h, 'databases/fields_get', { id: 3 }), 404, 'database 3 not found');
  });

  it('delete: refused while a trigger, a resource or profiles use it (naming them); then 404', async () => {
    expectError(
      await call(h, 'databases/delete', { id: 2 }),
      400,
      'database 2 is in use by trigger 101 (Partner import), resource 23 (Partners)',
    );
    const db = await data('databases/add', { name: 'Doomed' });
    await importProfile(db.id as number);
    await importProfile(db.id as number);
    expectError(await call(h, 'databases/delete', { id: db.id }), 400, `database ${db.id} is in use by 2 profiles`);
    const free = await data('databases/add', { name: 'Free' });
    const version = configVersion(h);
    const res = await h.post('databases/delete', xml(`<id>${free.id}</id>`));
    expect(res.body).toBe('<xml><error>0</error><error_text>Successful operation</error_text></xml>');
    expect(configVersion(h)).toBe(version + 1);
    expectError(await call(h, 'databases/get', { id: free.id }), 404, `database ${free.id} not found`);
    expectError(await call(h, 'databases/delete', { id: free.id }), 404);
    expectError(await call(h, 'databases/delete', { id: 3 }), 404, 'database 3 not found');
  });
});

describe('resources', () => {
  const channels = {
    email: { sender: 'outbox', from_email: 'r@example.com', from_name: 'R' },
    sms: { sender: 'outbox' },
  };

  it('add: creates a resource (db_ids without duplicates); get answers it', async () => {
    const version = configVersion(h);
    const r = await data('resources/add', { name: 'Shop', db_ids: [1, 2, 1], channels });
    // As Altcraft's resources/get: channels the names, dbs_ids; Herald's settings in channel_settings.
    expect(r).toEqual({
      id: expect.any(Number),
      name: 'Shop',
      channels: ['email', 'sms'],
      dbs_ids: [1, 2],
      channel_settings: channels,
      groups: [{ id: 0, name: 'main' }],
    });
    expect(r.id).toBeGreaterThan(FIXTURE_MAX_IDS.resources);
    expect(configVersion(h)).toBe(version + 1);
    expect(await data('resources/get', { resource_id: r.id })).toEqual(r);
  });

  it('add in XML', async () => {
    const res = await h.post(
      'resources/add',
      xml('<name>Xml</name><db_ids>1</db_ids><channels><push><sender>outbox</sender></push></channels>'),
    );
    expect(res.body).toMatch(
      /^<xml><error>0<\/error><error_text>Successful operation<\/error_text><data><id>\d+<\/id><name>Xml<\/name><channels>push<\/channels><dbs_ids>1<\/dbs_ids><channel_settings><push><sender>outbox<\/sender><\/push><\/channel_settings><groups><id>0<\/id><name>main<\/name><\/groups><\/data><\/xml>$/,
    );
    const none = await h.post('resources/add', xml('<name>Bare</name><channels/>'));
    expect(none.body).toMatch(/<channels\/><dbs_ids\/><channel_settings><\/channel_settings>/);
  });

  it('add: unknown or other-account databases and unknown senders → 404; bad channels → 400', async () => {
    const before = count(h, 'resources');
    expectError(await call(h, 'resources/add', { name: 'x', db_ids: [99] }), 404, 'database 99 does not exist');
    expectError(await call(h, 'resources/add', { name: 'x', db_ids: [3] }), 404, 'database 3 does not exist');
    expectError(
      await call(h, 'resources/add', { name: 'x', channels: { email: { sender: 'nope' } } }),
      404,
      "channels.email.sender: sender 'nope' does not exist",
    );
    expectError(
      await call(h, 'resources/add', { name: 'x', channels: { fax: { sender: 'outbox' } } }),
      400,
      'channels.fax: unknown channel "fax"',
    );
    expectError(
      await call(h, 'resources/add', { name: 'x', channels: { email: {} } }),
      400,
      'channels.email.sender: is required',
    );
    expectError(
      await call(h, 'resources/add', { name: 'x', db_ids: ['one'] }),
      400,
      /^db_ids\[0\]: expected an integer/,
    );
    expectError(await call(h, 'resources/add', { db_ids: [1] }), 400, 'name: is required');
    expect(count(h, 'resources')).toBe(before);
  });

  it('update: partial; refused when an active trigger would lose its database link, channel or from address', async () => {
    const r = await data('resources/add', { name: 'Upd', db_ids: [1], channels });
    expect(await data('resources/update', { id: r.id, name: 'Renamed' })).toEqual({ ...r, name: 'Renamed' });
    expect(await data('resources/update', { id: r.id, db_ids: [2] })).toMatchObject({
      name: 'Renamed',
      dbs_ids: [2],
      channel_settings: channels,
    });
    const version = configVersion(h);
    expectError(
      await call(h, 'resources/update', { id: 21, db_ids: [2] }),
      400,
      /^trigger 85 \(Welcome \(custom\)\) would become invalid: an active trigger needs resource 21 linked to database 1$/,
    );
    expectError(
      await call(h, 'resources/update', { id: 22, channels: { sms: { sender: 'outbox' } } }),
      400,
      'trigger 102 (Newsletter welcome) would become invalid: an active trigger needs resource 22 to have a email channel',
    );
    expectError(
      await call(h, 'resources/update', { id: 22, channels: { email: { sender: 'outbox' } } }),
      400,
      /^trigger 102 \(Newsletter welcome\) would become invalid: an active trigger needs a from address/,
    );
    expectError(await call(h, 'resources/update', { id: 22, db_ids: [99] }), 404, 'database 99 does not exist');
    expect(configVersion(h)).toBe(version);
    const x = await h.post(
      'resources/update',
      xml(
        `<id>${r.id}</id><channels><email><sender>outbox</sender><from_email>x@example.com</from_email></email></channels>`,
      ),
    );
    expect(x.status, x.body).toBe(200);
    expect(await data('resources/get', { id: r.id })).toMatchObject({
      channels: ['email'],
      channel_settings: { email: { sender: 'outbox', from_email: 'x@example.com' } },
    });
    expectError(await call(h, 'resources/update', { id: 31, name: 'x' }), 404, 'resource 31 not found');
  });

  it('list by id with total_count; other accounts see only theirs', async () => {
    const page = await call(h, 'resources/list', { from_id: 22, limit: 2 });
    expect(ids(page)).toEqual([22, 23]);
    expect(page.json.next_from_id).toBe(24);
    expect((await call(h, 'resources/list', { from_id: 900 })).json.next_from_id).toBe(900);
    expect(page.json.total_count).toBe(count(h, 'resources', 'account_id = 1'));
    expect(ids(await h.post('resources/list', { token: OTHER_TOKEN }))).toEqual([31]);
    expectXmlError(await h.post('resources/list', xml('<limit>-1</limit>')), 400, /^limit: must be positive/);
  });

  it('delete: refused while a trigger or subscriptions use it; then 404', async () => {
    expectError(
      await call(h, 'resources/delete', { id: 22 }),
      400,
      'resource 22 is in use by trigger 102 (Newsletter welcome)',
    );
    const r = await data('resources/add', { name: 'Subscribed', db_ids: [1], channels });
    await importProfile(1, r.id as number);
    expectError(await call(h, 'resources/delete', { id: r.id }), 400, `resource ${r.id} is in use by 1 subscription`);
    const free = await data('resources/add', { name: 'Free', db_ids: [1] });
    expect((await call(h, 'resources/delete', { id: free.id })).json).toEqual({
      error: 0,
      error_text: 'Successful operation',
    });
    expectError(await call(h, 'resources/get', { id: free.id }), 404, `resource ${free.id} not found`);
    expectError(await h.post('resources/delete', { token: OTHER_TOKEN, id: 21 }), 404, 'resource 21 not found');
  });
});

describe('templates', () => {
  it('add: email, sms and push templates; get answers them without unset parts', async () => {
    const version = configVersion(h);
    const email = await data('templates/add', {
      name: 'Mail',
      channel: 'email',
      subject: 'Hi {lead._fname}',
      html: '<style>p {color: red}</style><p>{apicontent.order.id}</p>',
    });
    // The single-channel form is accepted; the answer is Altcraft's: the channels with their fields.
    expect(email).toEqual({
      id: expect.any(Number),
      name: 'Mail',
      description: '',
      channels: [
        {
          id: 1,
          sid: 'email',
          fields: { subject: 'Hi {lead._fname}', html: '<style>p {color: red}</style><p>{apicontent.order.id}</p>' },
        },
      ],
      groups: [{ id: 0, name: 'main' }],
      saved_id: email.id,
    });
    expect(email.id).toBeGreaterThan(FIXTURE_MAX_IDS.templates);
    expect(configVersion(h)).toBe(version + 1);
    const { saved_id: _saved, ...stored } = email;
    expect(await data('templates/get', { template_id: email.id })).toEqual(stored);
    expect(await data('templates/add', { name: 'Sms', channel: 'sms', text: '{unsubscribe}' })).toMatchObject({
      channels: [{ id: 2, sid: 'sms', fields: { sms: '{unsubscribe}' } }],
    });
    expect(
      await data('templates/add', {
        name: 'Push',
        channel: 'push',
        title: 'T',
        url: 'https://x/{lead._id}',
        image: 'https://x/i.png',
      }),
    ).toMatchObject({
      channels: [
        { id: 3, sid: 'push', fields: { title: 'T', click_url: 'https://x/{lead._id}', image: 'https://x/i.png' } },
      ],
    });
  });

  it('add in XML, markup escaped', async () => {
    const res = await h.post(
      'templates/add',
      xml('<name>Xml</name><channel>email</channel><subject>S</subject><html>&lt;p&gt;{lead._fname}&lt;/p&gt;</html>'),
    );
    expect(res.body).toMatch(
      /^<xml><error>0<\/error><error_text>Successful operation<\/error_text><data><id>\d+<\/id><name>Xml<\/name><description><\/description><channels><id>1<\/id><sid>email<\/sid><fields><subject>S<\/subject><html>&lt;p&gt;\{lead._fname\}&lt;\/p&gt;<\/html><\/fields><\/channels><groups><id>0<\/id><name>main<\/name><\/groups><saved_id>\d+<\/saved_id><\/data><\/xml>$/,
    );
  });

  it('add: the channel rules and the variable grammar, naming the part', async () => {
    const before = count(h, 'templates');
    expectError(
      await call(h, 'templates/add', { name: 'x', channel: 'email', html: '<p/>' }),
      400,
      'subject: an email template needs a subject',
    );
    expectError(
      await call(h, 'templates/add', { name: 'x', channel: 'email', subject: 's' }),
      400,
      'an email template needs html or text',
    );
    expectError(await call(h, 'templates/add', { name: 'x', channel: 'sms' }), 400, 'text: an sms template needs text');
    expectError(
      await call(h, 'templates/add', { name: 'x', channel: 'push', url: 'u' }),
      400,
      'a push template needs a title or text',
    );
    expectError(
      await call(h, 'templates/add', { name: 'x', channel: 'email', subject: 's', html: 'Hi {leed.name}' }),
      400,
      /^html: .*\{leed\.name\}/,
    );
    expectError(
      await call(h, 'templates/add', { name: 'x', channel: 'sms', text: 'Hi {lead.}' }),
      400,
      /^text: .*\{lead\.\}/,
    );
    expectError(
      await call(h, 'templates/add', { name: 'x', channel: 'fax', text: 't' }),
      400,
      /^channel: must be one of/,
    );
    expectXmlError(
      await h.post('templates/add', xml('<channel>sms</channel><text>t</text>')),
      400,
      /^name: is required$/,
    );
    expect(count(h, 'templates')).toBe(before);
  });

  it('update: partial, checked again; a channel change that breaks a trigger is refused', async () => {
    const { saved_id: _saved, ...t } = await data('templates/add', {
      name: 'Upd',
      channel: 'email',
      subject: 'S',
      text: 'T',
    });
    expect(await data('templates/update', { id: t.id, subject: 'New {lead.email}' })).toEqual({
      ...t,
      channels: [{ id: 1, sid: 'email', fields: { subject: 'New {lead.email}', text: 'T' } }],
    });
    expectError(await call(h, 'templates/update', { id: t.id, text: '{nope.x}' }), 400, /^text: .*\{nope\.x\}/);
    expect(await data('templates/update', { id: t.id, channel: 'sms' })).toMatchObject({
      channels: [{ sid: 'sms', fields: { sms: 'T' } }],
    });
    expectError(
      await call(h, 'templates/update', { id: 6, channel: 'push' }),
      400,
      'trigger 97 (Welcome SMS) would become invalid: content[0].message_id: template 6 is for push, the trigger sends sms',
    );
    const x = await h.post('templates/update', xml(`<id>${t.id}</id><name>Renamed</name>`));
    expect(xmlValues(x.body, 'name')).toEqual(['Renamed', 'main']); // the template's, then its group's
    expectError(await call(h, 'templates/update', { id: 8, name: 'x' }), 404, 'template 8 not found');
  });

  it('list with an optional channel filter; total_count of all matches', async () => {
    const sms = await call(h, 'templates/list', { channel: 'sms' });
    const all = sms.json.data as { channels: string[] }[];
    expect(all.length).toBeGreaterThan(0);
    expect(all.every((t) => t.channels.includes('sms'))).toBe(true);
    expect(sms.json.total_count).toBe(count(h, 'templates', "account_id = 1 AND channel = 'sms'"));
    expect(ids(await call(h, 'templates/list', { limit: 2 }))).toEqual([5, 6]);
    expect(ids(await h.post('templates/list', { token: OTHER_TOKEN }))).toEqual([8]);
    expectError(await call(h, 'templates/list', { channel: 'fax' }), 400, /^channel: must be one of/);
  });

  it('delete: refused while a trigger names it; then 404', async () => {
    expectError(
      await call(h, 'templates/delete', { id: 7 }),
      400,
      /^template 7 is in use by trigger 99 \(Welcome push\)/,
    );
    const t = await data('templates/add', { name: 'Free', channel: 'sms', text: 't' });
    const res = await h.post('templates/delete', xml(`<id>${t.id}</id>`));
    expect(res.body).toBe(
      `<xml><error>0</error><error_text>Successful operation</error_text><data>${t.id}</data></xml>`,
    );
    expectError(await call(h, 'templates/get', { id: t.id }), 404, `template ${t.id} not found`);
    expectError(await call(h, 'templates/delete', { id: 8 }), 404, 'template 8 not found');
  });
});

describe('roles and accounts', () => {
  it('a read token may get, list and fields_get, but not change anything (403)', async () => {
    const version = configVersion(h);
    for (const [method, body] of [
      ['databases/add', { name: 'x' }],
      ['databases/update', { id: 1, name: 'x' }],
      ['databases/delete', { id: 2 }],
      ['resources/add', { name: 'x' }],
      ['resources/update', { id: 21, name: 'x' }],
      ['resources/delete', { id: 21 }],
      ['templates/add', { name: 'x', channel: 'sms', text: 't' }],
      ['templates/update', { id: 5, name: 'x' }],
      ['templates/delete', { id: 5 }],
    ] as const) {
      expectError(await h.post(method, { token: READ_TOKEN, ...body }), 403, `a read token cannot call ${method}`);
    }
    expect(configVersion(h)).toBe(version);
    for (const method of ['databases/get', 'resources/get', 'templates/get'])
      expectOk(
        await h.post(method, {
          token: READ_TOKEN,
          id: method.startsWith('databases') ? 1 : method.startsWith('resources') ? 21 : 5,
        }),
      );
    for (const method of ['databases/list', 'resources/list', 'templates/list'])
      expectOk(await h.post(method, { token: READ_TOKEN }));
  });

  it("another account's objects are 404 for every method, and its own changes leave account 1's version alone", async () => {
    for (const [method, id] of [
      ['databases/get', 1],
      ['databases/fields_get', 1],
      ['databases/update', 1],
      ['databases/delete', 2],
      ['resources/get', 21],
      ['resources/update', 21],
      ['templates/get', 5],
      ['templates/update', 5],
      ['templates/delete', 5],
    ] as const) {
      const res = await h.post(method, { token: OTHER_TOKEN, id, name: 'x' });
      expect(res.status, `${method} ${res.body}`).toBe(404);
    }
    const version = configVersion(h);
    const other = configVersion(h, 2);
    expectOk(await h.post('templates/add', { token: OTHER_TOKEN, name: 'Theirs', channel: 'sms', text: 't' }));
    expect([configVersion(h), configVersion(h, 2)]).toEqual([version, other + 1]);
  });
});
