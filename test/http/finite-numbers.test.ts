// Finite numbers only: a number beyond a double — "1e400" as text, 1e400 as a JSON literal, XML
// text — is refused with a 400 naming its path wherever a number is read (it was Infinity: stored,
// returned as null, matched by {"$gt": 1e308}); an increment stops at the end of the range.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batch, call, FIXTURE, getProfile, itemErrors, resultIds, snapshot, WRITE_TOKEN } from '../helpers/api.js';
import { startHarness, type Harness } from '../helpers/harness.js';

const BEYOND = '(beyond ±1.7976931348623157e308)';
const LITERAL = 'the number is beyond the range of a double (±1.7976931348623157e308)';

describe('finite numbers', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ provision: FIXTURE });
  });
  afterAll(() => h.close());

  it('number text beyond a double is an item error naming the field; the other items are imported', async () => {
    const res = await batch(h, {
      data: [
        { data: { email: 'fin@example.com', score: '1.5e308', _lat: '-12.5' } },
        { data: { email: 'inf1@example.com', score: '1e400' } },
        { data: { email: 'inf2@example.com', _lat: '-1e999' } },
        { data: { email: 'inf3@example.com', score: { action: 'incr', value: '9e308' } } },
      ],
    });
    expect(res.status, res.body).toBe(200);
    expect(resultIds(res)).toHaveLength(1);
    expect(itemErrors(res).map((e) => e.error_debug)).toEqual([
      `data[1].data.score: expected a finite number, got "1e400" ${BEYOND}`,
      `data[2].data._lat: expected a finite number, got "-1e999" ${BEYOND}`,
      `data[3].data.score.value: expected a finite number, got "9e308" ${BEYOND}`,
    ]);
    expect(await getProfile(h, { email: 'inf1@example.com' })).toBeUndefined();
    expect(await getProfile(h, { email: 'fin@example.com' })).toMatchObject({ score: 1.5e308, _lat: -12.5 });
  });

  it('the same in XML text', async () => {
    const res = await h.post(
      'campaigns/triggers/import_and_start_batch',
      `<xml><token>${WRITE_TOKEN}</token><trigger_id>96</trigger_id><data><data><email>x1@example.com</email><score>1e400</score></data></data></xml>`,
      { query: 'format=json' },
    );
    expect(itemErrors(res).map((e) => e.error_debug)).toEqual([
      `data[0].data.score: expected a finite number, got "1e400" ${BEYOND}`,
    ]);
  });

  it('a JSON literal beyond a double is a 400 naming its path, wherever it is (it was stored as null)', async () => {
    const before = snapshot(h);
    const body = (at: string) => `{"token":"${WRITE_TOKEN}","trigger_id":96,${at}}`;
    const item = (data: string) => `"data":[{"data":{"email":"lit@example.com",${data}}}]`;
    for (const [text, path] of [
      [body(item('"score":1e400')), 'data[0].data.score'],
      [body(item('"attrs":{"n":[1,-1E+309]}')), 'data[0].data.attrs.n[1]'],
      [body(`"content":{"big":1${'0'.repeat(400)}},${item('"_fname":"a"')}`), 'content.big'],
      [body(`"custom_data":{"x":2e308},${item('"_fname":"a"')}`), 'custom_data.x'],
      [body(`"timeout":{"days":1e400},${item('"_fname":"a"')}`), 'timeout.days'],
    ] as const) {
      const res = await h.post('campaigns/triggers/import_and_start_batch', text);
      expect(res.status, text).toBe(400);
      expect(res.json.error_debug).toBe(`${path}: ${LITERAL}`);
    }
    expect(snapshot(h)).toEqual(before);
    // Numbers within the range, long ones and underflows (they round to 0) are numbers as ever.
    const ok = await h.post(
      'campaigns/triggers/import_and_start_batch',
      body(item(`"score":1e-400,"attrs":{"a":1.7976931348623157e308,"b":${'9'.repeat(120)}e-100}`)),
    );
    expect(ok.status, ok.body).toBe(200);
    expect(await getProfile(h, { email: 'lit@example.com' })).toMatchObject({
      score: 0,
      attrs: { a: 1.7976931348623157e308, b: 1e20 },
    });
  });

  it('custom_request and matching values beyond a double are a 400 naming the path', async () => {
    for (const [query, debug] of [
      [{ score: { $gt: '1e400' } }, `custom_request.score.$gt: expected a finite number, got "1e400" ${BEYOND}`],
      [{ score: '-1e400' }, `custom_request.score: expected a finite number, got "-1e400" ${BEYOND}`],
      [
        { _lat: { $in: ['1', '1e999'] } },
        `custom_request._lat.$in[1]: expected a finite number, got "1e999" ${BEYOND}`,
      ],
    ] as const) {
      const res = await call(h, 'campaigns/triggers/start', { trigger_id: 96, custom_request: query });
      expect(res.status).toBe(400);
      expect(res.json.error_debug).toBe(debug);
    }
    const literal = await h.post(
      'campaigns/triggers/start',
      `{"token":"${WRITE_TOKEN}","trigger_id":96,"custom_request":{"score":{"$gt":1e400}}}`,
    );
    expect(literal.json.error_debug).toBe(`custom_request.score.$gt: ${LITERAL}`);
    const match = await call(h, 'profiles/import_batch', {
      db_id: 1,
      matching: 'custom',
      field_name: 'score',
      field_value: '1e400',
      data: [{ data: {} }],
    });
    expect(itemErrors(match).map((e) => e.error_debug)).toEqual([
      `data[0]: field_value: expected a finite number, got "1e400" ${BEYOND} for field 'score'`,
    ]);
  });

  it('an increment beyond the range stops at its end (a float at the largest double, an int at 2^53 − 1)', async () => {
    const email = 'incr@example.com';
    expect(
      (await batch(h, { data: [{ data: { email, score: 1.7e308, CRM_ID: Number.MAX_SAFE_INTEGER - 1 } }] })).status,
    ).toBe(200);
    const res = await batch(h, {
      data: [{ data: { email, score: { action: 'incr', value: 1e308 }, CRM_ID: { action: 'incr', value: 10 } } }],
    });
    expect(itemErrors(res)).toEqual([]);
    expect(await getProfile(h, { email })).toMatchObject({ score: Number.MAX_VALUE, CRM_ID: Number.MAX_SAFE_INTEGER });
    const down = await batch(h, { data: [{ data: { email, score: { action: 'incr', value: -1.7e308 } } }] });
    expect(itemErrors(down)).toEqual([]);
    expect((await getProfile(h, { email }))?.score).toBeCloseTo(Number.MAX_VALUE - 1.7e308, -300);
  });
});
