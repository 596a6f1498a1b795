// profiles/list (Herald extension): newest first, paged by offset with total_count; a search by
// profile id or the start of an indexed value (email, phone, custom field, tag), case ignored,
// with LIKE's wildcards taken literally; another database's and account's profiles never shown.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, OTHER_TOKEN, READ_TOKEN, startApi } from '../helpers/api.js';
import type { Harness } from '../helpers/harness.js';
import { expectError, expectOk } from '../helpers/manage.js';

let h: Harness;
const ids: string[] = [];
beforeAll(async () => {
  h = await startApi();
  const people = [
    { email: 'ann.smith@example.com', CRM_ID: 101, interests: ['Garden'] },
    { email: 'bob@example.com', phones: ['+14155550123'], CRM_ID: 102 },
    { email: 'ann_b@example.org', CRM_ID: 103 },
    { email: 'annex@example.net', Custom_ID: 'X-9' },
  ];
  for (const data of people)
    ids.push(expectOk(await call(h, 'profiles/import', { db_id: 1, data })).profile_id as string);
  expectOk(await call(h, 'profiles/import', { db_id: 2, data: { email: 'ann.other@example.com' } }));
});
afterAll(() => h.close());

const list = async (body: Record<string, unknown>) => {
  const res = expectOk(await call(h, 'profiles/list', { db_id: 1, ...body }));
  return {
    ids: (res.data as { id: string }[]).map((p) => p.id),
    total: res.total_count as number,
    data: res.data as Record<string, unknown>[],
  };
};

describe('profiles/list', () => {
  it("lists a database's profiles newest first, in pages", async () => {
    const all = await list({});
    expect(all.ids).toEqual([...ids].reverse());
    expect(all.total).toBe(4);
    expect(all.data[0]).toMatchObject({
      id: ids[3],
      db_id: 1,
      email: 'annex@example.net',
      Custom_ID: 'X-9',
      subscriptions: [],
    });
    expect(await list({ limit: 2, offset: 1 })).toMatchObject({ ids: [ids[2], ids[1]], total: 4 });
    expect((await list({ offset: 10 })).ids).toEqual([]);
  });

  it('searches by id and by the start of an email, phone, field or tag', async () => {
    expect(await list({ search: 'ANN' })).toMatchObject({ ids: [ids[3], ids[2], ids[0]], total: 3 });
    expect((await list({ search: 'ann.' })).ids).toEqual([ids[0]]);
    // `_` and `%` are letters here, not wildcards.
    expect((await list({ search: 'ann_' })).ids).toEqual([ids[2]]);
    expect((await list({ search: '%' })).ids).toEqual([]);
    expect((await list({ search: ids[1].toUpperCase() })).ids).toEqual([ids[1]]);
    expect((await list({ search: '+1415' })).ids).toEqual([ids[1]]);
    expect((await list({ search: '10' })).ids).toEqual([ids[2], ids[1], ids[0]]);
    expect((await list({ search: 'garden' })).ids).toEqual([ids[0]]);
    expect((await list({ search: 'x-9' })).ids).toEqual([ids[3]]);
    expect(await list({ search: 'nobody' })).toMatchObject({ ids: [], total: 0 });
    expect((await list({ search: '  ' })).total).toBe(4);
  });

  it('is a read method, per database and account; bad input is a 400', async () => {
    expect(((await h.post('profiles/list', { token: READ_TOKEN, db_id: 2 })).json.data as unknown[]).length).toBe(1);
    expectError(await h.post('profiles/list', { token: OTHER_TOKEN, db_id: 1 }), 404, /database 1/);
    expectError(await call(h, 'profiles/list', {}), 400, /db_id/);
    expectError(await call(h, 'profiles/list', { db_id: 1, offset: -1 }), 400, /offset/);
    expectError(await call(h, 'profiles/list', { db_id: 1, limit: 0 }), 400, /limit/);
  });
});
