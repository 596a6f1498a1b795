// How the front takes large bodies in, over real sockets: a header or query token is checked
// before a large body is read (a wrong one costs no buffer), and bodies share a memory budget —
// a request that would pass it is answered 503 with Retry-After in its envelope, not buffered.
// Limits are scaled down (1 MB bodies, 2 MB with attachments) so the tests move little data.
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type AppOptions } from '../../src/http/app.js';
import { BATCH, READ_TOKEN, startApi, WRITE_TOKEN, xmlValues } from '../helpers/api.js';
import type { Harness } from '../helpers/harness.js';
import { openRequest } from '../helpers/raw-http.js';

const MB = 1024 * 1024;

let h: Harness;
beforeAll(async () => {
  h = await startApi();
});
afterAll(() => h.close());

/** A listening front over the harness's engine, with small limits. */
async function front(o: Partial<AppOptions> = {}): Promise<{ port: number; app: FastifyInstance }> {
  const app = buildApp({
    dispatch: h.engine.dispatch,
    logger: pino({ level: 'silent' }),
    bodyLimit: MB,
    fileBodyLimit: 2 * MB,
    bodyBudget: 3 * MB,
    ...o,
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, port: (app.server.address() as AddressInfo).port };
}

let seq = 0;
/** A valid batch of about `bytes`, most of them attachment data (which the larger limit allows). */
function attachBody(bytes: number): Buffer {
  const email = `intake.${++seq}@example.com`;
  const data = `data:application/octet-stream;base64,${Buffer.alloc(Math.floor((bytes * 3) / 4), 7).toString('base64')}`;
  return Buffer.from(
    JSON.stringify({
      trigger_id: 96,
      attach: [{ name: 'a.bin', data }],
      data: [{ data: { email, subscriptions: [{ channel: 'email', resource_id: 21, email }] } }],
    }),
  );
}

const head = (length: number | 'chunked', extra: string[] = [], path = BATCH, type = 'application/json'): string[] => [
  `POST /api/v1.1/${path} HTTP/1.1`,
  'Host: herald.test',
  `Content-Type: ${type}`,
  length === 'chunked' ? 'Transfer-Encoding: chunked' : `Content-Length: ${length}`,
  ...extra,
];

describe('a large body with a header or query token', () => {
  let app: FastifyInstance;
  let port: number;
  beforeAll(async () => ({ app, port } = await front()));
  afterAll(() => app.close());

  it('is refused before a byte of it is read when the Bearer token is unknown (401, Connection: close)', async () => {
    // Only the headers are sent: an answer proves the server did not wait for the body.
    const x = openRequest(port, head(1.5 * MB, ['Authorization: Bearer not-a-token']));
    const a = await x.answer;
    expect(a.status).toBe(401);
    expect(JSON.parse(a.body)).toMatchObject({ error: 401, error_text: 'Invalid API token' });
    expect(a.headers.connection).toBe('close');
    expect(a.headers['x-herald-log-id']).toMatch(/^[0-9a-f]{16}$/);
    await x.closed;
  });

  it('the same for a query token, a revoked one, and a body of unknown length; XML is answered in XML', async () => {
    const query = openRequest(port, head(1.5 * MB, [], `${BATCH}?token=not-a-token`, 'application/xml'));
    const q = await query.answer;
    expect(q.status).toBe(401);
    expect(xmlValues(q.body, 'error')).toEqual(['401']);
    const revoked = await openRequest(port, head(1.5 * MB, ['Authorization: Bearer revoked-token-0123456789'])).answer;
    expect(revoked.status).toBe(401);
    const chunked = await openRequest(port, head('chunked', ['Authorization: Bearer not-a-token'])).answer;
    expect(chunked.status).toBe(401);
  });

  it('is refused before it is read when a read token calls a write method (403)', async () => {
    const a = await openRequest(port, head(1.5 * MB, [`Authorization: Bearer ${READ_TOKEN}`])).answer;
    expect(a.status).toBe(403);
    expect(JSON.parse(a.body)).toMatchObject({ error: 403 });
  });

  it('an unknown method is answered 404 before its body, whatever the token, as the pipeline checks the method first', async () => {
    const wide = await front({ bodyLimit: 4 * MB, fileBodyLimit: 4 * MB, bodyBudget: 8 * MB });
    try {
      const a = await openRequest(
        wide.port,
        head(1.5 * MB, ['Authorization: Bearer not-a-token'], 'campaigns/nothing_here'),
      ).answer;
      expect(a.status).toBe(404);
      expect(JSON.parse(a.body)).toMatchObject({ error: 404 });
    } finally {
      await wide.app.close();
    }
  });

  it('a client expecting 100-continue is told to send its body only once its token passed', async () => {
    const refused = openRequest(port, head(1.5 * MB, ['Authorization: Bearer not-a-token', 'Expect: 100-continue']));
    const r = await refused.answer;
    expect(r.status).toBe(401);
    const body = attachBody(1.5 * MB);
    const welcome = openRequest(
      port,
      head(body.length, [`Authorization: Bearer ${WRITE_TOKEN}`, 'Expect: 100-continue']),
    );
    const go = await welcome.answer;
    expect(go.status).toBe(100);
    welcome.send(body);
    expect((await welcome.next()).status).toBe(200);
    welcome.socket.destroy();
  });

  it('is read and handled when the token is valid', async () => {
    const body = attachBody(1.5 * MB);
    const x = openRequest(port, head(body.length, [`Authorization: Bearer ${WRITE_TOKEN}`]));
    x.send(body);
    const a = await x.answer;
    expect(a.status, a.body).toBe(200);
    expect((JSON.parse(a.body) as { result: unknown[] }).result).toHaveLength(1);
  });

  it('a small body keeps the order of checks: body, parse, then token', async () => {
    const x = openRequest(port, head(8, ['Authorization: Bearer not-a-token']), '{"broken');
    const a = await x.answer;
    expect(a.status).toBe(400);
    expect(JSON.parse(a.body).error_debug).toMatch(/invalid JSON/);
  });
});

describe('the memory budget for bodies', () => {
  it('two bodies that do not fit in it together: one is answered 503 with Retry-After, the other is read and handled; then the budget is free again', async () => {
    const { app, port } = await front({ bodyBudget: 3 * MB });
    try {
      const bodies = [attachBody(1.8 * MB), attachBody(1.8 * MB)];
      // Each sends its headers and the first bytes of its body, then waits: both are in flight.
      const xs = bodies.map((b) =>
        openRequest(port, head(b.length, [`Authorization: Bearer ${WRITE_TOKEN}`]), b.subarray(0, 1000)),
      );
      const [refused, index] = await Promise.race(xs.map((x, i) => x.answer.then((a) => [a, i] as const)));
      expect(refused.status).toBe(503);
      expect(refused.headers['retry-after']).toBe('5');
      expect(refused.headers.connection).toBe('close');
      expect(JSON.parse(refused.body)).toMatchObject({
        error: 503,
        error_text: 'Service unavailable',
        error_debug: expect.stringMatching(/large request bodies/),
      });
      const other = xs[1 - index];
      other.send(bodies[1 - index].subarray(1000));
      expect((await other.answer).status).toBe(200);
      // Its reservation was given back with its answer: another body that size fits again.
      const third = attachBody(1.8 * MB);
      const again = openRequest(port, head(third.length, [`Authorization: Bearer ${WRITE_TOKEN}`]), third);
      expect((await again.answer).status).toBe(200);
    } finally {
      await app.close();
    }
  });

  it("a declared length over what is free is refused before it is read, in the request's format (XML)", async () => {
    const { app, port } = await front({ bodyBudget: MB });
    try {
      const a = await openRequest(
        port,
        head(1.5 * MB, [`Authorization: Bearer ${WRITE_TOKEN}`], BATCH, 'application/xml'),
      ).answer;
      expect(a.status).toBe(503);
      expect(a.headers['retry-after']).toBe('5');
      expect(a.headers['content-type']).toContain('application/xml');
      expect(xmlValues(a.body, 'error')).toEqual(['503']);
    } finally {
      await app.close();
    }
  });

  it('a body of unknown length is counted as it arrives and refused once it outgrows the budget', async () => {
    const { app, port } = await front({ bodyBudget: MB });
    try {
      const x = openRequest(port, head('chunked', [`Authorization: Bearer ${WRITE_TOKEN}`]));
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      // Chunks keep coming until the server answers: it must refuse before the body ends.
      let answered = false;
      void x.answer.then(
        () => (answered = true),
        () => (answered = true),
      );
      for (let sent = 0; !answered && sent < 1.9 * MB; sent += chunk.length) {
        x.send(`${chunk.length.toString(16)}\r\n`);
        x.send(chunk);
        x.send('\r\n');
        await new Promise((r) => setImmediate(r));
      }
      const a = await x.answer;
      expect(a.status).toBe(503);
      expect(a.headers['retry-after']).toBe('5');
    } finally {
      await app.close();
    }
  });
});
