// Per-token rate limits (spec 01, Limits and rate) and where they sit in the check order:
// body size → parse → token (401) → role (403) → rate limit (429) → request key (409) →
// parameters (400/404). Limits come from the provisioning file and are off by default.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE, WRITE_TOKEN } from '../helpers/api.js';
import { startHarness, type Harness, type Response } from '../helpers/harness.js';

const LIMITED = 'limited-write-token-0123456789';
const LIMITED_READ = 'limited-read-token-0123456789';
const START_BATCH = 'campaigns/triggers/start_batch';

function provision(tokens: unknown[]): unknown {
  const file = JSON.parse(readFileSync(FIXTURE, 'utf8')) as { accounts: { tokens: unknown[] }[] };
  file.accounts[0].tokens.push(...tokens);
  return file;
}

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    provisionObject: provision([
      { token: LIMITED, role: 'write', rate_per_second: 1, burst: 2 },
      { token: LIMITED_READ, role: 'read', rate_per_second: 0.5 },
    ]),
  });
});
afterAll(() => h.close());

const send = (token: string, body: Record<string, unknown> = {}, opts?: Parameters<Harness['post']>[2]) =>
  h.post(START_BATCH, { token, trigger_id: 96, data: [{ email: 'nobody@example.com' }], ...body }, opts);

function expect429(res: Response, retryAfter: string): void {
  expect(res.status, res.body).toBe(429);
  expect(res.headers['retry-after']).toBe(retryAfter);
  expect(res.json).toEqual({
    error: 429,
    error_debug: expect.stringMatching(/rate limit \(1 requests per second, burst 2\) is exceeded/),
    error_text: 'Too many requests',
  });
}

describe('rate limits', () => {
  it('lets the burst through, then answers 429 with Retry-After until the bucket refills', async () => {
    h.clock.advance(10_000);
    expect((await send(LIMITED)).status).toBe(200);
    expect((await send(LIMITED)).status).toBe(200);
    expect429(await send(LIMITED), '1');
    const xml = await h.post(
      START_BATCH,
      `<xml><token>${LIMITED}</token><trigger_id>96</trigger_id><data><email>x@example.com</email></data></xml>`,
    );
    expect(xml.status).toBe(429);
    expect(xml.headers['retry-after']).toBe('1');
    expect(xml.body).toMatch(
      /^<xml><error>429<\/error><error_debug>the token's rate limit .*<\/error_debug><error_text>Too many requests<\/error_text><\/xml>$/,
    );
    h.clock.advance(1000);
    expect((await send(LIMITED)).status).toBe(200);
    expect429(await send(LIMITED), '1');
  });

  it('is off for a token without a limit', async () => {
    for (let i = 0; i < 20; i++) expect((await send(WRITE_TOKEN)).status).toBe(200);
  });

  it('rounds Retry-After up to whole seconds; a default burst is one second of the rate', async () => {
    h.clock.advance(10_000);
    const status = () => h.post('tasks/status', { token: LIMITED_READ, task_id: 'task_none' });
    expect((await status()).status).toBe(404);
    const limited = await status();
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('2');
  });
});

describe('check order', () => {
  it('answers 401 before 429, and 403 before 429 (a refused request uses no budget)', async () => {
    h.clock.advance(10_000);
    expect((await send('unknown-token-000')).status).toBe(401);
    for (let i = 0; i < 5; i++) {
      const res = await send(LIMITED_READ);
      expect(res.status).toBe(403);
      expect(res.json.error_debug).toMatch(/read token cannot call/);
    }
    expect((await h.post('tasks/status', { token: LIMITED_READ, task_id: 'task_none' })).status).toBe(404);
  });

  it('answers 429 before the request key: an over-limit repeat is not replayed', async () => {
    h.clock.advance(10_000);
    const first = await send(LIMITED, {}, { headers: { 'Request-ID': 'order-1' } });
    expect(first.status).toBe(200);
    expect((await send(LIMITED)).status).toBe(200);
    expect429(await send(LIMITED, {}, { headers: { 'Request-ID': 'order-1' } }), '1');
    h.clock.advance(1000);
    const replay = await send(LIMITED, {}, { headers: { 'Request-ID': 'order-1' } });
    expect(replay.headers['duplicate-request']).toBe('true');
    expect(replay.body).toBe(first.body);
  });

  it('answers 409 before parameter errors, and a body error before the token', async () => {
    h.clock.advance(10_000);
    await send(WRITE_TOKEN, {}, { headers: { 'Request-ID': 'order-2' } });
    const conflict = await send(
      WRITE_TOKEN,
      { trigger_id: 'not a number', data: [] },
      { headers: { 'Request-ID': 'order-2' } },
    );
    expect(conflict.status).toBe(409);
    const parse = await h.post(START_BATCH, '{"token": "unknown", ', { headers: { 'Request-ID': 'order-2' } });
    expect(parse.status).toBe(400);
    expect(parse.json.error_debug).toMatch(/^invalid JSON/);
  });
});

describe('provisioning', () => {
  it('rejects a rate that is not positive, and a burst without a rate', async () => {
    await expect(
      startHarness({ provisionObject: provision([{ token: 'bad-rate-token-0123456789', rate_per_second: 0 }]) }),
    ).rejects.toThrow(/accounts\[0\]\.tokens\[3\]\.rate_per_second: must be above 0, got 0/);
    await expect(
      startHarness({ provisionObject: provision([{ token: 'bad-burst-token-0123456789', burst: 5 }]) }),
    ).rejects.toThrow(/accounts\[0\]\.tokens\[3\]\.burst: needs rate_per_second/);
  });
});
