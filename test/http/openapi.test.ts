// The OpenAPI document (GET /api/openapi.json) and the /docs page: the document is valid
// OpenAPI 3.1, has one operation per method of the registry and nothing else under /api/v1.1/,
// describes JSON and XML bodies, the envelope and every error code, and its payload schemas
// are honest: every method is called once here and its real answer validated against them.
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { methods } from '../../src/core/methods.js';
import { buildOpenApi } from '../../src/http/openapi.js';
import { call, READ_TOKEN, startApi, WRITE_TOKEN } from '../helpers/api.js';
import type { Harness, Response } from '../helpers/harness.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let h: Harness;
let doc: Json;
let ajv: Ajv2020;

beforeAll(async () => {
  h = await startApi();
  const res = await h.app.inject({ method: 'GET', url: '/api/openapi.json' });
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toContain('application/json');
  doc = JSON.parse(res.body);
  // Every schema of the document compiles under JSON Schema 2020-12 (the 3.1 dialect), strictly.
  ajv = new Ajv2020({ strict: true, allErrors: true });
  ajv.addVocabulary(['xml']);
  ajv.addFormat('date-time', (s: string) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(s));
  ajv.addSchema({ $id: 'herald:openapi', $defs: doc.components.schemas }, 'herald:openapi');
});
afterAll(() => h.close());

