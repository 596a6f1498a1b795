// Issue 7, "Secrets", end to end: a real `herald serve` at log level debug, with a provisioning
// file holding API tokens, an SMTP sender whose URL carries a user and password (the sink requires
// them), an SMS gateway with an Authorization header, an action hook with a secret, the
// unsubscribe signing secret and (on PostgreSQL) a database password. Traffic touches every path:
// imports with the token in the body, a Bearer header, the query string and XML; deliveries (one
// sender with a wrong password); hook posts (failing, then signed and accepted); 401s with wrong
// tokens, 403, 404; a 500 (a storage fault). Then: the captured logs hold none of the secrets, the
// storage holds no plain token, and an unsubscribe link cannot be forged — tampered or re-signed
// with another key, it answers 404 and changes nothing. (Token signing itself is unit-tested in
// src/core/delivery/unsubscribe-token.test.ts; this is the outside view.)
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unsubscribeToken } from '../../src/core/delivery/unsubscribe-token.js';
import { hashToken } from '../../src/core/provisioning/tokens.js';
import { pgAdmin } from '../helpers/databases.js';
import { TEST_STORE } from '../helpers/harness.js';
import { ensureBuilt, freePort, spawnHerald, waitForHttp, type HeraldProcess } from '../helpers/herald-process.js';
import { startHttpReceiver, type HttpReceiver } from '../helpers/http-receiver.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';

const secret = (tag: string): string => `${tag}-${randomBytes(10).toString('hex')}`;
const TOKEN = secret('tok');
const READ_TOKEN = secret('readtok');
const WRONG_TOKEN = secret('wrongtok');
const SMTP_USER = 'mailer';
const SMTP_PASS = secret('smtppass');
const SMTP_WRONG_PASS = secret('smtpwrong');
const SMS_SECRET = secret('smsheader');
const HOOK_SECRET = secret('hooksecret');
const UNSUB_SECRET = secret('unsubsecret');
const DB_PASS = secret('dbpass');

/** Every secret, and the spellings it could leak in (URL-encoded, the base64 of SMTP AUTH PLAIN/LOGIN). */
const SECRETS: Record<string, string[]> = {
  'API token': [TOKEN],
  'read token': [READ_TOKEN],
  'wrong token': [WRONG_TOKEN],
  'SMTP password': [
    SMTP_PASS,
    encodeURIComponent(SMTP_PASS),
    Buffer.from(SMTP_PASS).toString('base64'),
    Buffer.from(`\0${SMTP_USER}\0${SMTP_PASS}`).toString('base64'),
  ],
  'wrong SMTP password': [
    SMTP_WRONG_PASS,
    Buffer.from(SMTP_WRONG_PASS).toString('base64'),
    Buffer.from(`\0${SMTP_USER}\0${SMTP_WRONG_PASS}`).toString('base64'),
  ],
  'SMS gateway header': [SMS_SECRET],
  'hook secret': [HOOK_SECRET],
  'unsubscribe secret': [UNSUB_SECRET],
  'database password': [DB_PASS],
};

const PG_ADMIN = process.env.HERALD_TEST_POSTGRES_URL;
const onPostgres = TEST_STORE === 'postgres' && PG_ADMIN !== undefined;

let dir: string;
let sink: SmtpSink;
let http: HttpReceiver;
let proc: HeraldProcess;
let port: number;
let databaseUrl: string;
let pgDatabase: string | undefined;
let logs = '';
/** Log ids of the answers, by what they were. */
const logIds: Record<string, string> = {};

