// The client against a fake fetch: what it sends (URL, Bearer token, JSON, Request-ID) and how
// answers come back (the payload without the envelope; errors as HeraldError with the log id).
import { describe, expect, it } from 'vitest';
import { HeraldClient } from './client.js';
import { HeraldError } from './errors.js';

interface Sent {
  url: string;
  init: RequestInit;
}

function fakeFetch(answers: { status: number; body: string; headers?: Record<string, string> }[]): {
  fetch: typeof fetch;
  sent: Sent[];
} {
  const sent: Sent[] = [];
  const impl = async (url: string | URL | Request, init?: RequestInit) => {
    sent.push({ url: String(url), init: init ?? {} });
    const a = answers.shift();
    if (!a) throw new TypeError('fetch failed');
    return new Response(a.body, { status: a.status, headers: a.headers });
  };
  return { fetch: impl as typeof fetch, sent };
}

const ok = (payload: Record<string, unknown>) => ({
  status: 200,
  body: JSON.stringify({ error: 0, error_text: 'Successful operation', ...payload }),
  headers: { 'x-herald-log-id': 'log1' },
});

describe('HeraldClient', () => {
  it('posts JSON with the Bearer token to <base>/api/v1.1/<method> and answers the payload', async () => {
    const f = fakeFetch([ok({ data: { is_active: true, scheduled: 1, sent: 2, failed: 0, skipped: 0 } })]);
    const client = new HeraldClient({ baseUrl: 'http://herald.test:8080/', token: 'tok', fetch: f.fetch });
    const res = await client.call('campaigns/status', { id: 96 });
    expect(res).toEqual({ data: { is_active: true, scheduled: 1, sent: 2, failed: 0, skipped: 0 } });
    expect(f.sent[0].url).toBe('http://herald.test:8080/api/v1.1/campaigns/status');
    expect(f.sent[0].init.method).toBe('POST');
    const headers = f.sent[0].init.headers as Record<string, string>;
    expect(headers.authorization).toBe('Bearer tok');
    expect(headers['content-type']).toBe('application/json');
    expect(headers['request-id']).toBeUndefined();
    expect(JSON.parse(String(f.sent[0].init.body))).toEqual({ id: 96 });
  });

  it('sends a Request-ID when asked, and no token header without a token; the base defaults to the same origin', async () => {
    const f = fakeFetch([ok({ profile_id: 'p1' })]);
    const client = new HeraldClient({ fetch: f.fetch });
    await client.call('profiles/import', { db_id: 1, data: { email: 'a@example.com' } }, { requestId: 'key-1' });
    expect(f.sent[0].url).toBe('/api/v1.1/profiles/import');
    const headers = f.sent[0].init.headers as Record<string, string>;
    expect(headers['request-id']).toBe('key-1');
    expect(headers.authorization).toBeUndefined();
    expect(client.withToken('t2').token).toBe('t2');
  });

  it('throws a HeraldError with the code, texts, log id and Retry-After', async () => {
    const f = fakeFetch([
      {
        status: 404,
        body: JSON.stringify({ error: 404, error_debug: 'trigger 7 not found', error_text: 'Not found' }),
        headers: { 'x-herald-log-id': 'abc' },
      },
      {
        status: 429,
        body: JSON.stringify({ error: 429, error_debug: 'slow down', error_text: 'Too many requests' }),
        headers: { 'retry-after': '3' },
      },
    ]);
    const client = new HeraldClient({ token: 't', fetch: f.fetch });
    const err = await client.call('campaigns/triggers/get', { id: 7 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HeraldError);
    expect(err).toMatchObject({
      code: 404,
      text: 'Not found',
      debug: 'trigger 7 not found',
      logId: 'abc',
      retryAfter: undefined,
    });
    expect(String((err as Error).message)).toContain('404 Not found');
    const limited = await client.call('campaigns/triggers/get', { id: 7 }).catch((e: unknown) => e);
    expect(limited).toMatchObject({ code: 429, retryAfter: 3, logId: undefined });
  });

  it('turns an answer that is no envelope, and an unreachable server, into HeraldErrors', async () => {
    const f = fakeFetch([{ status: 502, body: '<html>Bad gateway</html>' }]);
    const client = new HeraldClient({ fetch: f.fetch });
    await expect(client.call('databases/list', {})).rejects.toMatchObject({
      code: 502,
      text: 'the answer is not a Herald envelope',
      debug: '<html>Bad gateway</html>',
    });
    await expect(client.call('databases/list', {})).rejects.toMatchObject({
      name: 'HeraldError',
      code: 0,
      text: 'the server could not be reached',
      debug: 'fetch failed',
    });
  });

  it('waits for a task, reporting progress, until it completes', async () => {
    const f = fakeFetch([
      ok({ data: { status: 'pending', progress: 0, result: null } }),
      ok({ data: { status: 'running', progress: 50, result: null } }),
      ok({ data: { status: 'completed', progress: 100, result: { result: [{ profile_id: 'p' }] } } }),
    ]);
    const seen: number[] = [];
    const done = await new HeraldClient({ fetch: f.fetch }).waitForTask('task_1', {
      intervalMs: 1,
      onProgress: (s) => seen.push(s.progress),
    });
    expect(done).toEqual({ status: 'completed', progress: 100, result: { result: [{ profile_id: 'p' }] } });
    expect(seen).toEqual([0, 50, 100]);
    expect(JSON.parse(String(f.sent[0].init.body))).toEqual({ task_id: 'task_1' });
  });

  it('gives up waiting after the timeout', async () => {
    const f = fakeFetch(
      Array.from({ length: 5 }, () => ok({ data: { status: 'running', progress: 10, result: null } })),
    );
    await expect(
      new HeraldClient({ fetch: f.fetch }).waitForTask('task_2', { intervalMs: 5, timeoutMs: 12 }),
    ).rejects.toMatchObject({ code: 0, text: 'task task_2 did not finish in time' });
  });
});
