// A batch larger than one import chunk (IMPORT_CHUNK items) is still one request: applied in one
// transaction, items matching profiles created by earlier chunks, one launch per trigger, errors
// at their own index.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMPORT_CHUNK } from '../../src/core/imports/engine.js';
import { PARTED_MIN_BYTES } from '../../src/http/codecs/json.js';
import {
  batch,
  BATCH,
  call,
  count,
  getProfile,
  itemErrors,
  resultIds,
  rows,
  snapshot,
  startApi,
  WRITE_TOKEN,
} from '../helpers/api.js';
import type { Harness } from '../helpers/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startApi();
});
afterAll(() => h.close());

const SIZE = IMPORT_CHUNK * 2 + 10;

/** Items over three chunks: item i has email large.<i>; some reuse the email of an item in an earlier chunk. */
function items(tag: string, resourceId = 21): { data: Record<string, unknown> }[] {
  const out: { data: Record<string, unknown> }[] = [];
  for (let i = 0; i < SIZE; i++) {
    const email = `${tag}.${i}@example.com`;
    out.push({
      data: { email, _fname: `First${i}`, subscriptions: [{ channel: 'email', resource_id: resourceId, email }] },
    });
  }
  return out;
}

describe('a batch over several chunks', () => {
  it('is applied as its items one by one: later chunks update profiles created by earlier ones', async () => {
    const data = items('large');
    // Item IMPORT_CHUNK + 3 (second chunk) and the last item (third chunk) reuse the emails of items 5 and 7.
    data[IMPORT_CHUNK + 3] = { data: { email: 'large.5@example.com', _fname: 'Second chunk' } };
    data[SIZE - 1] = { data: { email: 'LARGE.7@example.com', _lname: 'Third chunk' } };
    data[IMPORT_CHUNK * 2 + 2] = { data: { email: 'not an email' } };
    const before = snapshot(h);
    const res = await batch(h, { matching: 'email', data });
    expect(res.status, res.body.slice(0, 300)).toBe(200);

    const ids = resultIds(res);
    expect(ids).toHaveLength(SIZE - 1);
    expect(itemErrors(res)).toEqual([
      {
        index: IMPORT_CHUNK * 2 + 2,
        error: 400,
        error_text: expect.any(String),
        error_debug: `data[${IMPORT_CHUNK * 2 + 2}].data.email: incorrect email "not an email"`,
      },
    ]);
    // result holds the successful items in input order: the failed one is left out.
    expect(ids[IMPORT_CHUNK + 3]).toBe(ids[5]);
    expect(ids[SIZE - 2]).toBe(ids[7]);
    expect(new Set(ids).size).toBe(SIZE - 3);

    const after = snapshot(h);
    expect(after.profiles - before.profiles).toBe(SIZE - 3);
    expect(after.messages - before.messages).toBe(SIZE - 1);
    expect(after.launches - before.launches).toBe(1);
    const launches = rows<{ n: number }>(
      h,
      'SELECT count(DISTINCT launch_id) AS n FROM messages WHERE id > (SELECT max(id) FROM messages) - ?',
      SIZE - 1,
    );
    expect(launches[0].n).toBe(1);

    expect(await getProfile(h, { matching: 'email', email: 'large.5@example.com' })).toMatchObject({
      _fname: 'Second chunk',
    });
    expect(await getProfile(h, { matching: 'email', email: 'large.7@example.com' })).toMatchObject({
      _fname: 'First7',
      _lname: 'Third chunk',
    });
  });

  it('starts event triggers once per batch, whatever the number of chunks', async () => {
    const before = snapshot(h);
    // Database 2 has an active api_import trigger (101) sending to resource 23.
    const res = await call(h, 'profiles/import_batch', { db_id: 2, matching: 'email', data: items('partner', 23) });
    expect(res.status, res.body.slice(0, 300)).toBe(200);
    expect(resultIds(res)).toHaveLength(SIZE);
    const after = snapshot(h);
    expect(after.profiles - before.profiles).toBe(SIZE);
    expect(after.launches - before.launches).toBe(1);
    expect(count(h, 'messages', 'trigger_id = 101')).toBe(SIZE);
  });
});

// A body from PARTED_MIN_BYTES on hands its items over a chunk at a time (src/http/codecs/json.ts):
// the same answers, and a bad item anywhere still fails the whole request with nothing written.
describe('a body large enough to be parsed a chunk at a time', () => {
  const PAD = 'p'.repeat(200);
  const bigItems = (tag: string) =>
    items(tag).map((item) => ({ data: { ...item.data, _fname: `${String(item.data._fname)}${PAD}` } }));
  const bodyOf = (data: unknown[]) => JSON.stringify({ token: WRITE_TOKEN, trigger_id: 96, matching: 'email', data });

  it('is applied as its items one by one, its errors at their own index', async () => {
    const data: unknown[] = bigItems('parted');
    data[IMPORT_CHUNK + 3] = { data: { email: 'parted.5@example.com', _fname: 'Second chunk' } };
    data[IMPORT_CHUNK * 2 + 2] = { data: { email: 'not an email' } };
    const body = bodyOf(data);
    expect(Buffer.byteLength(body)).toBeGreaterThan(PARTED_MIN_BYTES);
    const before = snapshot(h);
    const res = await h.post(BATCH, body);
    expect(res.status, res.body.slice(0, 300)).toBe(200);
    const ids = resultIds(res);
    expect(ids).toHaveLength(SIZE - 1);
    expect(ids[IMPORT_CHUNK + 3]).toBe(ids[5]);
    expect(itemErrors(res).map((e) => e.index)).toEqual([IMPORT_CHUNK * 2 + 2]);
    expect(snapshot(h).profiles - before.profiles).toBe(SIZE - 2);
    expect(await getProfile(h, { matching: 'email', email: 'parted.5@example.com' })).toMatchObject({
      _fname: 'Second chunk',
    });
    expect(await getProfile(h, { matching: 'email', email: `parted.${SIZE - 1}@example.com` })).toMatchObject({
      _fname: `First${SIZE - 1}${PAD}`,
    });
  });

  it('fails whole, writing nothing, when an item of its last chunk is not JSON or holds a prototype key', async () => {
    const text = bodyOf(bigItems('refused'));
    const lastItem = text.lastIndexOf('{"data"');
    for (const [bad, answer] of [
      [`${text.slice(0, lastItem)}{"data": tru}]}`, new RegExp(`^invalid JSON: data\\[${SIZE - 1}\\]: `)],
      [`${text.slice(0, lastItem)}{"data": {"__proto__": {}}}]}`, /__proto__: the key is not allowed$/],
    ] as const) {
      const before = snapshot(h);
      const res = await h.post(BATCH, bad);
      expect(res.status).toBe(400);
      expect(String(res.json.error_debug)).toMatch(answer);
      expect(snapshot(h)).toEqual(before);
    }
  });
});
