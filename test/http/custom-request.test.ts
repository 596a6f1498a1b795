// custom_request of campaigns/triggers/start (spec 05) end to end: every operator against a
// known set of profiles, with MongoDB's meaning (a missing field answers $ne, $nin and
// $exists: false), system fields read from the profile document, and a query over 20,000
// profiles paged in small chunks (never all of them loaded at once).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, count, FIXTURE, rows, snapshot } from '../helpers/api.js';
import { startHarness, TEST_STORE, type Harness } from '../helpers/harness.js';

const START = 'campaigns/triggers/start';

describe('custom_request operators', () => {
  let h: Harness;
  const names = new Map<string, string>();

  beforeAll(async () => {
    h = await startHarness({ provision: FIXTURE });
    const profiles = {
      A: {
        CRM_ID: 1,
        email: 'Ann@Example.com',
        score: 1.5,
        vip: true,
        interests: ['news', 'sale'],
        level: 'bronze',
        signup: '2026-01-01T00:00:00Z',
        _fname: 'Ann',
        _city: 'Paris',
        _lat: 10,
      },
      B: {
        CRM_ID: 2,
        email: 'bob@example.com',
        score: 3,
        vip: false,
        interests: ['news'],
        level: 'silver',
        signup: '2026-06-01T00:00:00Z',
        _fname: 'Bob',
      },
      C: { CRM_ID: 3, email: 'cid@example.com', interests: [], level: 'gold', _fname: 'Cid', phones: ['+79001112233'] },
      D: { CRM_ID: 4, Custom_ID: 'x', _fname: 'ann' },
    };
    const res = await call(h, 'profiles/import_batch', {
      db_id: 1,
      matching: 'custom',
      field_name: 'CRM_ID',
      data: Object.values(profiles).map((data) => ({ data })),
    });
    expect(res.status, res.body).toBe(200);
    (res.json.result as { profile_id: string }[]).forEach((r, i) => names.set(r.profile_id, Object.keys(profiles)[i]));
  });
  afterAll(() => h.close());

  /** The profiles a query launches for, by name, in the order of the result. */
  async function matching(query: unknown): Promise<string> {
    const res = await call(h, START, { trigger_id: 96, custom_request: query });
    expect(res.status, res.body).toBe(200);
    return (res.json.result as { profile_id: string }[]).map((r) => names.get(r.profile_id)).join('');
  }

  it('equality and $eq (values coerced to the field type)', async () => {
    expect(await matching({ CRM_ID: 2 })).toBe('B');
    expect(await matching({ CRM_ID: { $eq: '2' } })).toBe('B');
    expect(await matching({ email: 'ANN@example.COM' })).toBe('A');
    expect(await matching({ phones: '+7 900 111-22-33' })).toBe('C');
    expect(await matching({ interests: 'news' })).toBe('AB');
    expect(await matching({ vip: 'true' })).toBe('A');
    expect(await matching({ level: 1 })).toBe('B');
    expect(await matching({ signup: '2026-06-01T03:00:00+03:00' })).toBe('B');
    expect(await matching({ CRM_ID: 99 })).toBe('');
  });

  it('$ne and $nin include the profiles without the field', async () => {
    expect(await matching({ CRM_ID: { $ne: 2 } })).toBe('ACD');
    expect(await matching({ score: { $ne: 3 } })).toBe('ACD');
    expect(await matching({ interests: { $nin: ['news'] } })).toBe('CD');
    expect(await matching({ CRM_ID: { $nin: [1, 3] } })).toBe('BD');
  });

  it('$in', async () => {
    expect(await matching({ CRM_ID: { $in: [1, '3', 42] } })).toBe('AC');
    expect(await matching({ interests: { $in: ['sale', 'none'] } })).toBe('A');
    expect(await matching({ score: { $in: [null, 3] } })).toBe('BCD');
    expect(await matching({ CRM_ID: { $in: [] } })).toBe('');
  });

  it('$gt, $gte, $lt, $lte on numbers, dates and text', async () => {
    expect(await matching({ score: { $gt: 1.5 } })).toBe('B');
    expect(await matching({ score: { $gte: 1.5 } })).toBe('AB');
    expect(await matching({ score: { $lt: 3 } })).toBe('A');
    expect(await matching({ score: { $lte: 3 } })).toBe('AB');
    expect(await matching({ CRM_ID: { $gt: 1, $lt: 4 } })).toBe('BC');
    expect(await matching({ signup: { $gte: '2026-03-01' } })).toBe('B');
    expect(await matching({ email: { $gte: 'b', $lt: 'c' } })).toBe('B');
    expect(await matching({ _lat: { $gt: 5 } })).toBe('A');
    expect(await matching({ _fname: { $gte: 'B', $lte: 'Bz' } })).toBe('B');
  });

  it('$exists and null', async () => {
    expect(await matching({ score: { $exists: true } })).toBe('AB');
    expect(await matching({ vip: { $exists: false } })).toBe('CD');
    expect(await matching({ _city: { $exists: 1 } })).toBe('A');
    expect(await matching({ score: null })).toBe('CD');
    expect(await matching({ Custom_ID: { $ne: null } })).toBe('D');
  });

  it('system fields from the document: exact, case-sensitive values', async () => {
    expect(await matching({ _fname: 'Ann' })).toBe('A');
    expect(await matching({ _fname: { $in: ['ann', 'Bob'] } })).toBe('BD');
    expect(await matching({ _fname: { $ne: 'Ann' } })).toBe('BCD');
  });

  it('$and, $or and several fields', async () => {
    expect(await matching({ $or: [{ CRM_ID: 1 }, { _fname: 'Bob' }] })).toBe('AB');
    expect(await matching({ $or: [{ CRM_ID: 1 }, { interests: 'news' }, { Custom_ID: 'x' }] })).toBe('ABD');
    expect(await matching({ $and: [{ interests: 'news' }, { score: { $lt: 2 } }] })).toBe('A');
    expect(await matching({ interests: 'news', vip: false })).toBe('B');
    expect(await matching({ $or: [{ $and: [{ CRM_ID: { $gte: 3 } }, { _fname: 'ann' }] }, { level: 'bronze' }] })).toBe(
      'AD',
    );
    expect(await matching({})).toBe('ABCD');
  });

  it('answers 400 naming an unsupported operator, writing nothing', async () => {
    const before = snapshot(h);
    for (const [query, op] of [
      [{ CRM_ID: { $regex: '1' } }, '$regex'],
      [{ interests: { $all: ['a'] } }, '$all'],
      [{ interests: { $elemMatch: { $eq: 'a' } } }, '$elemMatch'],
      [{ CRM_ID: { $not: { $gt: 1 } } }, '$not'],
      [{ $nor: [{ CRM_ID: 1 }] }, '$nor'],
      [{ $text: { $search: 'a' } }, '$text'],
    ] as const) {
      const res = await call(h, START, { trigger_id: 96, custom_request: query });
      expect(res.status).toBe(400);
      expect(res.json.error_debug).toContain(`operator ${op} is not supported`);
    }
    expect(snapshot(h)).toEqual(before);
  });
});

