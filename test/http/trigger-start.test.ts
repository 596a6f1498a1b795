// campaigns/triggers/start (spec 05): matching + value finds one stored profile (the oldest;
// not found → 404), custom_request every profile of the trigger's database that answers it;
// content, attach, custom_data and subscription_filter travel with the launch. JSON and XML,
// and every request-level error.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  count,
  messagesOf,
  OTHER_TOKEN,
  READ_TOKEN,
  rows,
  snapshot,
  startApi,
  WRITE_TOKEN,
  xmlValues,
} from '../helpers/api.js';
import type { Harness, Response } from '../helpers/harness.js';

const START = 'campaigns/triggers/start';
let h: Harness;
beforeAll(async () => {
  h = await startApi();
});
afterAll(() => h.close());

let n = 0;
const uniq = (tag: string) => `${tag}.${++n}@example.com`;
const emailSub = (email: string, resource = 21) => ({ channel: 'email', resource_id: resource, email });

/** A stored profile (database 1) created without launching anything. */
async function seed(data: Record<string, unknown>): Promise<string> {
  const res = await call(h, 'profiles/import', {
    db_id: 1,
    matching: 'custom',
    field_name: 'CRM_ID',
    data: { CRM_ID: 700_000 + ++n, ...data },
  });
  expect(res.status, res.body).toBe(200);
  h.clock.advance(1000);
  return res.json.profile_id as string;
}

const start = (body: Record<string, unknown>, opts?: Parameters<Harness['post']>[2]) =>
  call(h, START, { trigger_id: 96, ...body }, opts);
const ids = (res: Response) => (res.json.result as { profile_id: string }[]).map((r) => r.profile_id);

function expectError(res: Response, code: number, debug: RegExp): void {
  expect(res.status, res.body).toBe(code);
  expect(Object.keys(res.json)).toEqual(['error', 'error_debug', 'error_text']);
  expect(res.json.error).toBe(code);
  expect(res.json.error_debug).toMatch(debug);
}

describe('start with matching', () => {
  it('launches the trigger for the profile found and answers its id', async () => {
    const email = uniq('start');
    const p = await seed({ email, subscriptions: [emailSub(email)] });
    const res = await start({ email: email.toUpperCase(), content: { page: 'promo' }, custom_data: { k: 'v' } });
    expect(res.status, res.body).toBe(200);
    expect(res.json).toEqual({ error: 0, error_text: 'Successful operation', result: [{ profile_id: p }] });
    const [m] = messagesOf(h, p);
    expect(m).toMatchObject({ trigger_id: 96, status: 'scheduled', address: email, due_at: h.clock.now() });
    const [launch] = rows<{ content: string; custom_data: string; kind: string }>(
      h,
      'SELECT content, custom_data, kind FROM launches WHERE id = ?',
      m.launch_id,
    );
    expect(launch).toEqual({ content: '{"page":"promo"}', custom_data: '{"k":"v"}', kind: 'api' });
  });

  it('takes an empty custom_request as none: the profile of the matching parameters, with matching given', async () => {
    const email = uniq('start-empty-query');
    const p = await seed({ email, subscriptions: [emailSub(email)] });
    const res = await start({ email, matching: 'email', custom_request: '' });
    expect(res.status, res.body).toBe(200);
    expect(res.json.result).toEqual([{ profile_id: p }]);
    expect(messagesOf(h, p)).toHaveLength(1);
  });

  it('accepts id for trigger_id and every matching mode; writes no profile', async () => {
    const email = uniq('modes');
    const cid = `cid-${n}`;
    const p = await seed({ email, Custom_ID: cid, subscriptions: [emailSub(email)] });
    const before = count(h, 'profiles');
    for (const body of [
      { email },
      { matching: 'email_profile', email },
      { matching: 'profile_id', profile_id: p.toUpperCase() },
      { matching: 'custom', field_name: 'Custom_ID', field_value: cid },
    ]) {
      const res = await call(h, START, { id: 96, ...body });
      expect(res.status, res.body).toBe(200);
      expect(ids(res)).toEqual([p]);
    }
    expect(count(h, 'profiles')).toBe(before);
    expect(messagesOf(h, p)).toHaveLength(4);
  });

  it('picks the oldest of several matching profiles', async () => {
    const email = uniq('twice');
    const older = await seed({ email });
    const newer = await seed({ subscriptions: [emailSub(email)] });
    expect(older).not.toBe(newer);
    expect(ids(await start({ email }))).toEqual([older]);
  });

  it('answers 404 when no profile matches, writing nothing', async () => {
    const before = snapshot(h);
    expectError(await start({ email: uniq('nobody') }), 404, /^Profile not found$/);
    expectError(await start({ matching: 'profile_id', profile_id: 'not-an-id' }), 404, /^Profile not found$/);
    expect(snapshot(h)).toEqual(before);
  });

  it('sends to the matched address, or the one subscription_filter names', async () => {
    const a = uniq('first');
    const b = uniq('second');
    const p = await seed({ email: a, subscriptions: [emailSub(a), { ...emailSub(b), priority: 1 }] });
    await start({ email: b });
    await start({ email: a, subscription_filter: { email: b } });
    await start({ email: a, subscription_filter: { email: uniq('absent') } });
    expect(messagesOf(h, p).map((m) => [m.status, m.address])).toEqual([
      ['scheduled', b],
      ['scheduled', b],
      ['skipped', null],
    ]);
  });

  it('stores attachments once per launch', async () => {
    const email = uniq('attach');
    const p = await seed({ email, subscriptions: [emailSub(email)] });
    const res = await start({
      email,
      attach: { name: 'a.txt', data: `data:text/plain;base64,${Buffer.from('hello').toString('base64')}` },
    });
    expect(res.status, res.body).toBe(200);
    const [m] = messagesOf(h, p);
    expect(rows(h, 'SELECT name, mime FROM attachments WHERE launch_id = ?', m.launch_id)).toEqual([
      { name: 'a.txt', mime: 'text/plain' },
    ]);
  });

  it('answers in XML', async () => {
    const email = uniq('xml');
    const p = await seed({ email, subscriptions: [emailSub(email)] });
    const res = await h.post(
      START,
      `<xml><token>${WRITE_TOKEN}</token><id>96</id><email>${email}</email><content><page>x</page></content></xml>`,
    );
    expect(res.status).toBe(200);
    expect(res.body).toBe(
      `<xml><error>0</error><error_text>Successful operation</error_text><result><profile_id>${p}</profile_id></result></xml>`,
    );
    const missing = await h.post(
      START,
      `<xml><token>${WRITE_TOKEN}</token><id>96</id><email>${uniq('none')}</email></xml>`,
    );
    expect(missing.status).toBe(404);
    expect(missing.body).toBe(
      '<xml><error>404</error><error_debug>Profile not found</error_debug><error_text>Not found</error_text></xml>',
    );
  });
});