const API = '/api/v1.1/';
const name = (method: string) => method.replace(/\//g, '.');
const schemaRef = (component: string) => ({ $ref: `herald:openapi#/$defs/${component}` });

describe('the document', () => {
  it('is valid OpenAPI 3.1', async () => {
    const validator = new Validator();
    const res = await validator.validate(structuredClone(doc));
    expect(res.errors ?? []).toEqual([]);
    expect(res.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('is the one built from the method registry', () => {
    expect(doc).toEqual(JSON.parse(JSON.stringify(buildOpenApi(methods.values(), doc.info.version))));
  });

  it('has one POST operation per method of the registry (and GET where the method answers it), and no other API path', () => {
    const paths = Object.keys(doc.paths).filter((p) => p.startsWith(API));
    expect(paths.sort()).toEqual([...methods.keys()].map((m) => `${API}${m}`).sort());
    for (const p of paths)
      expect(Object.keys(doc.paths[p])).toEqual(methods.get(p.slice(API.length))?.get ? ['post', 'get'] : ['post']);
    expect([...methods.values()].filter((m) => m.get).map((m) => m.name)).toContain('suppresses/email_check');
    const ids = paths.map((p) => doc.paths[p].post.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('gives every method a JSON and an XML body built from its parameter schema', () => {
    for (const m of methods.values()) {
      const op = doc.paths[`${API}${m.name}`].post;
      const content = op.requestBody.content;
      expect(Object.keys(content)).toEqual(['application/json', 'application/xml', 'text/xml']);
      const schema = doc.components.schemas[`${name(m.name)}.request`];
      expect(content['application/json'].schema.$ref).toBe(`#/components/schemas/${name(m.name)}.request`);
      expect(schema.xml).toEqual({ name: 'xml' });
      const params = m.params.json() as Json;
      expect(Object.keys(schema.properties)).toEqual([...Object.keys(params.properties), 'token', 'format']);
      expect(schema.required).toEqual(params.required);
      expect(op.requestBody.required).toBe((params.required ?? []).length > 0);
    }
    const batch = doc.components.schemas['campaigns.triggers.import_and_start_batch.request'];
    expect(batch.required).toEqual(['trigger_id', 'data']);
    expect(batch.properties.data).toMatchObject({ type: 'array', minItems: 1 });
    expect(batch.properties.trigger_id.description).toContain('also accepted as id');
    expect(batch.properties.skip_triggers.default).toBe(false);
  });

  it('answers every method with the envelope and every error code of spec 01', () => {
    for (const m of methods.values()) {
      const op = doc.paths[`${API}${m.name}`].post;
      const codes = Object.keys(op.responses).map(Number);
      expect(codes).toEqual(
        m.write ? [200, 400, 401, 403, 404, 409, 429, 500, 503] : [200, 400, 401, 404, 429, 500, 503],
      );
      expect(Object.keys(op.responses[200].content)).toEqual(['application/json', 'application/xml']);
      expect(op.responses[200].headers['X-Herald-Log-Id']).toBeDefined();
      for (const c of codes.filter((x) => x !== 200))
        expect(op.responses[c].$ref).toBe(`#/components/responses/Error${c}`);
      expect(m.payload, `${m.name} declares its payload`).toBeDefined();
    }
    for (const c of [400, 401, 403, 404, 409, 429, 500, 503]) {
      const r = doc.components.responses[`Error${c}`];
      expect(r.headers['X-Herald-Log-Id']).toEqual({ $ref: '#/components/headers/LogId' });
      expect(Object.keys(r.content)).toEqual(['application/json', 'application/xml']);
      expect(r.content['application/json'].schema.properties.error).toEqual({ const: c });
    }
    expect(doc.components.responses.Error429.headers['Retry-After']).toBeDefined();
  });

  it('declares the token sources: Bearer, query, and the body parameter', () => {
    expect(doc.components.securitySchemes.bearerToken).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.components.securitySchemes.queryToken).toMatchObject({ type: 'apiKey', in: 'query', name: 'token' });
    expect(doc.security).toEqual([{ bearerToken: [] }, { queryToken: [] }]);
    expect(doc.info.description).toContain('body parameter `token`');
    for (const p of ['/healthz', '/readyz', '/metrics', '/api/openapi.json', '/docs'])
      expect(doc.paths[p].get.security).toEqual([]);
  });

  it('compiles every schema strictly (JSON Schema 2020-12)', () => {
    for (const key of Object.keys(doc.components.schemas)) expect(() => ajv.compile(schemaRef(key))).not.toThrow();
  });
});

describe('the payload schemas match real answers', () => {
  const validators = new Map<string, ValidateFunction>();
  const seen = new Set<string>();
  function check(method: string, res: Response): Json {
    expect(res.status, `${method}: ${res.body}`).toBe(200);
    let v = validators.get(method);
    if (!v) validators.set(method, (v = ajv.compile(schemaRef(`${name(method)}.response`))));
    expect(v(res.json), `${method}: ${JSON.stringify(v.errors)} in ${res.body}`).toBe(true);
    seen.add(method);
    return res.json;
  }
  const ok = async (method: string, body: Record<string, unknown>) => check(method, await call(h, method, body));
  const sub = (email: string) => ({ channel: 'email', resource_id: 21, email });

  it('for every method of the registry', async () => {
    const db = (await ok('databases/add', { name: 'Docs db', fields: [{ name: 'n', type: 'int' }] })).data.id;
    await ok('databases/update', { id: db, description: 'for the docs' });
    await ok('databases/get', { id: db });
    await ok('databases/list', {});
    await ok('databases/fields_get', { id: 1 });
    const res = (
      await ok('resources/add', {
        name: 'Docs res',
        db_ids: [db],
        channels: { email: { sender: 'outbox', from_email: 'docs@example.com' } },
      })
    ).data.id;
    await ok('resources/update', { id: res, name: 'Docs resource' });
    await ok('resources/get', { id: res });
    await ok('resources/list', {});
    const tpl = (
      await ok('templates/add', { name: 'Docs tpl', channel: 'email', subject: 'Hi', html: '<p>Hi</p>', text: 'Hi' })
    ).data.id;
    await ok('templates/update', { id: tpl, subject: 'Hello' });
    await ok('templates/get', { id: tpl });
    await ok('templates/list', { channel: 'email' });
    await ok('templates/preview', { id: tpl, data: { _fname: 'Ann' } });
    await ok('templates/preview', { channel: 'push', title: 'Hi {lead._fname}', data: {} });
    await ok('templates/test_send', {
      id: tpl,
      data: { _fname: 'Ann' },
      resource_id: res,
      test_email: 'qa@example.org',
    });
    await ok('templates/tests', { template_id: tpl });
    await ok('account/get', {});
    await ok('senders/list', {});
    const trig = (
      await ok('campaigns/triggers/add', {
        name: 'Docs trigger',
        trigger_type: 'api_call',
        send_channel: 'email',
        resource_id: 21,
        list_id: 1,
        content: [{ message_id: 5 }],
      })
    ).data.id;
    await ok('campaigns/triggers/update', { id: trig, name: 'Docs trigger 2' });
    await ok('campaigns/triggers/get', { id: trig });
    await ok('campaigns/triggers/list', {});
    await ok('campaigns/activate', { id: trig });
    await ok('campaigns/deactivate', { id: trig });
    const copy = (await ok('campaigns/triggers/clone', { id: trig })).data.saved_id;
    await ok('campaigns/triggers/delete', { id: copy });

    await ok('campaigns/triggers/import_and_start_batch', {
      trigger_id: 96,
      data: [
        { data: { email: 'oa1@example.com', subscriptions: [sub('oa1@example.com')] } },
        { data: { email: 'broken' } },
      ],
    });
    await ok('campaigns/triggers/import_and_start', {
      trigger_id: 96,
      data: { email: 'oa2@example.com', subscriptions: [sub('oa2@example.com')] },
    });
    await ok('profiles/import', { db_id: 1, data: { email: 'oa3@example.com' } });
    await ok('profiles/import_batch', { db_id: 1, data: [{ data: { email: 'oa4@example.com' } }] });
    await ok('profiles/update', { db_id: 1, email: 'oa3@example.com', data: { _fname: 'Ann' } });
    await ok('profiles/get', { db_id: 1, email: 'oa1@example.com' });
    await ok('profiles/list', { db_id: 1, search: 'oa', limit: 2 });
    await ok('campaigns/triggers/start', { trigger_id: 96, email: 'oa1@example.com' });
    await ok('campaigns/triggers/start_batch', {
      trigger_id: 96,
      data: [{ email: 'oa1@example.com' }, { email: 'nobody@example.com' }],
    });
    const task = (
      await ok('campaigns/triggers/import_and_start_batch_task', {
        trigger_id: 96,
        data: [{ data: { email: 'oa5@example.com' } }],
      })
    ).data.task_id;
    await ok('campaigns/triggers/start_batch_task', { trigger_id: 96, data: [{ email: 'oa1@example.com' }] });
    check('tasks/status', await call(h, 'tasks/status', { token: READ_TOKEN, task_id: task }));
    await ok('campaigns/status', { id: 96 });
    await ok('campaigns/triggers/stats', { id: 96, date_from: '2026-11-01', date_to: '2026-11-30' });
    await ok('account/stats', { date_from: '2026-11-01', date_to: '2026-11-30' });
    const list = (await ok('suppresses/add', { name: 'Docs stop list' })).data.saved_id;
    await ok('suppresses/update', { id: list, name: 'Docs stop list 2' });
    await ok('suppresses/get', { id: list });
    await ok('suppresses/list', {});
    await ok('suppresses/entries', { id: list, search: 'stop' });
    for (const [one, many, value] of [
      ['email', 'emails', 'stop@example.com'],
      ['domain', 'domains', 'stop.example'],
      ['phone', 'phones', '+12025550143'],
    ]) {
      await ok(`suppresses/${one}_add`, { id: list, [one]: value });
      await ok(`suppresses/${many}_add`, { id: list, [many]: [value] });
      await ok(`suppresses/${one}_check`, { id: list, [one]: value });
      await ok(`suppresses/${one}_remove`, { id: list, [one]: value });
      await ok(`suppresses/${one}_clear`, { id: list });
    }
    await ok('suppresses/delete', { id: list });
    await ok('campaigns/get_status', { id: 96 });
    await ok('messages/list', { trigger_id: 96, limit: 5 });
    await ok('messages/list', { order: 'desc', limit: 5 });
    await ok('campaigns/log_v2', { id: 96 });
    await ok('profiles/delete', { db_id: 1, email: 'oa4@example.com' });
    await ok('campaigns/triggers/delete', { id: trig });
    await ok('templates/delete', { id: tpl });
    await ok('resources/delete', { id: res });
    await ok('databases/delete', { id: db });

    expect([...seen].sort()).toEqual([...methods.keys()].sort());
  });

  it('for errors, in the envelope of the error responses', async () => {
    const v = ajv.compile({ allOf: [schemaRef('ErrorEnvelope')] });
    const bad = await call(h, 'campaigns/triggers/import_and_start_batch', { data: [] });
    expect(bad.status).toBe(400);
    expect(v(bad.json), JSON.stringify(v.errors)).toBe(true);
    const anon = await h.post('databases/list', {});
    expect(anon.status).toBe(401);
    expect(v(anon.json)).toBe(true);
    expect(anon.json.error_text).toBe('API token required');
    expect(doc.components.responses.Error401.content['application/json'].schema.properties.error_text.enum).toContain(
      anon.json.error_text,
    );
  });
});

describe('GET /docs', () => {
  it('answers a self-contained HTML page that links the document', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/docs' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.body).toMatch(/^<!doctype html>/);
    expect(res.body).toContain('href="/api/openapi.json"');
    expect(res.body).toContain("fetch('/api/openapi.json')");
    // Nothing is loaded from elsewhere: no external script, style or font.
    expect(res.body).not.toMatch(/<script[^>]+src=|<link[^>]+stylesheet|https?:\/\//);
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(res.headers['x-herald-log-id']).toMatch(/^[0-9a-f]{16}$/);
  });

  it('is not an API path: the token is not needed, the method list comes from the document', async () => {
    const res = await h.app.inject({ method: 'GET', url: `/api/openapi.json?token=${WRITE_TOKEN}` });
    expect(res.statusCode).toBe(200);
  });
});
