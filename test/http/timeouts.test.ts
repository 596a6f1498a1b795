// Slow clients are cut off, over real sockets: headers that never end, a request that never
// completes, a body that trickles (a byte now and then keeps no connection). The timeouts are set
// tiny here and each test waits for the server to close the connection — the default values are
// in docs/DEPLOY.md; no test depends on how fast that happens.
import { connect, type AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type FrontTimeouts } from '../../src/http/app.js';
import { BATCH, startApi, WRITE_TOKEN } from '../helpers/api.js';
import type { Harness } from '../helpers/harness.js';
import { openRequest } from '../helpers/raw-http.js';

let h: Harness;
beforeAll(async () => {
  h = await startApi();
});
afterAll(() => h.close());

async function front(timeouts: Partial<FrontTimeouts>): Promise<{ port: number; app: FastifyInstance }> {
  const app = buildApp({
    dispatch: h.engine.dispatch,
    logger: pino({ level: 'silent' }),
    bodyLimit: 1024 * 1024,
    fileBodyLimit: 2 * 1024 * 1024,
    timeouts,
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, port: (app.server.address() as AddressInfo).port };
}

const head = (length: number) => [
  `POST /api/v1.1/${BATCH} HTTP/1.1`,
  'Host: herald.test',
  'Content-Type: application/json',
  `Content-Length: ${length}`,
];

describe('slow clients', () => {
  it('a body that trickles below the minimum rate is cut: 408 in the envelope, then the connection closes', async () => {
    const { app, port } = await front({ bodyMs: 200, bodyMinRate: 1000 });
    try {
      const x = openRequest(port, head(1000), '{');
      // A byte now and then, as long as the connection lives: far below 1,000 bytes a second.
      const trickle = setInterval(() => x.send(' '), 50);
      const a = await x.answer;
      clearInterval(trickle);
      expect(a.status).toBe(408);
      expect(a.headers.connection).toBe('close');
      expect(JSON.parse(a.body)).toMatchObject({
        error: 408,
        error_text: 'Request timeout',
        error_debug: expect.stringMatching(/slower than 1000 bytes per second/),
      });
      await x.closed;
    } finally {
      await app.close();
    }
  });

  it('a body that keeps the rate but never ends is cut by the request timeout', async () => {
    const { app, port } = await front({ requestMs: 300, headersMs: 100, bodyMs: 0 });
    try {
      const x = openRequest(port, head(1_500_000), `{"token":"${WRITE_TOKEN}",`);
      const trickle = setInterval(() => x.send(' '.repeat(1000)), 20);
      await x.closed;
      clearInterval(trickle);
      // Node answers 408 as it closes; a client still sending may see only the reset.
      const a = await x.answer.catch(() => undefined);
      if (a) expect(a.status).toBe(408);
    } finally {
      await app.close();
    }
  });

  it('headers that never end are cut by the headers timeout', async () => {
    const { app, port } = await front({ headersMs: 100, requestMs: 100_000 });
    try {
      const socket = connect(port, '127.0.0.1');
      socket.on('error', () => undefined);
      const closed = new Promise((r) => socket.once('close', r));
      socket.write(`POST /api/v1.1/${BATCH} HTTP/1.1\r\nHost: herald.test\r\n`);
      // The blank line that ends the headers never comes; a header line now and then.
      const trickle = setInterval(() => socket.write('X-Slow: 1\r\n'), 20);
      await closed;
      clearInterval(trickle);
    } finally {
      await app.close();
    }
  });

  it('a body at a normal pace is read and handled', async () => {
    const { app, port } = await front({ bodyMs: 200, bodyMinRate: 10 });
    try {
      const email = 'paced@example.com';
      const body = Buffer.from(
        JSON.stringify({
          token: WRITE_TOKEN,
          trigger_id: 96,
          data: [{ data: { email, subscriptions: [{ channel: 'email', resource_id: 21, email }] } }],
        }),
      );
      const x = openRequest(port, head(body.length));
      x.send(body);
      const a = await x.answer;
      expect(a.status, a.body).toBe(200);
      x.socket.destroy();
    } finally {
      await app.close();
    }
  });
});