function provision(): unknown {
  const sender = (name: string, pass: string) => ({
    name,
    type: 'smtp',
    url: `smtp://${SMTP_USER}:${encodeURIComponent(pass)}@127.0.0.1:${sink.port}`,
  });
  return {
    accounts: [
      {
        id: 1,
        name: 'Secrets',
        tokens: [
          { token: TOKEN, role: 'write' },
          { token: READ_TOKEN, role: 'read' },
        ],
        senders: [
          sender('mail', SMTP_PASS),
          sender('badmail', SMTP_WRONG_PASS),
          { name: 'sms-gw', type: 'http', url: `${http.url}/sms`, headers: { Authorization: `Bearer ${SMS_SECRET}` } },
        ],
        databases: [{ id: 1, name: 'Customers', fields: [{ name: 'CRM_ID', type: 'int' }] }],
        resources: [
          {
            id: 21,
            name: 'Main',
            db_ids: [1],
            channels: { email: { sender: 'mail', from_email: 'shop@example.com' }, sms: { sender: 'sms-gw' } },
          },
          {
            id: 22,
            name: 'Misconfigured',
            db_ids: [1],
            channels: { email: { sender: 'badmail', from_email: 'bad@example.com' } },
          },
        ],
        templates: [
          {
            id: 5,
            name: 'Welcome',
            channel: 'email',
            subject: 'Welcome, {lead._fname}',
            html: '<p><a href="{unsubscribe}">Unsubscribe</a></p>',
            text: 'Unsubscribe: {unsubscribe}',
          },
          { id: 6, name: 'SMS', channel: 'sms', text: 'Hello {lead._fname}' },
        ],
        triggers: [
          {
            id: 96,
            name: 'Welcome',
            trigger_type: 'api_call',
            send_channel: 'email',
            resource_id: 21,
            list_id: 1,
            is_active: true,
            content: [{ message_id: 5 }],
          },
          {
            id: 97,
            name: 'SMS',
            trigger_type: 'api_call',
            send_channel: 'sms',
            resource_id: 21,
            list_id: 1,
            is_active: true,
            content: [{ message_id: 6 }],
          },
          {
            id: 98,
            name: 'Misconfigured',
            trigger_type: 'api_call',
            send_channel: 'email',
            resource_id: 22,
            list_id: 1,
            is_active: true,
            content: [{ message_id: 5 }],
          },
        ],
        action_hooks: [
          {
            url: `${http.url}/hooks`,
            secret: HOOK_SECRET,
            events: ['import_api', 'send', 'send_sms', 'undeliv', 'unsub'],
          },
        ],
      },
    ],
  };
}

interface Answer {
  status: number;
  body: string;
  json: Record<string, unknown>;
  logId: string;
}

async function request(
  path: string,
  init: { body?: string; contentType?: string; headers?: Record<string, string>; method?: string } = {},
): Promise<Answer> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method: init.method ?? 'POST',
    ...(init.body !== undefined && init.method !== 'GET' ? { body: init.body } : {}),
    headers: { ...(init.contentType ? { 'content-type': init.contentType } : {}), ...init.headers },
  });
  const body = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(body) as Record<string, unknown>;
  } catch {
    // XML or HTML
  }
  return { status: res.status, body, json, logId: res.headers.get('x-herald-log-id') ?? '' };
}

const api = (method: string, body: unknown, opts: { query?: string; headers?: Record<string, string> } = {}) =>
  request(`/api/v1.1/${method}${opts.query ? `?${opts.query}` : ''}`, {
    body: JSON.stringify(body),
    contentType: 'application/json',
    ...(opts.headers ? { headers: opts.headers } : {}),
  });

const person = (email: string, extra: Record<string, unknown> = {}) => ({
  data: { _fname: 'Ann', email, subscriptions: [{ channel: 'email', resource_id: 21, email }], ...extra },
});

