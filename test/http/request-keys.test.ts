// Request deduplication (spec 01): a repeat of a keyed write request within 24 hours, with the
// same body and query, is not run again — it gets the original response byte for byte with the
// Duplicate-* headers; another body or query, or the first request still running, is a 409; the
// key's record commits in the transaction of the request's effects (a failure to record it
// leaves nothing written); checksum deduplication is opt-in.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../src/core/provisioning/tokens.js';
import { requestHash } from '../../src/http/request-keys.js';
import {
  BATCH,
  batch,
  call,
  count,
  FIXTURE,
  OTHER_TOKEN,
  READ_TOKEN,
  snapshot,
  startApi,
  WRITE_TOKEN,
} from '../helpers/api.js';
import { injectFault } from '../helpers/faults.js';
import { startHarness, type Harness, type Response } from '../helpers/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startApi();
});
afterAll(() => h.close());

let n = 0;
const key = () => `key-${++n}`;
const item = (tag: string) => ({
  data: {
    email: `${tag}.${++n}@example.com`,
    subscriptions: [{ channel: 'email', resource_id: 21, email: `${tag}.${n}@example.com` }],
  },
});

function expectDuplicate(first: Response, again: Response, k: string): void {
  expect(again.status).toBe(first.status);
  expect(again.body).toBe(first.body);
  expect(again.headers['content-type']).toBe(first.headers['content-type']);
  expect(again.headers['duplicate-key']).toBe(k);
  expect(again.headers['duplicate-request']).toBe('true');
  expect(again.headers['x-duplicate-key']).toBe(k);
  expect(again.headers['x-duplicate-request']).toBe('true');
  expect(again.headers['x-herald-log-id']).toMatch(/^[0-9a-f]{16}$/);
  expect(again.headers['x-herald-log-id']).not.toBe(first.headers['x-herald-log-id']);
}

function expectConflict(res: Response, debug: RegExp): void {
  expect(res.status, res.body).toBe(409);
  expect(res.json).toEqual({ error: 409, error_debug: expect.stringMatching(debug), error_text: 'Conflict' });
  expect(res.headers['duplicate-request']).toBeUndefined();
}

