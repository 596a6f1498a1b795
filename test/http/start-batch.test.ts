// campaigns/triggers/start_batch (spec 05): launch a trigger for a list of stored profiles, one
// lookup round for all items; items whose profile is not found (or whose value is bad) are
// reported in `errors` by index; JSON and XML; request-level errors write nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  count,
  itemErrors,
  messagesOf,
  READ_TOKEN,
  resultIds,
  snapshot,
  startApi,
  WRITE_TOKEN,
  xmlValues,
} from '../helpers/api.js';
import { TEST_STORE, type Harness, type Response } from '../helpers/harness.js';

const START_BATCH = 'campaigns/triggers/start_batch';
let h: Harness;
beforeAll(async () => {
  h = await startApi({ traceSql: true });
});
afterAll(() => h.close());

let n = 0;
const uniq = (tag: string) => `${tag}.${++n}@example.com`;
const phone = () => `+7900${String(3_000_000 + ++n).padStart(7, '0')}`;

async function seed(data: Record<string, unknown>): Promise<string> {
  const res = await call(h, 'profiles/import', {
    db_id: 1,
    matching: 'custom',
    field_name: 'CRM_ID',
    data: { CRM_ID: 800_000 + ++n, ...data },
  });
  expect(res.status, res.body).toBe(200);
  h.clock.advance(1000);
  return res.json.profile_id as string;
}

const startBatch = (body: Record<string, unknown>) => call(h, START_BATCH, { trigger_id: 96, ...body });

function expectError(res: Response, code: number, debug: RegExp): void {
  expect(res.status, res.body).toBe(code);
  expect(Object.keys(res.json)).toEqual(['error', 'error_debug', 'error_text']);
  expect(res.json.error_debug).toMatch(debug);
}