beforeAll(async () => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'herald-secrets-'));
  sink = await startSmtpSink(0, { auth: { user: SMTP_USER, pass: SMTP_PASS } });
  http = await startHttpReceiver();
  if (onPostgres) {
    pgDatabase = `herald_sec_${randomBytes(4).toString('hex')}`;
    await pgAdmin(`CREATE DATABASE ${pgDatabase}`);
    const u = new URL(PG_ADMIN as string);
    u.pathname = `/${pgDatabase}`;
    // The test server trusts local connections: the password only has to stay out of the logs.
    u.password = DB_PASS;
    databaseUrl = u.toString();
  } else {
    databaseUrl = `sqlite:${join(dir, 'herald.db')}`;
  }
  const file = join(dir, 'provision.json');
  writeFileSync(file, JSON.stringify(provision()));
  port = await freePort();
  proc = spawnHerald(['serve', '--provision', file], {
    cwd: dir,
    env: {
      HERALD_PORT: String(port),
      HERALD_HOST: '127.0.0.1',
      HERALD_DATABASE_URL: databaseUrl,
      HERALD_LOG_LEVEL: 'debug',
      HERALD_SECRET: UNSUB_SECRET,
      HERALD_PUBLIC_URL: `http://127.0.0.1:${port}`,
      HERALD_POLL_MS: '50',
      HERALD_HOOK_INTERVAL_MS: '100',
      HERALD_RETRY_BASE_MS: '200',
      HERALD_MAX_ATTEMPTS: '8',
      HERALD_PG_POOL_SIZE: '4',
    },
  });
  await waitForHttp(`http://127.0.0.1:${port}/api/v1.1/profiles/get`, proc);
}, 120_000);

afterAll(async () => {
  if (proc.child.exitCode === null && proc.child.signalCode === null) await proc.kill();
  await sink.close();
  await http.close();
  if (pgDatabase) await pgAdmin(`DROP DATABASE IF EXISTS ${pgDatabase} WITH (FORCE)`);
  rmSync(dir, { recursive: true, force: true });
});

