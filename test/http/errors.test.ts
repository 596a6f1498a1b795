// Spec 01 at the HTTP level: the envelope, every error code, token sources and their order,
// roles, not-found cases, parameter validation with the failing path, the `format` parameter,
// the coercion rule and unknown keys — in JSON and XML.
import { importedAll } from '../helpers/subscriptions.js';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BATCH,
  batch,
  call,
  getProfile,
  itemErrors,
  LEAK,
  OTHER_TOKEN,
  rawExchange,
  READ_TOKEN,
  resultIds,
  REVOKED_TOKEN,
  rows,
  SINGLE,
  snapshot,
  startApi,
  WRITE_TOKEN,
  xmlValues,
} from '../helpers/api.js';
import { injectFault } from '../helpers/faults.js';
import { TEST_STORE, type Harness, type Response } from '../helpers/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startApi();
});
afterAll(() => h.close());

let seq = 0;
/** A fresh address for every test, so tests never depend on each other's profiles. */
const uniq = (tag: string) => `${tag}.${++seq}@example.com`;

function expectError(res: Response, code: number, text: string, debug?: RegExp | string): void {
  expect(res.status).toBe(code);
  expect(Object.keys(res.json)).toEqual(['error', 'error_debug', 'error_text']);
  expect(res.json.error).toBe(code);
  expect(res.json.error_text).toBe(text);
  expect(typeof res.json.error_debug).toBe('string');
  expect(res.json.error_debug).not.toBe('');
  if (typeof debug === 'string') expect(res.json.error_debug).toBe(debug);
  else if (debug) expect(res.json.error_debug).toMatch(debug);
  expect(res.headers['x-herald-log-id']).toMatch(/^[0-9a-f]{16}$/);
  expect(res.headers['content-type']).toContain('application/json');
  expect(res.body).not.toMatch(LEAK);
}

function expectXmlError(res: Response, code: number, text: string, debug?: RegExp): void {
  expect(res.status).toBe(code);
  expect(res.headers['content-type']).toContain('application/xml');
  expect(res.body).toMatch(
    new RegExp(`^<xml><error>${code}</error><error_debug>[^<]+</error_debug><error_text>${text}</error_text></xml>$`),
  );
  if (debug) expect(xmlValues(res.body, 'error_debug')[0]).toMatch(debug);
  expect(res.headers['x-herald-log-id']).toMatch(/^[0-9a-f]{16}$/);
  expect(res.body).not.toMatch(LEAK);
}

const item = (email: string, extra: Record<string, unknown> = {}) => ({
  data: { email, subscriptions: [{ channel: 'email', resource_id: 21, email }], ...extra },
});