describe('a repeated request key', () => {
  it('replays the original response byte for byte and sends nothing new', async () => {
    const k = key();
    const body = { data: [item('replay'), item('replay')], content: { page: 'x' } };
    const first = await batch(h, body, { headers: { 'Request-ID': k } });
    expect(first.status, first.body).toBe(200);
    expect(first.headers['duplicate-request']).toBeUndefined();
    const before = snapshot(h);
    const again = await batch(h, body, { headers: { 'Request-ID': k } });
    expectDuplicate(first, again, k);
    expect(snapshot(h)).toEqual(before);
  });

  it('takes the key from X-Request-ID or the request_id query parameter too', async () => {
    const k1 = key();
    const body = { data: [item('x-header')] };
    const first = await batch(h, body, { headers: { 'X-Request-ID': k1 } });
    expectDuplicate(first, await batch(h, body, { headers: { 'Request-ID': k1 } }), k1);
    const k2 = key();
    const viaQuery = await batch(h, body, { query: `request_id=${k2}` });
    expect(viaQuery.status).toBe(200);
    expectDuplicate(viaQuery, await batch(h, body, { query: `request_id=${k2}` }), k2);
  });

  it('replays XML byte for byte', async () => {
    const k = key();
    const xml = `<xml><token>${WRITE_TOKEN}</token><trigger_id>96</trigger_id><data><email>xml.${k}@example.com</email></data></xml>`;
    const first = await h.post(BATCH, xml, { headers: { 'Request-ID': k } });
    expect(first.body).toMatch(/^<xml><error>0<\/error>/);
    const before = count(h, 'messages');
    expectDuplicate(first, await h.post(BATCH, xml, { headers: { 'Request-ID': k } }), k);
    expect(count(h, 'messages')).toBe(before);
  });

  it('replays a final error response (a 400) as well', async () => {
    const k = key();
    const body = { trigger_id: 98, data: [item('paused')] };
    const first = await batch(h, body, { headers: { 'Request-ID': k } });
    expect(first.status).toBe(400);
    expectDuplicate(first, await batch(h, body, { headers: { 'Request-ID': k } }), k);
  });

  it('answers 409 for another body or another query with the same key, running nothing', async () => {
    const k = key();
    await batch(h, { data: [item('first')] }, { headers: { 'Request-ID': k } });
    const before = snapshot(h);
    expectConflict(
      await batch(h, { data: [item('second')] }, { headers: { 'Request-ID': k } }),
      /was used with another body or query/,
    );
    expectConflict(
      await batch(h, { data: [item('second')] }, { headers: { 'Request-ID': k }, query: 'format=json' }),
      /another body or query/,
    );
    expect(snapshot(h)).toEqual(before);
  });

  it('answers 409 for the same body with another query: the query is part of the request', async () => {
    const k = key();
    const body = { data: [item('query')] };
    const first = await batch(h, body, { headers: { 'Request-ID': k }, query: 'lang=en' });
    expect(first.status, first.body).toBe(200);
    const before = snapshot(h);
    expectConflict(
      await batch(h, body, { headers: { 'Request-ID': k }, query: 'lang=ru' }),
      /was used with another body or query/,
    );
    expectConflict(await batch(h, body, { headers: { 'Request-ID': k } }), /was used with another body or query/);
    expect(snapshot(h)).toEqual(before);
    expectDuplicate(first, await batch(h, body, { headers: { 'Request-ID': k }, query: 'lang=en' }), k);
  });

  it('answers 409 while the first request is in progress, and runs after its lease ran out', async () => {
    const k = key();
    const body = { token: WRITE_TOKEN, trigger_id: 96, data: [item('progress')] };
    // The first request with this key was claimed by a process that is still running it (or died).
    const claim = await h.store.claimRequestKey({
      scope: { tokenHash: hashToken(WRITE_TOKEN), method: BATCH, key: k },
      accountId: 1,
      requestHash: requestHash({ method: BATCH, query: {}, body: Buffer.from(JSON.stringify(body)) }),
      now: h.clock.now(),
      leaseMs: 30_000,
      keepMs: 86_400_000,
    });
    expect(claim.kind).toBe('claimed');
    const before = snapshot(h);
    expectConflict(await h.post(BATCH, body, { headers: { 'Request-ID': k } }), /still being processed/);
    expect(snapshot(h)).toEqual(before);
    h.clock.advance(30_001);
    const res = await h.post(BATCH, body, { headers: { 'Request-ID': k } });
    expect(res.status, res.body).toBe(200);
    expect(snapshot(h).messages).toBe(before.messages + 1);
  });

  it('keeps keys apart by token and by method; forgets them after 24 hours', async () => {
    const k = key();
    const body = { data: [item('scope')] };
    await batch(h, body, { headers: { 'Request-ID': k } });
    const other = await call(
      h,
      BATCH,
      { token: OTHER_TOKEN, trigger_id: 200, ...body },
      { headers: { 'Request-ID': k } },
    );
    expect(other.status, other.body).toBe(200);
    expect(other.headers['duplicate-request']).toBeUndefined();
    const single = await call(
      h,
      'campaigns/triggers/import_and_start',
      { trigger_id: 96, data: item('scope2').data },
      { headers: { 'Request-ID': k } },
    );
    expect(single.status, single.body).toBe(200);
    expect(single.headers['duplicate-request']).toBeUndefined();
    h.clock.advance(24 * 3_600_000);
    const later = await batch(h, body, { headers: { 'Request-ID': k } });
    expect(later.status).toBe(200);
    expect(later.headers['duplicate-request']).toBeUndefined();
  });

  it('commits the key with the effects: when its record cannot be written, nothing is, and a retry runs once', async () => {
    const k = key();
    const body = { data: [item('atomic'), item('atomic')] };
    const before = snapshot(h);
    // The statement that records the response fails (as a full disk would make it fail).
    const heal = injectFault(h, {
      table: 'request_keys',
      op: 'UPDATE',
      when: `NEW.key = '${k}' AND NEW.state = 'done'`,
      message: 'disk full',
    });
    let failed: Response;
    try {
      failed = await batch(h, body, { headers: { 'Request-ID': k } });
    } finally {
      heal();
    }
    expect(failed.status).toBe(500);
    expect(snapshot(h)).toEqual(before);
    const retried = await batch(h, body, { headers: { 'Request-ID': k } });
    expect(retried.status, retried.body).toBe(200);
    expect(snapshot(h).messages).toBe(before.messages + 2);
    expectDuplicate(retried, await batch(h, body, { headers: { 'Request-ID': k } }), k);
    expect(snapshot(h).messages).toBe(before.messages + 2);
  });

  it('applies to every write method, returns the same task_id for a replayed task, and is ignored by read methods', async () => {
    const k = key();
    const task = { trigger_id: 96, data: [item('task')] };
    const first = await call(h, 'campaigns/triggers/import_and_start_batch_task', task, {
      headers: { 'Request-ID': k },
    });
    const tasks = count(h, 'tasks');
    const again = await call(h, 'campaigns/triggers/import_and_start_batch_task', task, {
      headers: { 'Request-ID': k },
    });
    expectDuplicate(first, again, k);
    expect(again.json.data).toEqual(first.json.data);
    expect(count(h, 'tasks')).toBe(tasks);

    const profile = { db_id: 1, data: { email: `${k}@example.com` } };
    const imported = await call(h, 'profiles/import', profile, { headers: { 'Request-ID': k } });
    expectDuplicate(imported, await call(h, 'profiles/import', profile, { headers: { 'Request-ID': k } }), k);

    const keys = count(h, 'request_keys');
    const status = await call(
      h,
      'tasks/status',
      { token: READ_TOKEN, task_id: (first.json.data as { task_id: string }).task_id },
      { headers: { 'Request-ID': k } },
    );
    expect(status.status).toBe(200);
    expect(count(h, 'request_keys')).toBe(keys);
  });

  it('replays a method whose store writes run outside a transaction of the handler (campaigns/triggers/add)', async () => {
    const k = key();
    const body = { name: `Keyed ${k}`, send_channel: 'email', trigger_type: 'api_call', content: [{ message_id: 5 }] };
    const triggers = count(h, 'triggers');
    const first = await call(h, 'campaigns/triggers/add', body, { headers: { 'Request-ID': k } });
    expect(first.status, first.body).toBe(200);
    expectDuplicate(first, await call(h, 'campaigns/triggers/add', body, { headers: { 'Request-ID': k } }), k);
    expect(count(h, 'triggers')).toBe(triggers + 1);
  });

  it('runs a request without a key every time (checksum deduplication is off by default)', async () => {
    const body = { data: [item('nokey')] };
    const before = count(h, 'messages');
    await batch(h, body);
    const again = await batch(h, body);
    expect(again.headers['duplicate-request']).toBeUndefined();
    expect(count(h, 'messages')).toBe(before + 2);
  });

  it('refuses a key that is too long or not printable ASCII', async () => {
    const res = await batch(h, { data: [item('long')] }, { headers: { 'Request-ID': 'k'.repeat(256) } });
    expect(res.status).toBe(400);
    expect(res.json.error_debug).toMatch(/^Request-ID: expected 1 to 255 printable ASCII characters$/);
    const before = snapshot(h);
    const tab = await batch(h, { data: [item('tab')] }, { query: `request_id=${encodeURIComponent('a\tb')}` });
    expect(tab.status).toBe(400);
    expect(tab.json.error_debug).toBe('Request-ID: expected 1 to 255 printable ASCII characters');
    const cyrillic = await batch(h, { data: [item('cyr')] }, { query: `request_id=${encodeURIComponent('ключ')}` });
    expect(cyrillic.status).toBe(400);
    expect(snapshot(h)).toEqual(before);
  });

  it('takes a key of 255 characters, and the same key with spaces around it as the same key', async () => {
    const longest = `${++n}`.padEnd(255, 'k');
    const body = { data: [item('edge')] };
    // (In the query string, where the spaces reach Herald; a header's are cut by HTTP itself.)
    const query = `request_id=%20${longest}%20`;
    const first = await batch(h, body, { query });
    expect(first.status, first.body).toBe(200);
    expectDuplicate(first, await batch(h, body, { query }), longest);
    // A blank key is no key: the request runs every time.
    const messages = count(h, 'messages');
    const once = await batch(h, { data: [item('blank')] }, { query: 'request_id=%20%20' });
    const again = await batch(h, { data: [item('blank')] }, { query: 'request_id=%20%20' });
    expect([once.status, again.status]).toEqual([200, 200]);
    expect(again.headers['duplicate-request']).toBeUndefined();
    expect(count(h, 'messages')).toBe(messages + 2);
  });
});

