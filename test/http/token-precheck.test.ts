// The early token check the front makes before it reads a large body (src/http/token-precheck.ts),
// called directly against a real store: 200 means "read the body", anything else is the answer the
// request would get from the pipeline (404, 401, 403), in its format, with its log id.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite/store.js';
import type { ApiRequest } from '../../src/http/raw-request.js';
import { precheckToken } from '../../src/http/token-precheck.js';
import { BATCH, READ_TOKEN, REVOKED_TOKEN, startApi, WRITE_TOKEN } from '../helpers/api.js';
import type { Harness } from '../helpers/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startApi();
});
afterAll(() => h.close());

const request = (o: Partial<ApiRequest> = {}): ApiRequest => ({
  route: 'token',
  httpMethod: 'POST',
  method: BATCH,
  body: new Uint8Array(0),
  query: {},
  logId: 'log-1',
  ...o,
});
const envelope = (body: string) => JSON.parse(body) as { error: number; error_debug: string };

describe('the early token check', () => {
  it('lets a request without a header or query token go on (its body may hold the token)', async () => {
    // Even for an unknown method: without a token to check, the pipeline answers it in its own order.
    for (const r of [
      request(),
      request({ authorization: 'Basic x' }),
      request({ query: { token: '' } }),
      request({ method: 'campaigns/nothing_here' }),
    ])
      expect((await precheckToken(h.store, r)).status).toBe(200);
  });

  it('lets a known token of the right role go on, from the header or the query', async () => {
    expect((await precheckToken(h.store, request({ authorization: `Bearer ${WRITE_TOKEN}` }))).status).toBe(200);
    expect((await precheckToken(h.store, request({ query: { token: WRITE_TOKEN } }))).status).toBe(200);
    const read = request({ method: 'databases/list', authorization: `Bearer ${READ_TOKEN}` });
    expect((await precheckToken(h.store, read)).status).toBe(200);
  });

  it('answers an unknown or revoked token 401, with the log id, in JSON unless XML is asked for', async () => {
    const unknown = await precheckToken(h.store, request({ authorization: 'Bearer not-a-token' }));
    expect(unknown.status).toBe(401);
    expect(envelope(unknown.body)).toMatchObject({ error: 401, error_debug: 'the API token is unknown or revoked' });
    expect(unknown.headers['x-herald-log-id']).toBe('log-1');
    expect(unknown.contentType).toContain('application/json');
    const revoked = await precheckToken(h.store, request({ query: { token: REVOKED_TOKEN }, contentType: 'text/xml' }));
    expect(revoked.status).toBe(401);
    expect(revoked.contentType).toContain('application/xml');
    expect(revoked.body).toContain('<error>401</error>');
    const asked = await precheckToken(h.store, request({ query: { token: 'nope', format: 'xml' } }));
    expect(asked.body).toMatch(/^<xml><error>401<\/error>/);
  });

  it('the header token wins over the query’s', async () => {
    const r = request({ authorization: 'Bearer not-a-token', query: { token: WRITE_TOKEN } });
    expect((await precheckToken(h.store, r)).status).toBe(401);
    const ok = request({ authorization: `Bearer ${WRITE_TOKEN}`, query: { token: 'not-a-token' } });
    expect((await precheckToken(h.store, ok)).status).toBe(200);
  });

  it('answers a read token calling a write method 403, naming both', async () => {
    const res = await precheckToken(h.store, request({ authorization: `Bearer ${READ_TOKEN}` }));
    expect(res.status).toBe(403);
    expect(envelope(res.body).error_debug).toBe(`a read token cannot call ${BATCH}`);
  });

  it('answers an unknown method, or a method called with a verb it does not answer, 404 whatever the token', async () => {
    for (const r of [
      request({ method: 'campaigns/nothing_here', authorization: `Bearer ${WRITE_TOKEN}` }),
      request({ method: 'campaigns/nothing_here', authorization: 'Bearer not-a-token' }),
      request({ httpMethod: 'GET', authorization: `Bearer ${WRITE_TOKEN}` }),
    ]) {
      const res = await precheckToken(h.store, r);
      expect(res.status, r.method).toBe(404);
      expect(envelope(res.body).error_debug).toBe(`no method ${r.httpMethod} /api/v1.1/${r.method}`);
    }
  });

  it('lets the request go its normal way when the store does not answer', async () => {
    // A real store, closed: its lookups fail.
    const dir = mkdtempSync(join(tmpdir(), 'herald-precheck-'));
    const closed = new SqliteStore(join(dir, 'herald.db'));
    await closed.migrate();
    await closed.close();
    try {
      await expect(closed.findToken('x')).rejects.toThrow();
      expect((await precheckToken(closed, request({ authorization: 'Bearer not-a-token' }))).status).toBe(200);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
