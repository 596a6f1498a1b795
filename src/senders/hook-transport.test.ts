// The action-hook transport against a real endpoint: 2xx delivered; any other answer, no answer in
// time or no connection is a failure the dispatcher retries, with the endpoint's Retry-After.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startHttpReceiver, type HttpReceiver } from '../../test/helpers/http-receiver.js';
import { httpHookTransport } from './hook-transport.js';
import { OutboundGuard, parseDenyList } from './outbound.js';

let http: HttpReceiver;
let silent: Server;
let silentUrl: string;
const guard = new OutboundGuard({ deny: parseDenyList('169.254.0.0/16'), timeoutMs: 300 });
const transport = httpHookTransport(guard);
beforeAll(async () => {
  http = await startHttpReceiver();
  // Takes the request and never answers.
  silent = createServer(() => undefined);
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  silentUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/hooks`;
});
afterAll(async () => {
  await http.close();
  silent.closeAllConnections();
  await new Promise((r) => silent.close(r));
  await guard.close();
});
beforeEach(() => {
  http.requests.length = 0;
  http.answers.length = 0;
  http.respond = undefined;
});

describe('the hook transport', () => {
  it('posts the body with its headers; any 2xx is delivered', async () => {
    http.answers.push(200, 204, 299);
    for (let i = 0; i < 3; i++)
      expect(
        await transport.post(`${http.url}/hooks`, '[{"a":1}]', {
          'content-type': 'application/json',
          'x-herald-signature': 'sha256=ab',
        }),
      ).toEqual({ ok: true });
    expect(http.requests.map((r) => [r.body, r.headers['x-herald-signature']])).toEqual(
      Array(3).fill(['[{"a":1}]', 'sha256=ab']),
    );
  });

  it('fails on any other status, keeping the Retry-After', async () => {
    http.answers.push(300, 404, 500);
    expect(await transport.post(`${http.url}/hooks`, '[]', {})).toEqual({ ok: false, error: 'HTTP 300' });
    expect(await transport.post(`${http.url}/hooks`, '[]', {})).toEqual({ ok: false, error: 'HTTP 404' });
    expect(await transport.post(`${http.url}/hooks`, '[]', {})).toEqual({ ok: false, error: 'HTTP 500' });
    http.respond = { status: 429, headers: { 'retry-after': '30' } };
    expect(await transport.post(`${http.url}/hooks`, '[]', {})).toEqual({
      ok: false,
      error: 'HTTP 429',
      retryAfterMs: 30_000,
    });
  });

  it('fails on no connection, a denied destination, or no answer within the timeout', async () => {
    expect(await transport.post('http://127.0.0.1:9/hooks', '[]', {})).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^ECONNREFUSED: /),
    });
    expect(await transport.post('http://169.254.169.254/hooks', '[]', {})).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^HERALD_DENIED_ADDRESS: /),
    });
    expect(await transport.post(silentUrl, '[]', {})).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^UND_ERR_HEADERS_TIMEOUT: /),
    });
  });
});