describe('secrets stay secret (real herald serve, debug logs)', () => {
  it('imports with the token in the body, a Bearer header, the query string and XML; deliveries and hooks use their secrets', async () => {
    // The hook endpoint and the SMS gateway fail at first: failures are logged too.
    http.respond = { status: 500 };
    const viaBody = await api('campaigns/triggers/import_and_start_batch', {
      token: TOKEN,
      trigger_id: 96,
      data: [person('body@example.com')],
    });
    const viaBearer = await api(
      'campaigns/triggers/import_and_start_batch',
      { trigger_id: 96, data: [person('bearer@example.com')] },
      { headers: { authorization: `Bearer ${TOKEN}` } },
    );
    const viaQuery = await api(
      'campaigns/triggers/import_and_start_batch',
      { trigger_id: 96, data: [person('query@example.com')] },
      { query: `token=${TOKEN}&format=json` },
    );
    const viaXml = await request('/api/v1.1/campaigns/triggers/import_and_start_batch', {
      body: `<xml><token>${TOKEN}</token><trigger_id>96</trigger_id><data><_fname>Xu</_fname><email>xml@example.com</email><subscriptions><channel>email</channel><resource_id>21</resource_id><email>xml@example.com</email></subscriptions></data></xml>`,
      contentType: 'application/xml',
    });
    const sms = await api('campaigns/triggers/import_and_start', {
      token: TOKEN,
      trigger_id: 97,
      matching: 'phone',
      data: {
        _fname: 'Sam',
        phones: '+79001112233',
        subscriptions: [{ channel: 'sms', resource_id: 21, phone: '+79001112233' }],
      },
    });
    const misconfigured = await api('campaigns/triggers/import_and_start', {
      token: TOKEN,
      trigger_id: 98,
      data: {
        email: 'bad@example.com',
        subscriptions: [{ channel: 'email', resource_id: 22, email: 'bad@example.com' }],
      },
    });
    const keyed = await api(
      'profiles/import',
      { token: TOKEN, db_id: 1, data: { email: 'keyed@example.com' } },
      { headers: { 'request-id': 'key-1' } },
    );
    const replay = await api(
      'profiles/import',
      { token: TOKEN, db_id: 1, data: { email: 'keyed@example.com' } },
      { headers: { 'request-id': 'key-1' } },
    );
    const task = await api('campaigns/triggers/start_batch_task', {
      token: TOKEN,
      trigger_id: 96,
      data: [{ email: 'body@example.com' }],
    });
    for (const res of [viaBody, viaBearer, viaQuery, viaXml, sms, misconfigured, keyed, replay, task])
      expect(res.status, res.body).toBe(200);
    expect(viaXml.body).toMatch(/^<xml><error>0<\/error>/);
    logIds.import = viaBody.logId;

    // Both have been refused at least once (and the failures logged) before they recover.
    await expect
      .poll(() => ['/sms', '/hooks'].every((p) => http.refused.includes(p)), { timeout: 20_000, interval: 20 })
      .toBe(true);
    http.respond = undefined;
    // Mail went out through the authenticated sender (five: four imports and the task's launch).
    const mails = await sink.waitFor(5, 20_000);
    expect(mails.map((m) => m.envelopeTo[0]).sort()).toEqual([
      'bearer@example.com',
      'body@example.com',
      'body@example.com',
      'query@example.com',
      'xml@example.com',
    ]);
    // The sender with the wrong password was refused by the sink, and nothing went out through it.
    await expect.poll(() => sink.authFailures, { timeout: 10_000 }).toBeGreaterThan(0);
    expect(mails.some((m) => m.envelopeTo.includes('bad@example.com'))).toBe(false);
    // The SMS gateway got its Authorization header.
    const [smsReq] = await http.waitFor(1, 20_000, '/sms');
    expect(smsReq.headers.authorization).toBe(`Bearer ${SMS_SECRET}`);
    // Hook posts are signed with the hook's secret.
    const hooks = await http.waitFor(1, 20_000, '/hooks');
    for (const hook of hooks)
      expect(hook.headers['x-herald-signature']).toBe(
        `sha256=${createHmac('sha256', HOOK_SECRET).update(hook.body).digest('hex')}`,
      );
  }, 60_000);

  it('401, 403 and 404 answers, wherever the token was given', async () => {
    const body = { trigger_id: 96, data: [person('denied@example.com')] };
    const answers = [
      await api('campaigns/triggers/import_and_start_batch', { ...body, token: WRONG_TOKEN }),
      await api('campaigns/triggers/import_and_start_batch', body, {
        headers: { authorization: `Bearer ${WRONG_TOKEN}` },
      }),
      await api('campaigns/triggers/import_and_start_batch', body, { query: `token=${WRONG_TOKEN}` }),
      await request('/api/v1.1/campaigns/triggers/import_and_start_batch', {
        body: `<xml><token>${WRONG_TOKEN}</token><trigger_id>96</trigger_id></xml>`,
        contentType: 'application/xml',
      }),
    ];
    for (const res of answers) {
      expect(res.status).toBe(401);
      expect(res.body).not.toContain(WRONG_TOKEN);
    }
    logIds.unauthorized = answers[0].logId;
    const forbidden = await api(
      'profiles/delete',
      { token: READ_TOKEN, db_id: 1, email: 'body@example.com' },
      { query: `token=${READ_TOKEN}` },
    );
    expect(forbidden.status).toBe(403);
    expect(forbidden.body).not.toContain(READ_TOKEN);
    const unknown = await api('profiles/nothing', { token: TOKEN }, { query: `token=${TOKEN}` });
    expect(unknown.status).toBe(404);
    const verb = await request(`/api/v1.1/profiles/get?token=${TOKEN}&db_id=1`, { method: 'GET' });
    expect(verb.status).toBe(404);
    for (const res of [unknown, verb]) expect(res.body).not.toContain(TOKEN);
  });

  it('a 500 (a storage fault) is logged with its log id, without the secrets of the request', async () => {
    const hide = 'ALTER TABLE messages RENAME TO messages_hidden';
    const show = 'ALTER TABLE messages_hidden RENAME TO messages';
    const run = async (sql: string) => {
      if (pgDatabase) await pgAdmin(sql, databaseUrl);
      else {
        const db = new Database(join(dir, 'herald.db'));
        db.pragma('busy_timeout = 10000');
        db.exec(sql);
        db.close();
      }
    };
    await run(hide);
    let res: Answer;
    try {
      res = await api(
        'campaigns/triggers/import_and_start_batch',
        { token: TOKEN, trigger_id: 96, data: [person('boom@example.com')] },
        { query: `token=${TOKEN}`, headers: { authorization: `Bearer ${TOKEN}` } },
      );
    } finally {
      await run(show);
    }
    expect(res.status, res.body).toBe(500);
    expect(res.json.error_debug).toBe(`internal error, log id ${res.logId}`);
    expect(res.body).not.toContain(TOKEN);
    logIds.fault = res.logId;
    // The fault is gone: the same request works again.
    const again = await api('campaigns/triggers/import_and_start_batch', {
      token: TOKEN,
      trigger_id: 96,
      data: [person('boom@example.com')],
    });
    expect(again.status).toBe(200);
  }, 30_000);

  it('an unsubscribe link cannot be forged: tampered, truncated or signed with another key, it is a 404 and changes nothing', async () => {
    const mail = sink.mails.find((m) => m.envelopeTo.includes('query@example.com'));
    const link = String(mail?.raw.replace(/\r\n[ \t]+/g, ' ').match(/List-Unsubscribe:\s*<([^>]+)>/)?.[1]);
    const url = new URL(link);
    expect(url.origin).toBe(`http://127.0.0.1:${port}`);
    const token = url.pathname.slice('/u/'.length);
    // The link is opaque: nothing of the subscription can be read from it.
    for (const text of [token, Buffer.from(token, 'base64url').toString('latin1')])
      expect(text).not.toContain('query@example.com');
    const profile = (await api('profiles/get', { token: TOKEN, db_id: 1, email: 'query@example.com' })).json.data as {
      id: string;
    };
    /** A link of the earlier, readable form (still honoured when signed with the server's secret). */
    const legacy = (key: string, address: string) => {
      const payload = Buffer.from(JSON.stringify([1, 1, profile.id, 21, 'email', address, 0])).toString('base64url');
      return `${payload}.${createHmac('sha256', key).update(payload).digest().subarray(0, 18).toString('base64url')}`;
    };
    const flip = (s: string, i: number) => `${s.slice(0, i)}${s[i] === 'A' ? 'B' : 'A'}${s.slice(i + 1)}`;
    const target = {
      accountId: 1,
      dbId: 1,
      profileId: profile.id,
      resourceId: 21,
      channel: 'email' as const,
      messageId: 0,
    };
    const forged = [
      flip(token, 0),
      flip(token, 20),
      flip(token, token.length - 1),
      `${token}x`,
      token.slice(0, -1),
      `${token}.`,
      `${token}.${token}`,
      legacy('not-the-secret', 'query@example.com'),
      legacy('', 'body@example.com'),
      `${legacy(UNSUB_SECRET, 'body@example.com').split('.')[0]}.${legacy('not-the-secret', 'body@example.com').split('.')[1]}`,
      unsubscribeToken('not-the-secret', { ...target, address: 'body@example.com' }),
      unsubscribeToken('', { ...target, address: 'query@example.com' }),
    ];
    for (const t of forged) {
      for (const method of ['GET', 'POST']) {
        const res = await request(`/u/${t}`, {
          method,
          body: 'List-Unsubscribe=One-Click',
          contentType: 'application/x-www-form-urlencoded',
        });
        expect(res.status, `${method} /u/${t}`).toBe(404);
        expect(res.body).not.toContain('query@example.com');
      }
    }
    const status = async (email: string) => {
      const res = await api('profiles/get', { token: TOKEN, db_id: 1, email });
      return (res.json.data as { subscriptions: { status: number }[] }).subscriptions[0].status;
    };
    expect(await status('query@example.com')).toBe(0);
    expect(await status('body@example.com')).toBe(0);
    // The genuine link works (and a link signed with the server's own secret would too: the key is the only way in).
    const page = await request(url.pathname, { method: 'GET' });
    expect(page.status).toBe(200);
    expect(page.body).toContain('query@example.com');
    // So does a link of the earlier form signed with the server's secret (links already sent).
    const old = await request(`/u/${legacy(UNSUB_SECRET, 'query@example.com')}`, { method: 'GET' });
    expect(old.status).toBe(200);
    expect(old.body).toContain('query@example.com');
    const done = await request(url.pathname, {
      method: 'POST',
      body: 'List-Unsubscribe=One-Click',
      contentType: 'application/x-www-form-urlencoded',
    });
    expect(done.status).toBe(200);
    expect(await status('query@example.com')).toBe(1);
    expect(await status('body@example.com')).toBe(0);
  });

  it('answers that report delivery errors (messages/list, campaigns/log_v2) hold no credentials', async () => {
    await expect
      .poll(
        async () =>
          (
            (await api('messages/list', { token: TOKEN, trigger_id: 98 })).json.data as { last_error: string | null }[]
          )[0]?.last_error ?? null,
        { timeout: 15_000 },
      )
      .toMatch(/535|Invalid|auth/i);
    const answers = [
      await api('messages/list', { token: TOKEN }),
      await api('campaigns/log_v2', { token: TOKEN, id: 98 }),
      await api('campaigns/log_v2', { token: TOKEN, id: 97 }),
      await api('resources/get', { token: TOKEN, id: 21 }),
      await api('resources/list', { token: TOKEN }),
    ];
    for (const res of answers) {
      expect(res.status, res.body).toBe(200);
      for (const [what, spellings] of Object.entries(SECRETS))
        for (const s of spellings) expect(res.body.includes(s), `an answer holds the ${what}`).toBe(false);
    }
  }, 30_000);

  it('tokens are stored hashed: no plain token anywhere in the storage', async () => {
    const tokens = [TOKEN, READ_TOKEN, WRONG_TOKEN];
    if (pgDatabase) {
      const c = new pg.Client({ connectionString: databaseUrl });
      await c.connect();
      try {
        const hashes = (await c.query<{ hash: string }>('SELECT hash FROM tokens')).rows.map((r) => r.hash);
        expect(hashes).toEqual(expect.arrayContaining([hashToken(TOKEN), hashToken(READ_TOKEN)]));
        const tables = (
          await c.query<{ name: string }>(
            "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
          )
        ).rows.map((r) => r.name);
        expect(tables).toEqual(expect.arrayContaining(['tokens', 'tasks', 'request_keys', 'senders', 'messages']));
        for (const table of tables) {
          for (const t of tokens) {
            const { rows } = await c.query<{ n: string }>(
              `SELECT count(*) AS n FROM "${table}" x WHERE CAST(x AS TEXT) LIKE $1`,
              [`%${t}%`],
            );
            expect(Number(rows[0].n), `${table} holds a plain token`).toBe(0);
          }
        }
      } finally {
        await c.end();
      }
    } else {
      const db = new Database(join(dir, 'herald.db'), { readonly: true });
      try {
        const hashes = db.prepare('SELECT hash FROM tokens').all() as { hash: string }[];
        expect(hashes.map((r) => r.hash)).toEqual(expect.arrayContaining([hashToken(TOKEN), hashToken(READ_TOKEN)]));
      } finally {
        db.close();
      }
      // Every byte of the database and its write-ahead log, not only the tables one thinks of.
      for (const file of ['herald.db', 'herald.db-wal']) {
        const path = join(dir, file);
        if (!existsSync(path)) continue;
        const bytes = readFileSync(path);
        for (const t of tokens) expect(bytes.includes(Buffer.from(t)), `${file} holds a plain token`).toBe(false);
      }
    }
  });

  it('the logs hold none of the secrets', async () => {
    const exit = await proc.stop();
    expect(exit.code).toBe(0);
    logs = proc.output();
    const lines = logs
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    // The logs are there: a line per request, the 500 with its log id.
    expect(lines.filter((l) => l.msg === 'request').length).toBeGreaterThanOrEqual(15);
    expect(lines.some((l) => l.level === 50 && JSON.stringify(l).includes(logIds.fault))).toBe(true);
    expect(lines.some((l) => l.logId === logIds.unauthorized)).toBe(true);
    for (const [what, spellings] of Object.entries(SECRETS)) {
      for (const s of spellings) expect(logs.includes(s), `the logs hold the ${what}`).toBe(false);
    }
  }, 30_000);
});
