// custom_request within its limits (docs/LIMITS.md): anything under them runs on both stores
// with the right answer — however many conditions, however they nest, object or JSON string —
// and anything past them is a 400 naming the limit, never a store error (500) or an outage (503).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, FIXTURE, resultIds, snapshot } from '../helpers/api.js';
import { startHarness, type Harness } from '../helpers/harness.js';

const START = 'campaigns/triggers/start';
const PROFILES = 20;

describe('custom_request limits', () => {
  let h: Harness;
  /** CRM_ID → profile id. */
  const ids = new Map<number, string>();

  beforeAll(async () => {
    h = await startHarness({ provision: FIXTURE });
    const data = Array.from({ length: PROFILES }, (_, i) => ({
      data: { CRM_ID: i, _fname: `n${i}`, email: `c${i}@example.com` },
    }));
    const res = await call(h, 'profiles/import_batch', { db_id: 1, matching: 'custom', field_name: 'CRM_ID', data });
    expect(res.status).toBe(200);
    resultIds(res).forEach((id, i) => ids.set(i, id));
  });
  afterAll(() => h.close());

  /** The CRM_IDs a query launches for, ascending. */
  async function launched(query: unknown): Promise<number[]> {
    const res = await call(h, START, { trigger_id: 96, custom_request: query });
    expect(res.status, res.body.slice(0, 300)).toBe(200);
    const byId = new Map([...ids].map(([crm, id]) => [id, crm]));
    return resultIds(res)
      .map((id) => byId.get(id) as number)
      .sort((a, b) => a - b);
  }

  async function refused(query: unknown): Promise<string> {
    const before = snapshot(h);
    const res = await call(h, START, { trigger_id: 96, custom_request: query });
    expect(res.status, res.body.slice(0, 300)).toBe(400);
    expect(snapshot(h)).toEqual(before);
    return String(res.json.error_debug);
  }

  const range = (n: number) => Array.from({ length: n }, (_, i) => i);

  it('1,000 conditions of every shape run (SQLite failed past 500 $or terms and ~1,000 $and/$ne)', async () => {
    // $or of indexed ranges: one UNION per 250 subqueries.
    expect(
      await launched({ $or: [...range(999).map((i) => ({ CRM_ID: { $gte: 1_000 + i } })), { CRM_ID: 3 }] }),
    ).toEqual([3]);
    // $and of negations: a balanced expression, not a chain 1,000 deep.
    expect(await launched({ $and: range(999).map((i) => ({ CRM_ID: { $ne: i + 2 } })) })).toEqual([0, 1]);
    // $and of indexed conditions (on PostgreSQL each would be a semi-join to plan: that took longer than the statement timeout).
    expect(
      await launched({
        $and: [
          ...range(995).map((i) => ({ CRM_ID: { $gte: -i } })),
          { CRM_ID: { $in: [4, 5, 6] } },
          { CRM_ID: { $lte: 5 } },
          { CRM_ID: { $gt: 4 } },
        ],
      }),
    ).toEqual([5]);
    // Document fields, scanned, in an $or.
    expect(await launched({ $or: range(1_000).map((i) => ({ _fname: `n${i + 10}` })) })).toEqual(
      range(10).map((i) => i + 10),
    );
  });

  it('32 levels of $and/$or run in a JSON string; deeper is a 400 (a string of 5,000 was a RangeError)', async () => {
    // In an object, the body's own nesting limit (64) comes first.
    let nested: unknown = { CRM_ID: 7 };
    for (let i = 0; i < 32; i++) nested = { [i % 2 ? '$and' : '$or']: [nested] };
    expect(await launched(JSON.stringify(nested))).toEqual([7]);
    expect(await refused(JSON.stringify({ $or: [nested] }))).toMatch(
      /^custom_request\.\$or\[0\](\.\$(and|or)\[0\])+: is nested deeper than 32 levels of \$and\/\$or$/,
    );
    let text = '{"CRM_ID":1}';
    for (let i = 0; i < 5_000; i++) text = `{"$or":[${text}]}`;
    expect(await refused(text)).toMatch(/: is nested deeper than 32 levels of \$and\/\$or$/);
  });

  it('more than 1,000 conditions is a 400 (20,000 $or was a stack overflow on PostgreSQL, 40,000 $ne a 503)', async () => {
    expect(await refused({ $or: range(1_001).map((i) => ({ CRM_ID: i })) })).toBe(
      'custom_request.$or[1000].CRM_ID: the query has more than 1000 conditions',
    );
    expect(await refused({ $or: range(20_000).map((i) => ({ CRM_ID: { $gt: i } })) })).toMatch(
      /the query has more than 1000 conditions$/,
    );
    expect(await refused({ $and: range(40_000).map((i) => ({ CRM_ID: { $ne: i } })) })).toMatch(
      /the query has more than 1000 conditions$/,
    );
    // Two operators on one field are two conditions.
    expect(
      await refused({ $and: [...range(500).map((i) => ({ CRM_ID: { $gt: -i, $lt: 1_000 + i } })), { CRM_ID: 1 }] }),
    ).toMatch(/more than 1000 conditions$/);
  });

  it('$in and $nin lists run up to 10,000 values; a longer one is a 400', async () => {
    expect(await launched({ CRM_ID: { $in: range(10_000).map((i) => i + 15) } })).toEqual([15, 16, 17, 18, 19]);
    expect(await launched({ _fname: { $nin: range(10_000).map((i) => `n${i + 1}`) } })).toEqual([0]);
    expect(await refused({ CRM_ID: { $in: range(10_001) } })).toBe(
      'custom_request.CRM_ID.$in: has more than 10000 values',
    );
  });

  it('a query given as a string gets the rules of a body: NUL and unpaired surrogates are a 400', async () => {
    const BAD = 'the text holds a NUL character or an unpaired surrogate (not valid text)';
    expect(await refused('{"_fname": {"$in": ["\\ud800"]}}')).toBe(`custom_request._fname.$in[0]: ${BAD}`);
    expect(await refused('{"email": {"$gte": "\\udc00"}}')).toBe(`custom_request.email.$gte: ${BAD}`);
    // A JSON body never holds \u0000 (not even inside a string); XML text may spell it for the query.
    const before = snapshot(h);
    const xml = await h.post(
      START,
      '<xml><token>abcdefghijklmnqrstuvwxyz</token><trigger_id>96</trigger_id><custom_request>{"_fname": "a\\u0000b"}</custom_request></xml>',
      { query: 'format=json' },
    );
    expect(xml.status).toBe(400);
    expect(xml.json.error_debug).toBe(`custom_request._fname: ${BAD}`);
    expect(snapshot(h)).toEqual(before);
  });
});