describe('start: request-level errors', () => {
  it('checks the trigger, the token and the parameters before anything is written', async () => {
    const email = uniq('err');
    await seed({ email, subscriptions: [emailSub(email)] });
    const before = snapshot(h);
    expectError(await start({ trigger_id: undefined, email }), 400, /^trigger_id: is required$/);
    expectError(await start({ trigger_id: 98, email }), 400, /trigger 98 is not active/);
    expectError(await start({ trigger_id: 4040, email }), 404, /trigger 4040 not found/);
    expectError(await start({ trigger_id: 200, email }), 404, /trigger 200 not found/);
    expectError(await start({ token: OTHER_TOKEN, email }), 404, /trigger 96 not found/);
    expectError(await start({ token: READ_TOKEN, email }), 403, /read token cannot call campaigns\/triggers\/start/);
    expectError(await start({ email, matching: 'telepathy' }), 400, /^matching: unknown matching mode/);
    expectError(await start({}), 400, /matching email needs an email/);
    expectError(await start({ email: 'not an email' }), 400, /incorrect email/);
    expectError(
      await start({ matching: 'custom', field_name: 'nope', field_value: 1 }),
      400,
      /field_name: field 'nope' is not a custom field/,
    );
    expectError(
      await start({ trigger_id: 97, email, attach: { name: 'a', data: 'data:text/plain;base64,aGk=' } }),
      400,
      /attachments are for email triggers only/,
    );
    expectError(await start({ email, resource_id: 999 }), 404, /resource 999 not found/);
    expectError(await start({ email, timeout: { weeks: 1 } }), 400, /^timeout: unknown key "weeks"/);
    expectError(
      await start({ matching: 'email', email, custom_request: { CRM_ID: 1 } }),
      400,
      /^custom_request: give either matching or custom_request, not both$/,
    );
    expect(snapshot(h)).toEqual(before);
  });
});