describe('start_batch', () => {
  it('launches for each item found, in input order, and reports the others by index', async () => {
    const [a, b] = [uniq('a'), uniq('b')];
    const pa = await seed({ email: a, subscriptions: [{ channel: 'email', resource_id: 21, email: a }] });
    const pb = await seed({ email: b, subscriptions: [{ channel: 'email', resource_id: 21, email: b }] });
    const res = await startBatch({
      data: [
        { email: b },
        { email: uniq('missing') },
        { email: a, custom_data: { item: 1 } },
        { email: 'broken' },
        { phone: '+79000000000' },
        {},
      ],
      custom_data: { root: true },
    });
    expect(res.status, res.body).toBe(200);
    expect(resultIds(res)).toEqual([pb, pa]);
    expect(itemErrors(res)).toEqual([
      { index: 1, error: 404, error_text: 'Not found', error_debug: 'data[1]: Profile not found' },
      {
        index: 3,
        error: 400,
        error_text: 'Invalid request',
        error_debug: 'data[3]: incorrect email "broken" for matching email',
      },
      {
        index: 4,
        error: 400,
        error_text: 'Invalid request',
        error_debug: 'data[4]: matching email needs an email: give it in the item, in its data or as a root parameter',
      },
      {
        index: 5,
        error: 400,
        error_text: 'Invalid request',
        error_debug: 'data[5]: matching email needs an email: give it in the item, in its data or as a root parameter',
      },
    ]);
    // The item's custom_data replaces the root one for its message; the launch keeps the root's.
    expect(messagesOf(h, pa)[0].custom_data).toBe('{"item":1}');
    expect(messagesOf(h, pb)[0].custom_data).toBeNull();
    expect(messagesOf(h, pa)[0].launch_id).toBe(messagesOf(h, pb)[0].launch_id);
  });

  // Counts the statements SQLite runs; the behaviour it checks is the core's, the same on PostgreSQL.
  it.skipIf(TEST_STORE !== 'sqlite')(
    'finds every item in one lookup round: one statement for all emails, one load of the profiles',
    async () => {
      const emails = [uniq('r1'), uniq('r2'), uniq('r3')];
      const ids: string[] = [];
      for (const email of emails) ids.push(await seed({ email }));
      const { result: res, statements } = await h.recordStatements(() =>
        startBatch({ data: emails.map((email) => ({ email })) }),
      );
      expect(resultIds(res)).toEqual(ids);
      // (Bound values appear in the trace as SQLite shows them: 1.0, long strings cut.)
      const lookups = statements.filter((s) =>
        /FROM profile_values WHERE db_id = [\d.]+ AND field = 'email' AND value IN/.test(s),
      );
      expect(lookups).toHaveLength(1);
      const loads = statements.filter((s) =>
        /^SELECT seq, id, account_id, db_id, fields, created_at, updated_at FROM profiles WHERE db_id = [\d.]+ AND seq IN/.test(
          s,
        ),
      );
      expect(loads).toHaveLength(1);
    },
  );

  it('matches by phone, profile_id and field_value, and launches twice for a profile named twice', async () => {
    const tel = phone();
    const p = await seed({
      phones: [tel],
      Custom_ID: `sb-${n}`,
      subscriptions: [{ channel: 'sms', resource_id: 21, phone: tel }],
    });
    const cid = `sb-${n - 1}`;
    expect(
      resultIds(await call(h, START_BATCH, { trigger_id: 97, matching: 'phone', data: [{ phone: tel }] })),
    ).toEqual([p]);
    expect(
      resultIds(
        await startBatch({
          matching: 'profile_id',
          data: [{ profile_id: p }, { profile_id: 'zz' }, { profile_id: p }],
        }),
      ),
    ).toEqual([p, p]);
    const custom = await startBatch({
      matching: 'custom',
      field_name: 'Custom_ID',
      data: [{ field_value: 'nope' }, { field_value: cid }],
    });
    expect(resultIds(custom)).toEqual([p]);
    expect(itemErrors(custom).map((e) => e.index)).toEqual([0]);
    expect(messagesOf(h, p).map((m) => [m.trigger_id, m.status])).toEqual([
      [97, 'scheduled'],
      [96, 'skipped'],
      [96, 'skipped'],
      [96, 'skipped'],
    ]);
  });

  it('reads each item as an object: others are its own 400, null keys and an empty custom_data are absent', async () => {
    const a = uniq('shape');
    const pa = await seed({ email: a, subscriptions: [{ channel: 'email', resource_id: 21, email: a }] });
    const res = await startBatch({
      data: [5, 'text', [a], { email: a, phone: null, custom_data: null }, { email: a, custom_data: 'x' }],
    });
    expect(res.status, res.body).toBe(200);
    expect(resultIds(res)).toEqual([pa]);
    expect(itemErrors(res)).toEqual([
      { index: 0, error: 400, error_text: 'Invalid request', error_debug: 'data[0]: expected an object, got 5' },
      { index: 1, error: 400, error_text: 'Invalid request', error_debug: 'data[1]: expected an object, got "text"' },
      { index: 2, error: 400, error_text: 'Invalid request', error_debug: 'data[2]: expected an object, got an array' },
      {
        index: 4,
        error: 400,
        error_text: 'Invalid request',
        error_debug: 'data[4].custom_data: expected an object, got "x"',
      },
    ]);
    expect(messagesOf(h, pa).map((m) => m.custom_data)).toEqual([null]);
  });

  it('answers result: [] and every error when nothing is found', async () => {
    const res = await startBatch({ data: [{ email: uniq('x') }] });
    expect(res.json).toEqual({
      error: 0,
      error_text: 'Successful operation',
      result: [],
      errors: [expect.objectContaining({ index: 0, error: 404 })],
    });
  });

  it('takes content and attachments once per launch', async () => {
    const email = uniq('att');
    const p = await seed({ email, subscriptions: [{ channel: 'email', resource_id: 21, email }] });
    const res = await startBatch({
      data: [{ email }],
      content: { page: 'p' },
      attach: [{ name: 'x.txt', data: 'data:text/plain;base64,aGk=' }],
    });
    expect(res.status, res.body).toBe(200);
    const launch = messagesOf(h, p)[0].launch_id;
    expect(count(h, 'attachments', 'launch_id = ?', launch)).toBe(1);
    expect(count(h, 'launches', 'id = ? AND CAST(content AS TEXT) = \'{"page":"p"}\'', launch)).toBe(1);
  });

  it('speaks XML: items as repeated <data>, errors by index', async () => {
    const email = uniq('xml');
    const p = await seed({ email });
    const res = await h.post(
      START_BATCH,
      `<xml><token>${WRITE_TOKEN}</token><id>96</id><data><email>${email}</email><custom_data><k>v</k></custom_data></data><data><email>${uniq('none')}</email></data></xml>`,
    );
    expect(res.status).toBe(200);
    expect(res.body).toBe(
      `<xml><error>0</error><error_text>Successful operation</error_text><result><profile_id>${p}</profile_id></result>` +
        '<errors><index>1</index><error>404</error><error_text>Not found</error_text><error_debug>data[1]: Profile not found</error_debug></errors></xml>',
    );
    expect(messagesOf(h, p)[0].custom_data).toBe('{"k":"v"}');
    const one = await h.post(
      START_BATCH,
      `<xml><token>${WRITE_TOKEN}</token><trigger_id>96</trigger_id><data array="true"><email>${email}</email></data></xml>`,
    );
    expect(xmlValues(one.body, 'profile_id')).toEqual([p]);
  });

  it('fails the whole request on request-level errors, writing nothing', async () => {
    const email = uniq('req');
    await seed({ email });
    const before = snapshot(h);
    expectError(await startBatch({ data: [] }), 400, /^data: must not be empty$/);
    expectError(await startBatch({}), 400, /^data: is required$/);
    expectError(await startBatch({ data: { email } }), 400, /^data: expected an array/);
    expectError(await startBatch({ trigger_id: 98, data: [{ email }] }), 400, /trigger 98 is not active/);
    expectError(
      await startBatch({ trigger_id: 101, data: [{ email }] }),
      400,
      /the API launches only api_call triggers/,
    );
    expectError(await startBatch({ trigger_id: 555, data: [{ email }] }), 404, /trigger 555 not found/);
    expectError(
      await startBatch({ matching: 'custom', data: [{ field_value: 1 }] }),
      400,
      /field_name is required for matching custom/,
    );
    expectError(await startBatch({ token: READ_TOKEN, data: [{ email }] }), 403, /read token cannot call/);
    expectError(
      await startBatch({
        trigger_id: 97,
        data: [{ email }],
        attach: [{ name: 'a', data: 'data:text/plain;base64,aGk=' }],
      }),
      400,
      /email triggers only/,
    );
    const xml = await h.post(
      START_BATCH,
      `<xml><token>${WRITE_TOKEN}</token><trigger_id>98</trigger_id><data><email>${email}</email></data></xml>`,
    );
    expect(xml.body).toBe(
      '<xml><error>400</error><error_debug>trigger 98 is not active</error_debug><error_text>Invalid request</error_text></xml>',
    );
    expect(snapshot(h)).toEqual(before);
  });
});