describe('custom_request over many profiles', () => {
  const TOTAL = 20_000;
  const CHUNK = 500;
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ provision: FIXTURE, traceSql: true, env: { HERALD_QUERY_CHUNK: String(CHUNK) } });
    for (let from = 0; from < TOTAL; from += 5000) {
      const data = Array.from({ length: 5000 }, (_, i) => ({
        data: { CRM_ID: from + i, interests: (from + i) % 2 === 0 ? ['even'] : ['odd'] },
      }));
      const res = await call(h, 'profiles/import_batch', { db_id: 1, matching: 'custom', field_name: 'CRM_ID', data });
      expect(res.status).toBe(200);
    }
  }, 120_000);
  afterAll(() => h.close());
  /** A page of a custom_request's matches, and the load of one page's profiles (SQLite's statements). */
  const isPage = (sql: string) => sql.startsWith('SELECT p.seq FROM profiles p WHERE');
  const isLoad = (sql: string) =>
    /^SELECT seq, id, account_id, db_id, fields, created_at, updated_at FROM profiles WHERE db_id = [\d.]+ AND seq IN/.test(
      sql,
    );

  // Counts the statements SQLite runs; the behaviour it checks is the core's, the same on PostgreSQL.
  it.skipIf(TEST_STORE !== 'sqlite')(
    'pages through the matches in chunks, one launch for all, never loading every profile',
    async () => {
      const messages = count(h, 'messages');
      const launches = count(h, 'launches');
      const { result: res, statements } = await h.recordStatements(() =>
        call(h, START, { trigger_id: 96, custom_request: { interests: 'even' } }),
      );
      expect(res.status).toBe(200);
      const result = res.json.result as { profile_id: string }[];
      expect(result).toHaveLength(TOTAL / 2);
      expect(new Set(result.map((r) => r.profile_id)).size).toBe(TOTAL / 2);
      // Every page of matches is at most CHUNK profiles, and each page is loaded in one statement.
      const pages = statements.filter(isPage);
      expect(pages.length).toBeGreaterThanOrEqual(TOTAL / 2 / CHUNK);
      for (const page of pages) expect(page).toMatch(new RegExp(`LIMIT ${CHUNK}(\\.0)?$`));
      expect(statements.filter(isLoad)).toHaveLength(TOTAL / 2 / CHUNK);
      expect(count(h, 'messages')).toBe(messages + TOTAL / 2);
      expect(count(h, 'launches')).toBe(launches + 1);
      // The result is in creation order: CRM_ID 0, 2, 4, …
      const first = rows<{ fields: string }>(h, 'SELECT fields FROM profiles WHERE id = ?', result[0].profile_id)[0];
      const last = rows<{ fields: string }>(
        h,
        'SELECT fields FROM profiles WHERE id = ?',
        result[result.length - 1].profile_id,
      )[0];
      expect([JSON.parse(first.fields).CRM_ID, JSON.parse(last.fields).CRM_ID]).toEqual([0, TOTAL - 2]);
    },
    60_000,
  );

  // Counts the statements SQLite runs; the behaviour it checks is the core's, the same on PostgreSQL.
  it.skipIf(TEST_STORE !== 'sqlite')(
    'answers a selective range and a scanning $ne the same way',
    async () => {
      const range = await call(h, START, { trigger_id: 96, custom_request: { CRM_ID: { $gte: TOTAL - 10 } } });
      expect(range.json.result).toHaveLength(10);
      const { result: ne, statements } = await h.recordStatements(() =>
        call(h, START, { trigger_id: 96, custom_request: { interests: { $ne: 'even' }, CRM_ID: { $lt: 2000 } } }),
      );
      expect(ne.json.result).toHaveLength(1000);
      const pages = statements.filter(isPage);
      expect(pages.length).toBeGreaterThanOrEqual(1000 / CHUNK);
      for (const page of pages) expect(page).toMatch(new RegExp(`LIMIT ${CHUNK}(\\.0)?$`));
      expect(statements.filter(isLoad)).toHaveLength(1000 / CHUNK);
    },
    60_000,
  );
});