describe('envelope', () => {
  it('success: keys error, error_text, payload; HTTP 200; a log id', async () => {
    const res = await batch(h, { data: [item(uniq('env'))] });
    expect(res.status).toBe(200);
    expect(Object.keys(res.json)).toEqual(['error', 'error_text', 'result']);
    expect(res.json.error).toBe(0);
    expect(res.json.error_text).toBe('Successful operation');
    expect(res.headers['x-herald-log-id']).toMatch(/^[0-9a-f]{16}$/);
  });

  it('success in XML: same order, no prolog', async () => {
    const email = uniq('envx');
    const res = await h.post(
      BATCH,
      `<xml><token>${WRITE_TOKEN}</token><trigger_id>96</trigger_id><data><email>${email}</email></data></xml>`,
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatch(
      /^<xml><error>0<\/error><error_text>Successful operation<\/error_text><result><profile_id>[0-9a-f]{24}<\/profile_id><\/result><\/xml>$/,
    );
    expect(res.body).not.toContain('<?xml');
  });

  it('failure: keys error, error_debug, error_text in that order, HTTP status = error code', async () => {
    for (const [res, code] of [
      [await h.post(BATCH, { trigger_id: 96, data: [item(uniq('x'))] }), 401],
      [await h.post(BATCH, { token: READ_TOKEN, trigger_id: 96, data: [item(uniq('x'))] }), 403],
      [await batch(h, { trigger_id: 4242, data: [item(uniq('x'))] }), 404],
      [await batch(h, { trigger_id: 'x', data: [item(uniq('x'))] }), 400],
    ] as const) {
      expect(res.status).toBe(code);
      expect(res.json.error).toBe(code);
      expect(Object.keys(res.json)).toEqual(['error', 'error_debug', 'error_text']);
    }
  });

  it('every response carries its own X-Herald-Log-Id', async () => {
    const responses = [
      await batch(h, { data: [item(uniq('log'))] }),
      await batch(h, { trigger_id: 'nope', data: [item(uniq('log'))] }),
      await h.post(BATCH, { data: [] }),
      await h.post('no/such/method', { token: WRITE_TOKEN }),
      await h.post(BATCH, '{"token":', { contentType: 'application/json' }),
    ];
    const get = await h.app.inject({ method: 'GET', url: `/api/v1.1/${BATCH}` });
    const elsewhere = await h.app.inject({
      method: 'POST',
      url: '/api/v2/anything',
      payload: '{}',
      headers: { 'content-type': 'application/json' },
    });
    const ids = [
      ...responses.map((r) => r.headers['x-herald-log-id']),
      get.headers['x-herald-log-id'],
      elsewhere.headers['x-herald-log-id'],
    ];
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{16}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('401: the token', () => {
  const body = () => ({ trigger_id: 96, data: [item(uniq('auth'))] });

  it('no token at all: "API token required", nothing written', async () => {
    const before = snapshot(h);
    expectError(await h.post(BATCH, body()), 401, 'API token required', /token/);
    expectError(await h.post(BATCH, { ...body(), token: '' }), 401, 'API token required');
    expectError(await h.post(BATCH, body(), { headers: { authorization: 'Bearer ' } }), 401, 'API token required');
    expectError(await h.post(BATCH, body(), { query: 'token=' }), 401, 'API token required');
    expect(snapshot(h)).toEqual(before);
  });

  it('no token in XML answers in XML', async () => {
    const res = await h.post(BATCH, `<xml><trigger_id>96</trigger_id><data><email>${uniq('ax')}</email></data></xml>`);
    expectXmlError(res, 401, 'API token required');
  });

  it('an unknown or revoked token: "Invalid API token", the token never echoed', async () => {
    const before = snapshot(h);
    const secret = 'zzzz-not-a-real-token-zzzz';
    const unknown = await h.post(BATCH, { ...body(), token: secret });
    expectError(unknown, 401, 'Invalid API token');
    expect(unknown.body).not.toContain(secret);
    expectError(await h.post(BATCH, { ...body(), token: REVOKED_TOKEN }), 401, 'Invalid API token');
    expectError(
      await h.post(BATCH, body(), { headers: { authorization: `Bearer ${secret}` } }),
      401,
      'Invalid API token',
    );
    expectError(await h.post(BATCH, body(), { query: `token=${secret}` }), 401, 'Invalid API token');
    expect(snapshot(h)).toEqual(before);
  });

  it('an unknown token in XML', async () => {
    const res = await h.post(
      BATCH,
      `<xml><token>nope-nope</token><trigger_id>96</trigger_id><data><email>${uniq('ax')}</email></data></xml>`,
    );
    expectXmlError(res, 401, 'Invalid API token');
    expect(res.body).not.toContain('nope-nope');
  });

  it('the token may come from the body, a Bearer header or the query string', async () => {
    const viaBody = await h.post(BATCH, { ...body(), token: WRITE_TOKEN });
    const viaBearer = await h.post(BATCH, body(), { headers: { authorization: `Bearer ${WRITE_TOKEN}` } });
    const viaLowerBearer = await h.post(BATCH, body(), { headers: { authorization: `bearer ${WRITE_TOKEN}` } });
    const viaQuery = await h.post(BATCH, body(), { query: `token=${WRITE_TOKEN}` });
    const viaXml = await h.post(
      BATCH,
      `<xml><token>${WRITE_TOKEN}</token><trigger_id>96</trigger_id><data><email>${uniq('ax')}</email></data></xml>`,
    );
    for (const res of [viaBody, viaBearer, viaLowerBearer, viaQuery]) {
      expect(res.status).toBe(200);
      expect(resultIds(res)).toHaveLength(1);
    }
    expect(viaXml.status).toBe(200);
  });

  it('order: body token, then Bearer header, then query token', async () => {
    const bad = 'wrong-token-wrong-token';
    // The body wins over the header and the query, whichever of them is valid.
    expect(
      (
        await h.post(
          BATCH,
          { ...body(), token: WRITE_TOKEN },
          { headers: { authorization: `Bearer ${bad}` }, query: `token=${bad}` },
        )
      ).status,
    ).toBe(200);
    expectError(
      await h.post(
        BATCH,
        { ...body(), token: bad },
        { headers: { authorization: `Bearer ${WRITE_TOKEN}` }, query: `token=${WRITE_TOKEN}` },
      ),
      401,
      'Invalid API token',
    );
    // Without a body token, the header wins over the query.
    expect(
      (await h.post(BATCH, body(), { headers: { authorization: `Bearer ${WRITE_TOKEN}` }, query: `token=${bad}` }))
        .status,
    ).toBe(200);
    expectError(
      await h.post(BATCH, body(), { headers: { authorization: `Bearer ${bad}` }, query: `token=${WRITE_TOKEN}` }),
      401,
      'Invalid API token',
    );
    // The header decides the role too: a read token in the header beats a write token in the query.
    const readViaHeader = await h.post(BATCH, body(), {
      headers: { authorization: `Bearer ${READ_TOKEN}` },
      query: `token=${WRITE_TOKEN}`,
    });
    expectError(readViaHeader, 403, 'Access denied');
  });

  it('another account’s token sees none of this account’s objects (404, like a missing one)', async () => {
    const email = uniq('acc');
    expect((await batch(h, { data: [item(email)] })).status).toBe(200);
    expectError(
      await h.post(BATCH, { token: OTHER_TOKEN, trigger_id: 96, data: [item(uniq('acc'))] }),
      404,
      'Not found',
      'trigger 96 not found',
    );
    expectError(
      await h.post('profiles/get', { token: OTHER_TOKEN, db_id: 1, email }),
      404,
      'Not found',
      'database 1 not found',
    );
    expectError(
      await batch(h, { trigger_id: 200, data: [item(uniq('acc'))] }),
      404,
      'Not found',
      'trigger 200 not found',
    );
    expectError(
      await batch(h, { resource_id: 31, data: [item(uniq('acc'))] }),
      404,
      'Not found',
      'resource 31 not found',
    );
    expectError(await call(h, 'profiles/get', { db_id: 3, email }), 404, 'Not found', 'database 3 not found');
    // The same lookups on a missing id answer in exactly the same way.
    expectError(
      await batch(h, { trigger_id: 201, data: [item(uniq('acc'))] }),
      404,
      'Not found',
      'trigger 201 not found',
    );
  });
});

describe('403: a read token on a write method', () => {
  it('refuses every writing method and writes nothing, in JSON and XML', async () => {
    const before = snapshot(h);
    const email = uniq('ro');
    const writes: [string, Record<string, unknown>][] = [
      [BATCH, { trigger_id: 96, data: [item(email)] }],
      [SINGLE, { trigger_id: 96, data: item(email).data }],
      ['profiles/import', { db_id: 1, data: { email } }],
      ['profiles/import_batch', { db_id: 1, data: [{ data: { email } }] }],
      ['profiles/update', { db_id: 1, email, data: { _fname: 'X' } }],
      ['profiles/delete', { db_id: 1, email }],
    ];
    for (const [method, body] of writes) {
      expectError(
        await h.post(method, { token: READ_TOKEN, ...body }),
        403,
        'Access denied',
        new RegExp(`read token cannot call ${method}`),
      );
    }
    const xml = await h.post(
      BATCH,
      `<xml><token>${READ_TOKEN}</token><trigger_id>96</trigger_id><data><email>${email}</email></data></xml>`,
    );
    expectXmlError(xml, 403, 'Access denied');
    expect(snapshot(h)).toEqual(before);
  });

  it('allows reading', async () => {
    const email = uniq('ro');
    const id = resultIds(await batch(h, { data: [item(email)] }))[0];
    const res = await h.post('profiles/get', { token: READ_TOKEN, db_id: 1, email });
    expect(res.status).toBe(200);
    expect((res.json.data as { id: string }).id).toBe(id);
  });

  it('the role is checked before the parameters, the token before the role, parsing before the token', async () => {
    expectError(await h.post(BATCH, { token: READ_TOKEN }), 403, 'Access denied');
    expectError(await h.post(BATCH, { token: 'unknown-token-1234', trigger_id: 'bad' }), 401, 'Invalid API token');
    expectError(await h.post(BATCH, { trigger_id: 'bad' }), 401, 'API token required');
    expectError(
      await h.post(BATCH, '{"trigger_id": 96,', { contentType: 'application/json' }),
      400,
      'Invalid request',
      /^invalid JSON: /,
    );
  });
});

describe('404: not found', () => {
  it('an unknown method path, in JSON and in XML', async () => {
    expectError(
      await h.post('campaigns/triggers/import_and_launch', { token: WRITE_TOKEN }),
      404,
      'Not found',
      /import_and_launch/,
    );
    expectXmlError(
      await h.post('campaigns/nothing', `<xml><token>${WRITE_TOKEN}</token></xml>`),
      404,
      'Not found',
      /campaigns\/nothing/,
    );
    const outside = await h.app.inject({
      method: 'POST',
      url: '/api/v1.0/profiles/get',
      payload: '{}',
      headers: { 'content-type': 'application/json' },
    });
    expect(outside.statusCode).toBe(404);
    expect(JSON.parse(outside.body)).toMatchObject({ error: 404, error_text: 'Not found' });
  });

  it('an unknown path is 404 whatever the token (no token, unknown token, read token)', async () => {
    expectError(await h.post('profiles/nothing', {}), 404, 'Not found', /profiles\/nothing/);
    expectError(await h.post('profiles/nothing', { token: 'not-a-token' }), 404, 'Not found');
    expectError(await h.post('profiles/nothing', { token: READ_TOKEN }), 404, 'Not found');
    const withToken = await h.post('profiles/nothing', {}, { query: `token=${WRITE_TOKEN}` });
    expectError(withToken, 404, 'Not found');
    expect(withToken.body).not.toContain(WRITE_TOKEN);
  });

  it('another HTTP verb on a method path', async () => {
    for (const method of ['GET', 'PUT', 'DELETE', 'PATCH'] as const) {
      const res = await h.app.inject({ method, url: `/api/v1.1/profiles/get?token=${WRITE_TOKEN}&db_id=1` });
      expect(res.statusCode).toBe(404);
      const json = JSON.parse(res.body);
      expect(Object.keys(json)).toEqual(['error', 'error_debug', 'error_text']);
      expect(json).toMatchObject({ error: 404, error_text: 'Not found' });
      expect(json.error_debug).toContain(method);
      expect(json.error_debug).not.toContain(WRITE_TOKEN);
    }
    const xml = await h.app.inject({ method: 'GET', url: `/api/v1.1/${BATCH}?format=xml` });
    expect(xml.statusCode).toBe(404);
    expect(xml.body).toMatch(
      /^<xml><error>404<\/error><error_debug>[^<]+<\/error_debug><error_text>Not found<\/error_text><\/xml>$/,
    );
  });

  it('an unknown trigger_id: 404 and nothing written', async () => {
    const before = snapshot(h);
    expectError(
      await batch(h, { trigger_id: 9999, data: [item(uniq('nf'))] }),
      404,
      'Not found',
      'trigger 9999 not found',
    );
    expectError(
      await h.post(SINGLE, { token: WRITE_TOKEN, id: 9999, data: item(uniq('nf')).data }),
      404,
      'Not found',
      'trigger 9999 not found',
    );
    const xml = await h.post(
      BATCH,
      `<xml><token>${WRITE_TOKEN}</token><trigger_id>9999</trigger_id><data><email>${uniq('nf')}</email></data></xml>`,
    );
    expectXmlError(xml, 404, 'Not found', /^trigger 9999 not found$/);
    expect(snapshot(h)).toEqual(before);
  });

  it('an unknown db_id', async () => {
    for (const method of ['profiles/get', 'profiles/delete', 'profiles/update', 'profiles/import']) {
      expectError(
        await call(h, method, { db_id: 77, email: uniq('nf'), data: { _fname: 'A' } }),
        404,
        'Not found',
        'database 77 not found',
      );
    }
    expectError(
      await call(h, 'profiles/import_batch', { list_id: 77, data: [{ data: { email: uniq('nf') } }] }),
      404,
      'Not found',
      'database 77 not found',
    );
  });

  it('an unknown resource_id', async () => {
    const before = snapshot(h);
    expectError(
      await batch(h, { resource_id: 999, data: [item(uniq('nf'))] }),
      404,
      'Not found',
      'resource 999 not found',
    );
    expectError(
      await call(h, 'profiles/get', { db_id: 1, resource_id: 999, email: uniq('nf') }),
      404,
      'Not found',
      'resource 999 not found',
    );
    expect(snapshot(h)).toEqual(before);
  });
});

describe('400: parameters', () => {
  it('missing or empty root parameters name the parameter', async () => {
    const before = snapshot(h);
    expectError(
      await h.post(BATCH, { token: WRITE_TOKEN, data: [item(uniq('p'))] }),
      400,
      'Invalid request',
      /^trigger_id\b.*required/,
    );
    expectError(
      await h.post(BATCH, { token: WRITE_TOKEN, trigger_id: 96 }),
      400,
      'Invalid request',
      /^data\b.*required/,
    );
    expectError(await batch(h, { data: [] }), 400, 'Invalid request', /^data\b.*empty/);
    expectError(
      await batch(h, { data: item(uniq('p')) }),
      400,
      'Invalid request',
      /^data: expected an array, got an object$/,
    );
    expectError(await batch(h, { data: 'x' }), 400, 'Invalid request', /^data: expected an array/);
    expectError(await call(h, 'profiles/get', { email: uniq('p') }), 400, 'Invalid request', /^db_id\b.*required/);
    expectError(
      await call(h, SINGLE, { trigger_id: 96, data: [item(uniq('p')).data] }),
      400,
      'Invalid request',
      /^data: expected an object, got an array$/,
    );
    expect(snapshot(h)).toEqual(before);
  });

  it('`id` is accepted for trigger_id and `list_id` for db_id', async () => {
    const email = uniq('syn');
    const res = await h.post(BATCH, { token: WRITE_TOKEN, id: 85, data: [item(email)] });
    expect(res.status).toBe(200);
    expect(rows(h, 'SELECT trigger_id FROM messages WHERE profile_id = ?', resultIds(res)[0])).toEqual([
      { trigger_id: 85 },
    ]);
    const get = await call(h, 'profiles/get', { list_id: 1, email });
    expect(get.status).toBe(200);
  });

  it('ill-typed root parameters name the parameter and the value', async () => {
    const data = [item(uniq('t'))];
    expectError(
      await batch(h, { trigger_id: 'abc', data }),
      400,
      'Invalid request',
      'trigger_id: expected an integer, got "abc"',
    );
    expectError(
      await batch(h, { trigger_id: 9.5, data }),
      400,
      'Invalid request',
      'trigger_id: expected an integer, got 9.5',
    );
    expectError(await batch(h, { trigger_id: 0, data }), 400, 'Invalid request', /^trigger_id: must be at least 1/);
    expectError(await batch(h, { trigger_id: true, data }), 400, 'Invalid request', /^trigger_id: expected an integer/);
    expectError(
      await batch(h, { skip_triggers: 'yes', data }),
      400,
      'Invalid request',
      'skip_triggers: expected a boolean, got "yes"',
    );
    expectError(
      await batch(h, { detect_geo: 2, data }),
      400,
      'Invalid request',
      'detect_geo: expected a boolean, got 2',
    );
    expectError(
      await batch(h, { skip_invalid_subscriptions: [], data }),
      400,
      'Invalid request',
      /^skip_invalid_subscriptions: expected a boolean/,
    );
    expectError(
      await batch(h, { resource_id: 'r21', data }),
      400,
      'Invalid request',
      /^resource_id: expected an integer/,
    );
    expectError(await batch(h, { content: 'hello', data }), 400, 'Invalid request', /^content: expected an object/);
    expectError(await batch(h, { custom_data: [1], data }), 400, 'Invalid request', /^custom_data: expected an object/);
    expectError(
      await batch(h, { subscription_filter: 'a@b.cc', data }),
      400,
      'Invalid request',
      /^subscription_filter: expected an object/,
    );
    expectError(
      await batch(h, { subscription_filter: { email: 'not-an-email' }, data }),
      400,
      'Invalid request',
      /^subscription_filter\.email: incorrect email/,
    );
    expectError(
      await batch(h, { subscription_filter: { not_strict: 'maybe' }, data }),
      400,
      'Invalid request',
      /^subscription_filter\.not_strict: expected a boolean/,
    );
    expectError(await batch(h, { email: { a: 1 }, data }), 400, 'Invalid request', /^email: expected a string/);
  });

  it('ill-typed values inside items fail the item with the full path in error_debug', async () => {
    const good = uniq('ok');
    const res = await batch(h, {
      data: [
        item(good),
        {
          data: {
            email: uniq('bad'),
            subscriptions: [
              { channel: 'email', resource_id: 21, email: uniq('s') },
              { channel: 'email', resource_id: 'abc', email: uniq('s') },
            ],
          },
        },
        { data: { email: uniq('bad'), CRM_ID: 'twelve' } },
        'not an item',
        { email: uniq('flat'), CRM_ID: 'twelve' },
        {
          data: {
            email: uniq('bad'),
            subscriptions: [{ channel: 'sms', resource_id: 21, phone: '+79001234567', priority: 'high' }],
          },
        },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.json.error).toBe(0);
    expect(resultIds(res)).toHaveLength(1);
    expect(itemErrors(res)).toEqual([
      {
        index: 1,
        error: 400,
        error_text: 'Invalid request',
        error_debug: 'data[1].data.subscriptions[1].resource_id: invalid subscription: expected an integer, got "abc"',
      },
      {
        index: 2,
        error: 400,
        error_text: 'Invalid request',
        error_debug: 'data[2].data.CRM_ID: expected an integer, got "twelve"',
      },
      {
        index: 3,
        error: 400,
        error_text: 'Invalid request',
        error_debug: 'data[3]: expected an object, got "not an item"',
      },
      {
        index: 4,
        error: 400,
        error_text: 'Invalid request',
        error_debug: 'data[4].CRM_ID: expected an integer, got "twelve"',
      },
      {
        index: 5,
        error: 400,
        error_text: 'Invalid request',
        error_debug: 'data[5].data.subscriptions[0].priority: invalid subscription: expected an integer, got "high"',
      },
    ]);
  });

  it('a single-profile method names the path from data', async () => {
    const before = snapshot(h);
    expectError(
      await call(h, SINGLE, { trigger_id: 96, data: { email: uniq('s'), CRM_ID: 'x' } }),
      400,
      'Invalid request',
      'data.CRM_ID: expected an integer, got "x"',
    );
    expectError(
      await call(h, 'profiles/import', {
        db_id: 1,
        data: { email: uniq('s'), subscriptions: [{ channel: 'email', resource_id: 'abc', email: uniq('s') }] },
      }),
      400,
      'Invalid request',
      'data.subscriptions[0].resource_id: invalid subscription: expected an integer, got "abc"',
    );
    expect(snapshot(h)).toEqual(before);
  });

  it('XML items name the element path', async () => {
    const res = await h.post(
      BATCH,
      `<xml><token>${WRITE_TOKEN}</token><trigger_id>96</trigger_id>` +
        `<data><email>${uniq('x')}</email><CRM_ID>abc</CRM_ID></data>` +
        `<data><data><email>${uniq('x')}</email><subscriptions array="true"><channel>email</channel><resource_id>abc</resource_id><email>${uniq('x')}</email></subscriptions></data></data>` +
        `</xml>`,
    );
    expect(res.status).toBe(200);
    expect(xmlValues(res.body, 'error_debug')).toEqual([
      'data[0].CRM_ID: expected an integer, got "abc"',
      'data[1].data.subscriptions[0].resource_id: invalid subscription: expected an integer, got "abc"',
    ]);
    expect(res.body).toMatch(
      /^<xml><error>0<\/error><error_text>Successful operation<\/error_text><result\/><errors><index>0<\/index><error>400<\/error>/,
    );
  });

  it('XML empty elements: "" for strings, [] for arrays, 400 for other types', async () => {
    expectXmlError(
      await h.post(BATCH, `<xml><token>${WRITE_TOKEN}</token><trigger_id>96</trigger_id><data/></xml>`),
      400,
      'Invalid request',
      /^data: must not be empty$/,
    );
    expectXmlError(
      await h.post(
        BATCH,
        `<xml><token>${WRITE_TOKEN}</token><trigger_id></trigger_id><data><email>${uniq('e')}</email></data></xml>`,
      ),
      400,
      'Invalid request',
      /^trigger_id: expected an integer, got ""$/,
    );
    const [bad, good] = [uniq('empty'), uniq('empty')];
    const res = await h.post(
      BATCH,
      `<xml><token>${WRITE_TOKEN}</token><trigger_id>96</trigger_id>` +
        `<data><email>${bad}</email><CRM_ID></CRM_ID></data>` +
        `<data><email>${good}</email><_fname/><interests></interests><phones/></data></xml>`,
    );
    expect(res.status).toBe(200);
    expect(xmlValues(res.body, 'error_debug')).toEqual(['data[0].CRM_ID: expected an integer, got ""']);
    expect(await getProfile(h, { email: good })).toMatchObject({ _fname: '', interests: [], phones: [] });
    expect(await getProfile(h, { email: bad })).toBeUndefined();
  });

  it('an XML scalar given twice is a 400', async () => {
    const res = await h.post(
      BATCH,
      `<xml><token>${WRITE_TOKEN}</token><trigger_id>96</trigger_id><trigger_id>85</trigger_id><data><email>${uniq('x')}</email></data></xml>`,
    );
    expectXmlError(res, 400, 'Invalid request', /^trigger_id: expected an integer, got an array$/);
  });

  it('an inactive trigger: 400, nothing written', async () => {
    const before = snapshot(h);
    expectError(
      await batch(h, { trigger_id: 98, data: [item(uniq('ina'))] }),
      400,
      'Invalid request',
      'trigger 98 is not active',
    );
    expectXmlError(
      await h.post(
        BATCH,
        `<xml><token>${WRITE_TOKEN}</token><trigger_id>98</trigger_id><data><email>${uniq('ina')}</email></data></xml>`,
      ),
      400,
      'Invalid request',
      /trigger 98 is not active/,
    );
    expect(snapshot(h)).toEqual(before);
  });

  it('a trigger that is not api_call cannot be launched by the API', async () => {
    const before = snapshot(h);
    expectError(
      await batch(h, { trigger_id: 101, data: [item(uniq('imp'))] }),
      400,
      'Invalid request',
      /trigger 101 is of type api_import/,
    );
    expect(snapshot(h)).toEqual(before);
  });

  it('an unknown matching mode, and custom_sub, are 400 naming the mode', async () => {
    const before = snapshot(h);
    expectError(
      await batch(h, { matching: 'fuzzy', data: [item(uniq('m'))] }),
      400,
      'Invalid request',
      /^matching: unknown matching mode "fuzzy"; expected one of email, email_profile, email_sub, phone, phone_sub, email_phone, email_phone_sub, profile_id, push_sub, custom$/,
    );
    expectError(
      await batch(h, { matching: 'custom_sub', field_name: 'CRM_ID', data: [item(uniq('m'))] }),
      400,
      'Invalid request',
      /^matching: matching mode custom_sub .*not supported$/,
    );
    expectError(
      await batch(h, { matching: 'EMAIL', data: [item(uniq('m'))] }),
      400,
      'Invalid request',
      /unknown matching mode "EMAIL"/,
    );
    expectError(
      await call(h, 'profiles/get', { db_id: 1, matching: 'custom_sub', field_value: 1 }),
      400,
      'Invalid request',
      /custom_sub/,
    );
    expectXmlError(
      await h.post(
        BATCH,
        `<xml><token>${WRITE_TOKEN}</token><trigger_id>96</trigger_id><matching>custom_sub</matching><data><email>${uniq('m')}</email></data></xml>`,
      ),
      400,
      'Invalid request',
      /custom_sub/,
    );
    expect(snapshot(h)).toEqual(before);
  });

  it('custom matching needs a known, matchable field_name (request-level)', async () => {
    const before = snapshot(h);
    expectError(
      await batch(h, { matching: 'custom', data: [item(uniq('c'))] }),
      400,
      'Invalid request',
      'field_name is required for matching custom',
    );
    expectError(
      await batch(h, { matching: 'custom', field_name: 'nope', data: [item(uniq('c'))] }),
      400,
      'Invalid request',
      "field_name: field 'nope' is not a custom field of database 1",
    );
    expectError(
      await batch(h, { matching: 'custom', field_name: '_fname', data: [item(uniq('c'))] }),
      400,
      'Invalid request',
      "field_name: field '_fname' is not a custom field of database 1",
    );
    expectError(
      await batch(h, { matching: 'custom', field_name: 'attrs', data: [item(uniq('c'))] }),
      400,
      'Invalid request',
      /field 'attrs' of type object cannot be matched/,
    );
    expect(snapshot(h)).toEqual(before);
  });

  it('a malformed timeout: unknown key, negative, not an integer, over 365 days', async () => {
    const before = snapshot(h);
    const data = [item(uniq('to'))];
    expectError(
      await batch(h, { timeout: { weeks: 1 }, data }),
      400,
      'Invalid request',
      /^timeout: unknown key "weeks"; expected days, hours, minutes$/,
    );
    expectError(
      await batch(h, { timeout: { days: -1 }, data }),
      400,
      'Invalid request',
      'timeout.days: must not be negative, got -1',
    );
    expectError(
      await batch(h, { timeout: { minutes: '-5' }, data }),
      400,
      'Invalid request',
      'timeout.minutes: must not be negative, got -5',
    );
    expectError(
      await batch(h, { timeout: { hours: 1.5 }, data }),
      400,
      'Invalid request',
      'timeout.hours: expected an integer, got 1.5',
    );
    expectError(
      await batch(h, { timeout: { days: 366 }, data }),
      400,
      'Invalid request',
      'timeout: the total delay is over 365 days',
    );
    expectError(
      await batch(h, { timeout: { days: 365, minutes: 1 }, data }),
      400,
      'Invalid request',
      'timeout: the total delay is over 365 days',
    );
    expectError(
      await batch(h, { timeout: { hours: 8761 }, data }),
      400,
      'Invalid request',
      'timeout: the total delay is over 365 days',
    );
    expectError(await batch(h, { timeout: 60, data }), 400, 'Invalid request', /^timeout: expected an object/);
    expectXmlError(
      await h.post(
        BATCH,
        `<xml><token>${WRITE_TOKEN}</token><trigger_id>96</trigger_id><timeout><days>-1</days></timeout><data><email>${uniq('to')}</email></data></xml>`,
      ),
      400,
      'Invalid request',
      /^timeout\.days: must not be negative/,
    );
    expect(snapshot(h)).toEqual(before);
    // Exactly 365 days is allowed.
    const ok = await batch(h, { timeout: { days: 365 }, data: [item(uniq('to'))] });
    expect(ok.status).toBe(200);
    expect(rows(h, 'SELECT due_at FROM messages WHERE profile_id = ?', resultIds(ok)[0])).toEqual([
      { due_at: h.clock.now() + 365 * 86_400_000 },
    ]);
  });

  it('attach on a non-email trigger is 400 (sms and push), nothing written', async () => {
    const before = snapshot(h);
    const attach = [{ name: 'a.txt', data: 'data:text/plain;base64,aGVsbG8=' }];
    const sub = { channel: 'sms', resource_id: 21, phone: '+79001112233' };
    expectError(
      await batch(h, { trigger_id: 97, attach, data: [{ data: { phones: '+79001112233', subscriptions: [sub] } }] }),
      400,
      'Invalid request',
      'attach: trigger 97 sends sms; attachments are for email triggers only',
    );
    expectError(
      await batch(h, { trigger_id: 99, attach: attach[0], data: [item(uniq('at'))] }),
      400,
      'Invalid request',
      /^attach: trigger 99 sends push/,
    );
    expectXmlError(
      await h.post(
        BATCH,
        `<xml><token>${WRITE_TOKEN}</token><trigger_id>97</trigger_id><attach><name>a.txt</name><data>data:text/plain;base64,aGVsbG8=</data></attach><data><phones>+79001112233</phones></data></xml>`,
      ),
      400,
      'Invalid request',
      /^attach: trigger 97 sends sms/,
    );
    expect(snapshot(h)).toEqual(before);
    // An empty attach is no attachment at all.
    const ok = await batch(h, {
      trigger_id: 97,
      attach: [],
      data: [{ data: { phones: '+79001112234', subscriptions: [{ ...sub, phone: '+79001112234' }] } }],
    });
    expect(ok.status).toBe(200);
  });

  it('a malformed data URI is 400 naming the attachment', async () => {
    const before = snapshot(h);
    const data = [item(uniq('uri'))];
    expectError(
      await batch(h, { attach: [{ name: 'a.txt', data: 'hello' }], data }),
      400,
      'Invalid request',
      /^attach\[0\]\.data: malformed data URI/,
    );
    expectError(
      await batch(h, {
        attach: [
          { name: 'ok.txt', data: 'data:text/plain;base64,aGk=' },
          { name: 'b.txt', data: 'data:text/plain;base64,@@@' },
        ],
        data,
      }),
      400,
      'Invalid request',
      /^attach\[1\]\.data: malformed data URI: the data is not base64$/,
    );
    expectError(
      await batch(h, { attach: { name: 'c.txt', data: 'data:;base64,aGk=' }, data }),
      400,
      'Invalid request',
      /^attach\[0\]\.data: malformed data URI/,
    );
    expectError(
      await batch(h, { attach: [{ name: 'd.txt', data: 'data:text/plain,hello' }], data }),
      400,
      'Invalid request',
      /^attach\[0\]\.data: malformed data URI/,
    );
    expectError(
      await batch(h, { attach: [{ name: 'e.txt' }], data }),
      400,
      'Invalid request',
      /^attach\[0\]\.data\b.*required/,
    );
    expectError(
      await batch(h, { attach: ['data:text/plain;base64,aGk='], data }),
      400,
      'Invalid request',
      /^attach\[0\]: expected an object/,
    );
    expectXmlError(
      await h.post(
        BATCH,
        `<xml><token>${WRITE_TOKEN}</token><trigger_id>96</trigger_id><attach><name>x</name><data>nope</data></attach><data><email>${uniq('uri')}</email></data></xml>`,
      ),
      400,
      'Invalid request',
      /^attach\[0\]\.data: malformed data URI/,
    );
    expect(snapshot(h)).toEqual(before);
  });

  it('unknown profile fields are rejected, per item', async () => {
    const good = uniq('uf');
    const res = await batch(h, {
      data: [{ data: { email: uniq('uf'), shoe_size: 43 } }, item(good), { data: { email: uniq('uf'), crm_id: 5 } }],
    });
    expect(res.status).toBe(200);
    expect(resultIds(res)).toHaveLength(1);
    expect(itemErrors(res)).toEqual([
      {
        index: 0,
        error: 400,
        error_text: 'Invalid request',
        error_debug: "data[0].data: field 'shoe_size' is not defined in database 1",
      },
      {
        index: 2,
        error: 400,
        error_text: 'Invalid request',
        error_debug: "data[2].data: field 'crm_id' is not defined in database 1",
      },
    ]);
    expectError(
      await call(h, SINGLE, { trigger_id: 96, data: { email: uniq('uf'), shoe_size: 43 } }),
      400,
      'Invalid request',
      /field 'shoe_size' is not defined in database 1/,
    );
    const xml = await h.post(
      BATCH,
      `<xml><token>${WRITE_TOKEN}</token><trigger_id>96</trigger_id><data><email>${uniq('uf')}</email><shoe_size>43</shoe_size></data></xml>`,
    );
    expect(xml.status).toBe(200);
    expect(xmlValues(xml.body, 'error_debug')).toEqual(["data[0]: field 'shoe_size' is not defined in database 1"]);
  });

  it('read-only fields are rejected', async () => {
    const before = snapshot(h);
    const fields = ['id', 'db_id', '_createtime', '_updatetime', '_md5', '_emaildomain'];
    const res = await batch(h, { data: fields.map((f) => ({ data: { email: uniq('rof'), [f]: 'x' } })) });
    expect(resultIds(res)).toEqual([]);
    expect(itemErrors(res).map((e) => e.error_debug)).toEqual(
      fields.map((f, i) => `data[${i}].data: field '${f}' is read-only`),
    );
    expect(snapshot(h)).toEqual(before);
  });
});

describe('transport and format', () => {
  it('a trailing slash is accepted on every path', async () => {
    const email = uniq('slash');
    const res = await h.app.inject({
      method: 'POST',
      url: `/api/v1.1/${BATCH}/`,
      payload: JSON.stringify({ token: WRITE_TOKEN, trigger_id: 96, data: [item(email)] }),
      headers: { 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(200);
    const get = await h.app.inject({
      method: 'POST',
      url: '/api/v1.1/profiles/get/',
      payload: JSON.stringify({ token: WRITE_TOKEN, db_id: 1, email }),
      headers: { 'content-type': 'application/json' },
    });
    expect(get.statusCode).toBe(200);
    expect(JSON.parse(get.body).data.email).toBe(email);
    const ro = await h.app.inject({
      method: 'POST',
      url: '/api/v1.1/profiles/delete/',
      payload: JSON.stringify({ token: READ_TOKEN, db_id: 1, email }),
      headers: { 'content-type': 'application/json' },
    });
    expect(ro.statusCode).toBe(403);
  });

  it('format=xml in a JSON body answers in XML (success and failure)', async () => {
    const ok = await batch(h, { format: 'xml', data: [item(uniq('fmt'))] });
    expect(ok.status).toBe(200);
    expect(ok.headers['content-type']).toContain('application/xml');
    expect(ok.body).toMatch(
      /^<xml><error>0<\/error><error_text>Successful operation<\/error_text><result><profile_id>[0-9a-f]{24}<\/profile_id><\/result><\/xml>$/,
    );
    expectXmlError(
      await batch(h, { format: 'xml', trigger_id: 98, data: [item(uniq('fmt'))] }),
      400,
      'Invalid request',
      /not active/,
    );
    expectXmlError(await h.post(BATCH, { format: 'xml', token: 'bad-token-bad' }), 401, 'Invalid API token');
  });

  it('format=json in an XML body answers in JSON', async () => {
    const ok = await h.post(
      BATCH,
      `<xml><token>${WRITE_TOKEN}</token><format>json</format><trigger_id>96</trigger_id><data><email>${uniq('fmt')}</email></data></xml>`,
    );
    expect(ok.status).toBe(200);
    expect(ok.headers['content-type']).toContain('application/json');
    expect(resultIds(ok)).toHaveLength(1);
    expectError(
      await h.post(BATCH, `<xml><format>json</format><trigger_id>96</trigger_id></xml>`),
      401,
      'API token required',
    );
  });

  it('format in the query string', async () => {
    const xml = await batch(h, { data: [item(uniq('fmt'))] }, { query: 'format=xml' });
    expect(xml.headers['content-type']).toContain('application/xml');
    expect(xml.body).toMatch(/^<xml><error>0<\/error>/);
    const json = await h.post(
      BATCH,
      `<xml><token>${WRITE_TOKEN}</token><trigger_id>96</trigger_id><data><email>${uniq('fmt')}</email></data></xml>`,
      { query: 'format=json' },
    );
    expect(json.headers['content-type']).toContain('application/json');
    expect(json.json.error).toBe(0);
    // Even an unparsable body is answered in the format the query asks for.
    expectXmlError(
      await h.post(BATCH, '{"token":', { contentType: 'application/json', query: 'format=xml' }),
      400,
      'Invalid request',
      /^invalid JSON: /,
    );
  });

  it('format=csv (or anything else) is treated as absent', async () => {
    const json = await batch(h, { format: 'csv', data: [item(uniq('csv'))] });
    expect(json.status).toBe(200);
    expect(json.headers['content-type']).toContain('application/json');
    expect(resultIds(json)).toHaveLength(1);
    const xml = await h.post(
      BATCH,
      `<xml><token>${WRITE_TOKEN}</token><format>csv</format><trigger_id>96</trigger_id><data><email>${uniq('csv')}</email></data></xml>`,
    );
    expect(xml.status).toBe(200);
    expect(xml.body).toMatch(/^<xml><error>0<\/error>/);
    const q = await batch(h, { data: [item(uniq('csv'))] }, { query: 'format=csv' });
    expect(q.headers['content-type']).toContain('application/json');
    expect(q.json.error).toBe(0);
    const err = await batch(h, { format: 'yaml', trigger_id: 'x', data: [item(uniq('csv'))] });
    expectError(err, 400, 'Invalid request', /^trigger_id/);
  });

  it('without a known content type, a body starting with < is XML, anything else JSON', async () => {
    const xml = await h.post(
      BATCH,
      `  \n<xml><token>${WRITE_TOKEN}</token><trigger_id>96</trigger_id><data><email>${uniq('ct')}</email></data></xml>`,
      { contentType: 'text/plain' },
    );
    expect(xml.status).toBe(200);
    expect(xml.headers['content-type']).toContain('application/xml');
    const json = await h.post(BATCH, JSON.stringify({ token: WRITE_TOKEN, trigger_id: 96, data: [item(uniq('ct'))] }), {
      contentType: 'application/x-www-form-urlencoded',
    });
    expect(json.status).toBe(200);
    expect(json.json.error).toBe(0);
    const textXml = await h.post(
      BATCH,
      `<xml><token>${WRITE_TOKEN}</token><trigger_id>96</trigger_id><data><email>${uniq('ct')}</email></data></xml>`,
      { contentType: 'text/xml; charset=utf-8' },
    );
    expect(textXml.status).toBe(200);
    const jsonCharset = await h.post(
      BATCH,
      JSON.stringify({ token: WRITE_TOKEN, trigger_id: 96, data: [item(uniq('ct'))] }),
      { contentType: 'application/json; charset=utf-8' },
    );
    expect(jsonCharset.status).toBe(200);
  });
});

describe('the coercion rule', () => {
  it('integers as digit strings, booleans as true/"true"/1/"1" and their negatives', async () => {
    const email = uniq('coerce');
    const res = await batch(h, {
      trigger_id: '96',
      skip_invalid_subscriptions: 'true',
      detect_geo: '0',
      skip_triggers: 1,
      data: [
        {
          data: {
            email,
            _ip: '8.8.8.8',
            subscriptions: [
              { channel: 'email', resource_id: '21', email, status: '0', priority: '3' },
              { channel: 'fax', resource_id: 21 },
            ],
          },
        },
      ],
    });
    expect(res.status).toBe(200);
    const id = resultIds(res)[0];
    expect(rows(h, 'SELECT trigger_id, address FROM messages WHERE profile_id = ?', id)).toEqual([
      { trigger_id: 96, address: email },
    ]);
    const p = await getProfile(h, { email });
    // detect_geo "0" is false: nothing filled from the public IP.
    expect(p).not.toHaveProperty('_country');
    // skip_invalid_subscriptions "true": the fax entry was dropped, the profile imported.
    expect(importedAll(p?.subscriptions)).toEqual([
      { channel: 'email', resource_id: 21, email, status: 0, priority: 3, custom_fields: {}, cats: [] },
    ]);

    const geo = await batch(h, { detect_geo: 'true', data: [{ data: { email: uniq('coerce'), _ip: '8.8.8.8' } }] });
    const withGeo = await getProfile(h, { matching: 'profile_id', profile_id: resultIds(geo)[0] });
    expect(withGeo?._country).toBe('US');

    const strict = await batch(h, {
      skip_invalid_subscriptions: 0,
      data: [{ data: { email: uniq('coerce'), subscriptions: [{ channel: 'fax', resource_id: 21 }] } }],
    });
    expect(resultIds(strict)).toEqual([]);
    expect(itemErrors(strict)[0].error_debug).toBe(
      'data[0].data.subscriptions[0]: invalid subscription: unknown channel "fax"',
    );
  });

  it('a number given for a string field becomes its decimal text; digit strings become ints', async () => {
    const email = uniq('num');
    const res = await batch(h, {
      data: [{ data: { email, _fname: 123, Custom_ID: 4.5, CRM_ID: '0042', custom_field: -7 } }],
    });
    expect(res.status).toBe(200);
    const p = await getProfile(h, { email });
    expect(p).toMatchObject({ _fname: '123', Custom_ID: '4.5', CRM_ID: 42, custom_field: -7 });
  });

  it('anything else is a 400 naming the path', async () => {
    const res = await batch(h, {
      data: [
        { data: { email: uniq('bad'), CRM_ID: 1.5 } },
        { data: { email: uniq('bad'), CRM_ID: '9007199254740993' } },
        { data: { email: uniq('bad'), vip: 'yes' } },
        { data: { email: uniq('bad'), _fname: true } },
        { data: { email: uniq('bad'), _fname: { first: 'A' } } },
      ],
    });
    expect(resultIds(res)).toEqual([]);
    expect(itemErrors(res).map((e) => e.error_debug)).toEqual([
      'data[0].data.CRM_ID: expected an integer, got 1.5',
      'data[1].data.CRM_ID: expected an integer, got "9007199254740993"',
      'data[2].data.vip: expected a boolean, got "yes"',
      'data[3].data._fname: expected a string, got true',
      'data[4].data._fname: expected a string, got an object',
    ]);
  });

  it('XML values are typed by the schema', async () => {
    const email = uniq('xmlc');
    const res = await h.post(
      BATCH,
      `<xml><token>${WRITE_TOKEN}</token><trigger_id>96</trigger_id><skip_triggers>false</skip_triggers>` +
        `<data><email>${email}</email><CRM_ID>77</CRM_ID><vip>1</vip><score>2.5</score><_fname>0042</_fname>` +
        `<subscriptions><channel>email</channel><resource_id>21</resource_id><email>${email}</email><status>0</status><priority>2</priority></subscriptions></data></xml>`,
    );
    expect(res.status).toBe(200);
    const p = await getProfile(h, { email });
    expect(p).toMatchObject({ CRM_ID: 77, vip: true, score: 2.5, _fname: '0042' });
    expect(importedAll(p?.subscriptions)).toEqual([
      { channel: 'email', resource_id: 21, email, status: 0, priority: 2, custom_fields: {}, cats: [] },
    ]);
  });
});

describe('unknown keys', () => {
  it('unknown root, item and subscription keys are ignored', async () => {
    const email = uniq('extra');
    const res = await batch(h, {
      add_to_segments: [1, 2],
      hash_id: 'abc',
      whatever: { nested: true },
      data: [
        {
          hash_id: 'item-extra',
          segments: ['x'],
          data: {
            email,
            subscriptions: [
              { channel: 'email', resource_id: 21, email_data: { email, domain: 'example.com' }, is_test: true },
            ],
          },
        },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.json.errors).toBeUndefined();
    const p = await getProfile(h, { email });
    expect(p).not.toHaveProperty('hash_id');
    expect(p).not.toHaveProperty('segments');
    expect(importedAll(p?.subscriptions)).toEqual([
      { channel: 'email', resource_id: 21, email, status: 0, priority: 0, custom_fields: {}, cats: [] },
    ]);
  });

  it('unknown XML root elements are ignored too', async () => {
    const email = uniq('extra');
    const res = await h.post(
      BATCH,
      `<xml><token>${WRITE_TOKEN}</token><add_to_segments>1</add_to_segments><trigger_id>96</trigger_id><data><email>${email}</email></data></xml>`,
    );
    expect(res.status).toBe(200);
    expect(xmlValues(res.body, 'profile_id')).toHaveLength(1);
  });

  it('data.profile_id is a matching key, never stored', async () => {
    const email = uniq('pid');
    const res = await batch(h, { data: [{ data: { email, profile_id: 'ffffffffffffffffffffffff' } }] });
    expect(res.status).toBe(200);
    const p = await getProfile(h, { email });
    expect(p?.id).toBe(resultIds(res)[0]);
    expect(p).not.toHaveProperty('profile_id');
  });
});

describe('500 and 503', () => {
  let own: Harness;
  beforeAll(async () => {
    own = await startApi();
  });
  afterAll(() => own.close());

  it('an unexpected fault: 500, the log id in error_debug, nothing written', async () => {
    const before = snapshot(own);
    own.exec('ALTER TABLE messages RENAME TO messages_hidden');
    let res: Response;
    let xml: Response;
    try {
      res = await batch(own, { data: [item(uniq('boom'))] });
      xml = await own.post(
        BATCH,
        `<xml><token>${WRITE_TOKEN}</token><trigger_id>96</trigger_id><data><email>${uniq('boom')}</email></data></xml>`,
      );
    } finally {
      own.exec('ALTER TABLE messages_hidden RENAME TO messages');
    }
    const logId = res.headers['x-herald-log-id'] as string;
    expectError(res, 500, 'Internal error', `internal error, log id ${logId}`);
    expectXmlError(
      xml,
      500,
      'Internal error',
      new RegExp(`^internal error, log id ${xml.headers['x-herald-log-id'] as string}$`),
    );
    expect(snapshot(own)).toEqual(before);
    // The fault is gone, the same request works.
    expect((await batch(own, { data: [item(uniq('boom'))] })).status).toBe(200);
  });

  // RAISE(ROLLBACK) ends the SQLite transaction the way an I/O error or a full disk does.
  it.skipIf(TEST_STORE !== 'sqlite')(
    'a storage error that ends the transaction: 500, nothing of the request written, the next one goes through',
    async () => {
      const before = snapshot(own);
      const email = uniq('io-error');
      const heal = injectFault(own, {
        table: 'messages',
        op: 'INSERT',
        when: `NEW.address = '${email}'`,
        effect: 'rollback',
        message: 'disk I/O error',
      });
      let res: Response;
      try {
        res = await batch(own, { data: [item(uniq('io-ok')), item(email)] });
      } finally {
        heal();
      }
      expectError(res, 500, 'Internal error', `internal error, log id ${res.headers['x-herald-log-id'] as string}`);
      expect(snapshot(own)).toEqual(before);
      expect((await batch(own, { data: [item(email)] })).status).toBe(200);
    },
  );

  // PostgreSQL outages: test/e2e/pg-outage.test.ts.
  it.skipIf(TEST_STORE !== 'sqlite')('storage unreachable (locked): 503 in the envelope, nothing written', async () => {
    const sqlite = own.sqlite as NonNullable<typeof own.sqlite>;
    const before = snapshot(own);
    sqlite.db.pragma('busy_timeout = 50');
    const locker = new Database(`${own.dir}/herald.db`);
    let res: Response;
    try {
      locker.exec('BEGIN IMMEDIATE');
      res = await batch(own, { data: [item(uniq('busy'))] });
    } finally {
      locker.exec('ROLLBACK');
      locker.close();
      sqlite.db.pragma('busy_timeout = 10000');
    }
    expectError(res, 503, 'Service unavailable', 'storage is unavailable, retry later');
    expect(snapshot(own)).toEqual(before);
  });

  it('shutting down: a request that arrives while the server closes gets 503 in the envelope', async () => {
    const closingApp = await startApi();
    await closingApp.app.listen({ port: 0, host: '127.0.0.1' });
    const port = (closingApp.app.server.address() as AddressInfo).port;
    const body = JSON.stringify({ token: WRITE_TOKEN, db_id: 1, email: uniq('bye') });
    const head = `POST /api/v1.1/profiles/get HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`;
    let closing: Promise<unknown> | undefined;
    // A first request is in flight (its body half sent) when the server starts closing; a second
    // one is pipelined on the same connection after it.
    const server = closingApp.app.server;
    const answers = await rawExchange(port, async (sock) => {
      // The server has the first request (its head parsed, its body still coming) …
      const received = once(server, 'request');
      sock.write(head + body.slice(0, 5));
      await received;
      // … when it starts closing: it stops listening once it refuses new requests.
      closing = closingApp.app.close();
      while (server.listening) await new Promise((r) => setImmediate(r));
      sock.write(`${body.slice(5)}${head}${body}`);
    });
    await closing;
    await closingApp.close();
    expect(answers.map((a) => a.status)).toEqual([404, 503]);
    const [, late] = answers;
    expect(JSON.parse(late.body)).toEqual({
      error: 503,
      error_debug: 'the server is shutting down, retry later',
      error_text: 'Service unavailable',
    });
    expect(Object.keys(JSON.parse(late.body))).toEqual(['error', 'error_debug', 'error_text']);
    expect(late.headers['x-herald-log-id']).toMatch(/^[0-9a-f]{16}$/);
    expect(late.headers.connection).toBe('close');
    expect(late.headers['content-type']).toContain('application/json');
  });
});