describe('start with custom_request', () => {
  it('launches for every profile of the trigger database that answers, oldest first, in one launch', async () => {
    const tag = `cr-${++n}`;
    const a = await seed({ Custom_ID: tag, email: uniq('cr-a'), subscriptions: [emailSub(uniq('cr-a-sub'))] });
    const b = await seed({ Custom_ID: tag });
    await seed({ Custom_ID: `${tag}-other` });
    const launches = count(h, 'launches');
    const res = await start({ custom_request: { Custom_ID: tag }, content: { page: 'all' } });
    expect(res.status, res.body).toBe(200);
    expect(ids(res)).toEqual([a, b]);
    expect(count(h, 'launches')).toBe(launches + 1);
    expect(messagesOf(h, a).map((m) => m.status)).toEqual(['scheduled']);
    // A profile with nothing to receive the message is launched too; the message records why not.
    expect(messagesOf(h, b)).toEqual([
      expect.objectContaining({ status: 'skipped', skip_reason: 'no subscribed email subscription on resource 21' }),
    ]);
    expect(messagesOf(h, a)[0].launch_id).toBe(messagesOf(h, b)[0].launch_id);
  });

  it('answers result: [] when nothing matches, and writes nothing', async () => {
    const before = snapshot(h);
    const res = await start({ custom_request: { Custom_ID: `none-${++n}` } });
    expect(res.status, res.body).toBe(200);
    expect(res.json).toEqual({ error: 0, error_text: 'Successful operation', result: [] });
    const xml = await h.post(
      START,
      `<xml><token>${WRITE_TOKEN}</token><trigger_id>96</trigger_id><custom_request><Custom_ID>none-${n}</Custom_ID></custom_request></xml>`,
    );
    expect(xml.body).toBe('<xml><error>0</error><error_text>Successful operation</error_text><result/></xml>');
    expect(snapshot(h)).toEqual(before);
  });

  it('takes the query as an object or a JSON string, in JSON and XML (values typed by the field)', async () => {
    const crm = 900_000 + ++n;
    const p = await seed({ CRM_ID: crm });
    expect(ids(await start({ custom_request: { CRM_ID: String(crm) } }))).toEqual([p]);
    expect(ids(await start({ custom_request: JSON.stringify({ CRM_ID: { $in: [crm] } }) }))).toEqual([p]);
    const xml = await h.post(
      START,
      `<xml><token>${WRITE_TOKEN}</token><trigger_id>96</trigger_id><custom_request><CRM_ID>${crm}</CRM_ID></custom_request></xml>`,
    );
    expect(xmlValues(xml.body, 'profile_id')).toEqual([p]);
    const xmlString = await h.post(
      START,
      `<xml><token>${WRITE_TOKEN}</token><trigger_id>96</trigger_id><custom_request>{"CRM_ID": {"$gte": ${crm}, "$lt": ${crm + 1}}}</custom_request></xml>`,
    );
    expect(xmlValues(xmlString.body, 'profile_id')).toEqual([p]);
  });

  it('rejects an unsupported operator with 400 naming it, in JSON and XML', async () => {
    expectError(
      await start({ custom_request: { CRM_ID: { $regex: '^1' } } }),
      400,
      /^custom_request\.CRM_ID\.\$regex: operator \$regex is not supported/,
    );
    expectError(
      await start({ custom_request: { $nor: [{ CRM_ID: 1 }] } }),
      400,
      /^custom_request\.\$nor: operator \$nor is not supported/,
    );
    expectError(
      await start({ custom_request: { shoe_size: 42 } }),
      400,
      /field 'shoe_size' is not defined in database 1/,
    );
    const xml = await h.post(
      START,
      `<xml><token>${WRITE_TOKEN}</token><trigger_id>96</trigger_id><custom_request>{"CRM_ID": {"$where": 1}}</custom_request></xml>`,
    );
    expect(xml.status).toBe(400);
    expect(xml.body).toMatch(
      /^<xml><error>400<\/error><error_debug>custom_request\.CRM_ID\.\$where: operator \$where is not supported/,
    );
  });

  it('stays in the trigger database and the token account', async () => {
    const tag = `scope-${++n}`;
    await seed({ Custom_ID: tag });
    // Trigger 200 belongs to account 2 (database 3): the same query finds nothing there.
    const other = await call(h, START, { token: OTHER_TOKEN, trigger_id: 200, custom_request: {} });
    expect(other.status, other.body).toBe(200);
    expect(other.json.result).toEqual([]);
  });
});

describe('the launch delay of start, start_batch and custom_request', () => {
  it("schedules the messages timeout after now, added to the trigger's skip_minutes", async () => {
    const timeout = { days: 1, hours: 2, minutes: 3 };
    const delay = 86_400_000 + 2 * 3_600_000 + 3 * 60_000;
    // Each message is due that long after the launch that wrote it.
    const dueOf = (p: string) =>
      rows<{ delay: number }>(
        h,
        'SELECT due_at - created_at AS delay FROM messages WHERE profile_id = ? ORDER BY id',
        p,
      ).map((m) => m.delay);

    const one = uniq('delay-start');
    const p1 = await seed({ email: one, subscriptions: [emailSub(one)] });
    expect(ids(await start({ email: one, timeout }))).toEqual([p1]);
    expect(dueOf(p1)).toEqual([delay]);

    const two = uniq('delay-batch');
    const p2 = await seed({ email: two, subscriptions: [emailSub(two)] });
    const batch = await call(h, 'campaigns/triggers/start_batch', { trigger_id: 96, timeout, data: [{ email: two }] });
    expect(batch.status, batch.body).toBe(200);
    expect(dueOf(p2)).toEqual([delay]);

    const tag = `delay-query-${++n}`;
    const three = uniq('delay-query');
    const p3 = await seed({ Custom_ID: tag, email: three, subscriptions: [emailSub(three)] });
    expect(ids(await start({ custom_request: { Custom_ID: tag }, timeout }))).toEqual([p3]);
    expect(dueOf(p3)).toEqual([delay]);

    // Trigger 100 waits 30 minutes by itself: the timeout comes on top.
    expect(ids(await start({ trigger_id: 100, email: one, timeout }))).toEqual([p1]);
    expect(dueOf(p1)).toEqual([delay, 30 * 60_000 + delay]);
  });
});