describe('checksum deduplication (HERALD_DEDUP_CHECKSUM=true)', () => {
  it('treats an identical request without a key as a repeat', async () => {
    const c = await startHarness({ provision: FIXTURE, env: { HERALD_DEDUP_CHECKSUM: 'true' } });
    try {
      const body = { token: WRITE_TOKEN, trigger_id: 96, data: [{ data: { email: 'sum@example.com' } }] };
      const first = await c.post(BATCH, body);
      const again = await c.post(BATCH, body);
      expectDuplicate(
        first,
        again,
        `sha256:${requestHash({ method: BATCH, query: {}, body: Buffer.from(JSON.stringify(body)) })}`,
      );
      const other = await c.post(BATCH, { ...body, content: { x: 1 } });
      expect(other.headers['duplicate-request']).toBeUndefined();
      expect(c.sql<{ n: number }>('SELECT count(*) AS n FROM messages')[0].n).toBe(2);
      // The same body with a query is another request: it runs.
      const withQuery = await c.post(BATCH, body, { query: 'lang=en' });
      expect(withQuery.status, withQuery.body).toBe(200);
      expect(withQuery.headers['duplicate-request']).toBeUndefined();
      expect(c.sql<{ n: number }>('SELECT count(*) AS n FROM messages')[0].n).toBe(3);
    } finally {
      await c.close();
    }
  });
});
