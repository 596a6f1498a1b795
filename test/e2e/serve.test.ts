// End to end: the real `herald serve` process with the demo provisioning file, driven over real
// HTTP with the seed's example requests; graceful shutdown on SIGTERM, and durability across a
// restart (and across a kill) on the same SQLite file.
import { importedAll } from '../helpers/subscriptions.js';
import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PROVISION, EXAMPLES, TOKEN } from '../helpers/harness.js';
import { ensureBuilt, freePort, spawnHerald, waitForHttp } from '../helpers/herald-process.js';

const example = (name: string): string => readFileSync(join(EXAMPLES, name), 'utf8');

interface Server {
  child: ChildProcess;
  port: number;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

async function startServer(dir: string): Promise<Server> {
  const port = await freePort();
  // The working directory is the temporary one: the demo's file sender writes ./data/outbox there.
  const proc = spawnHerald(['serve', '--provision', DEMO_PROVISION], {
    cwd: dir,
    env: {
      HERALD_PORT: String(port),
      HERALD_HOST: '127.0.0.1',
      HERALD_DATABASE_URL: `sqlite:${join(dir, 'herald.db')}`,
      HERALD_LOG_LEVEL: 'info',
    },
  });
  await waitForHttp(`http://127.0.0.1:${port}/api/v1.1/profiles/get`, proc);
  return { child: proc.child, port, output: proc.output, exited: proc.exited };
}

/** Stops a server with a signal; resolves with how it exited (or undefined after the timeout). */
async function stop(
  server: Server,
  signal: NodeJS.Signals,
  withinMs: number,
): Promise<{ code: number | null; signal: NodeJS.Signals | null } | undefined> {
  server.child.kill(signal);
  const timeout = new Promise<undefined>((r) => setTimeout(() => r(undefined), withinMs));
  const result = await Promise.race([server.exited, timeout]);
  if (!result) server.child.kill('SIGKILL');
  return result;
}

interface Reply {
  status: number;
  contentType: string;
  logId: string | null;
  body: string;
  json: Record<string, unknown>;
}

async function post(
  server: Server,
  method: string,
  body: string | Record<string, unknown>,
  contentType = 'application/json',
): Promise<Reply> {
  const res = await fetch(`http://127.0.0.1:${server.port}/api/v1.1/${method}`, {
    method: 'POST',
    body: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { 'content-type': contentType },
  });
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // XML
  }
  return {
    status: res.status,
    contentType: res.headers.get('content-type') ?? '',
    logId: res.headers.get('x-herald-log-id'),
    body: text,
    json,
  };
}

const logLines = (out: string): Record<string, unknown>[] =>
  out
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

/** XML without the line breaks between elements (the examples are pretty-printed). */
const compactXml = (xml: string): string => xml.replace(/>\s+</g, '><').trim().replace(/'/g, '"');

describe('herald serve (real process, real HTTP)', () => {
  let dir: string;
  let server: Server;
  let evaId: string;

  beforeAll(async () => {
    ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), 'herald-e2e-'));
    server = await startServer(dir);
  }, 120_000);

  afterAll(() => {
    if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('logs structured JSON, including the demo-token warning', () => {
    const lines = logLines(server.output());
    const warning = lines.find((l) => String(l.msg).includes('demo API token is active'));
    expect(warning).toMatchObject({
      level: 40,
      account: 1,
      msg: 'the demo API token is active: anyone who has read the README can call this API. Revoke it (herald token revoke, see README) before exposing this server',
    });
    const base = `http://127.0.0.1:${server.port}`;
    expect(lines.find((l) => String(l.msg).startsWith('Herald is listening'))).toMatchObject({
      msg: `Herald is listening on ${base} (console ${base}/console, API docs ${base}/docs)`,
      url: base,
      api: `${base}/api/v1.1/`,
      console: `${base}/console`,
      docs: `${base}/docs`,
    });
    // Loopback: no warning about other machines.
    expect(lines.some((l) => String(l.msg).includes('reachable from other machines'))).toBe(false);
    expect(lines.find((l) => l.msg === 'provisioning applied')).toMatchObject({ accounts: 1, tokens: 1, triggers: 2 });
    // The token itself never reaches the log.
    expect(server.output()).not.toContain(TOKEN);
  });

  it('answers the seed JSON email example: one profile updated twice', async () => {
    const res = await post(server, 'campaigns/triggers/import_and_start_batch', example('batch-email.request.json'));
    expect(res.status).toBe(200);
    expect(res.contentType).toContain('application/json');
    expect(res.logId).toMatch(/^[0-9a-f]+$/);
    expect(Object.keys(res.json)).toEqual(['error', 'error_text', 'result']);
    expect(res.json).toMatchObject({ error: 0, error_text: 'Successful operation' });
    const result = res.json.result as { profile_id: string }[];
    expect(result).toHaveLength(2);
    expect(result[0].profile_id).toMatch(/^[0-9a-f]{24}$/);
    expect(result[1]).toEqual(result[0]);
    evaId = result[0].profile_id;
    // Same shape as the seed's response (ids differ per server).
    const sample = JSON.parse(example('batch.response.json')) as Record<string, unknown>;
    expect(Object.keys(res.json)).toEqual(Object.keys(sample));
  });

  it('profiles/get returns the imported profile', async () => {
    const res = await post(server, 'profiles/get', { token: TOKEN, db_id: 1, email: 'example@example.com' });
    expect(res.status).toBe(200);
    const data = res.json.data as Record<string, unknown>;
    expect(data).toMatchObject({
      id: evaId,
      db_id: 1,
      _fname: 'Eva',
      _lname: 'Collins',
      email: 'example@example.com',
      phones: ['+79000000001'],
    });
    expect(data._md5).toBe(createHash('md5').update('example@example.com').digest('hex'));
    expect(data._emaildomain).toBe('example.com');
    expect(importedAll(data.subscriptions)).toEqual([
      {
        channel: 'email',
        resource_id: 21,
        email: 'example@example.com',
        status: 0,
        priority: 0,
        custom_fields: {},
        cats: [],
      },
    ]);
  });

  it('answers the seed XML email example in XML, updating the same profile', async () => {
    const res = await post(
      server,
      'campaigns/triggers/import_and_start_batch',
      example('batch-email.request.xml'),
      'application/xml',
    );
    expect(res.status).toBe(200);
    expect(res.contentType).toContain('application/xml');
    expect(res.body).toBe(
      `<xml><error>0</error><error_text>Successful operation</error_text><result><profile_id>${evaId}</profile_id></result><result><profile_id>${evaId}</profile_id></result></xml>`,
    );
    // The seed's XML response has exactly this structure.
    expect(compactXml(example('batch.response.xml')).replace(/[0-9a-f]{24}/g, 'ID')).toBe(
      res.body.replace(/[0-9a-f]{24}/g, 'ID'),
    );
  });

  it('answers the seed custom-matching examples (JSON and XML): two profiles each', async () => {
    const json = await post(server, 'campaigns/triggers/import_and_start_batch', example('batch-custom.request.json'));
    expect(json.status).toBe(200);
    const ids = (json.json.result as { profile_id: string }[]).map((r) => r.profile_id);
    expect(ids).toHaveLength(2);
    expect(ids[0]).not.toBe(ids[1]);
    expect(ids).not.toContain(evaId);

    const xml = await post(
      server,
      'campaigns/triggers/import_and_start_batch',
      example('batch-custom.request.xml'),
      'text/xml',
    );
    expect(xml.status).toBe(200);
    const xmlIds = [...xml.body.matchAll(/<profile_id>([0-9a-f]{24})<\/profile_id>/g)].map((m) => m[1]);
    expect(xmlIds).toHaveLength(2);
    expect(xmlIds[0]).not.toBe(xmlIds[1]);

    const will = await post(server, 'profiles/get', {
      token: TOKEN,
      db_id: 1,
      matching: 'custom',
      field_name: 'custom_field',
      field_value: 560,
    });
    expect(will.json.data).toMatchObject({ id: xmlIds[1], _fname: 'Will', _lname: 'Depp', custom_field: 560 });
    const adama = await post(server, 'profiles/get', {
      token: TOKEN,
      db_id: 1,
      matching: 'custom',
      field_name: 'Custom_ID',
      field_value: '345',
    });
    expect(adama.json.data).toMatchObject({ id: ids[0], _fname: 'Adama', Custom_ID: '345' });
  });

  it("delivers the examples' emails to the demo outbox (./data/outbox of the working directory)", async () => {
    // 2 messages per example: the email example launches twice for one profile, the custom
    // examples once for each of their two profiles; each goes to example@example.com.
    const outbox = join(dir, 'data', 'outbox');
    const emails = () => (existsSync(outbox) ? readdirSync(outbox).filter((f) => f.endsWith('.eml')) : []);
    const deadline = Date.now() + 15_000;
    while (emails().length < 8 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(emails()).toHaveLength(8);
    const texts = emails().map((f) => readFileSync(join(outbox, f), 'utf8'));
    for (const t of texts) {
      expect(t).toMatch(/^To: example@example\.com\r?$/m);
      expect(t).toMatch(/^From: Demo shop <shop@example\.com>\r?$/m);
      expect(t).toMatch(/^Subject: Welcome, \w+!\r?$/m);
      // A working unsubscribe link under the public URL (the header may be folded).
      expect(t).toMatch(/^List-Unsubscribe:\s+<http:\/\/localhost:8080\/u\/[A-Za-z0-9_.-]+>/m);
    }
    expect(texts.some((t) => /^Subject: Welcome, Will!\r?$/m.test(t))).toBe(true);
  });

  it('answers the malformed published example with a clean 400', async () => {
    const res = await post(
      server,
      'campaigns/triggers/import_and_start_batch',
      example('batch-custom.request.as-published.json'),
    );
    expect(res.status).toBe(400);
    expect(Object.keys(res.json)).toEqual(['error', 'error_debug', 'error_text']);
    expect(res.json.error).toBe(400);
    expect(res.json.error_text).toBe('Invalid request');
    expect(String(res.json.error_debug)).toMatch(/^invalid JSON: /);
    expect(res.body).not.toMatch(/node_modules|\.ts:|\/work\//);
  });

  it('answers an oversized body exactly as the seed example (JSON and XML)', async () => {
    const big = `{"token":"${TOKEN}","trigger_id":96,"data":[${'{"data":{"email":"a@example.com"}},'.repeat(330_000)}{"data":{}}]}`;
    expect(big.length).toBeGreaterThan(10 * 1024 * 1024);
    const res = await post(server, 'campaigns/triggers/import_and_start_batch', big);
    expect(res.status).toBe(400);
    expect(res.json).toEqual(JSON.parse(example('body-too-large.response.json')));
    expect(res.body).toBe('{"error":400,"error_debug":"http: request body too large","error_text":"Invalid request"}');

    const bigXml = `<xml><token>${TOKEN}</token>${'<data><email>a@example.com</email></data>'.repeat(260_000)}</xml>`;
    expect(bigXml.length).toBeGreaterThan(10 * 1024 * 1024);
    const xml = await post(server, 'campaigns/triggers/import_and_start_batch', bigXml, 'application/xml');
    expect(xml.status).toBe(400);
    expect(xml.body).toBe(compactXml(example('body-too-large.response.xml')));
  });

  it('exits with code 0 on SIGTERM, after saying so in its log', async () => {
    // The limit only stops a server that would never exit (it is then killed, and the result shows it).
    const result = await stop(server, 'SIGTERM', 25_000);
    expect(result).toEqual({ code: 0, signal: null });
    expect(logLines(server.output()).some((l) => l.msg === 'shutting down' && l.signal === 'SIGTERM')).toBe(true);
    expect(logLines(server.output()).some((l) => l.msg === 'Herald stopped')).toBe(true);
  });

  it('keeps the profiles across a restart on the same database file', async () => {
    server = await startServer(dir);
    const res = await post(server, 'profiles/get', { token: TOKEN, db_id: 1, email: 'example@example.com' });
    expect(res.status).toBe(200);
    expect(res.json.data).toMatchObject({ id: evaId, _fname: 'Eva', phones: ['+79000000001'] });
    // Provisioning applied again at start: still exactly the demo's triggers, and they work.
    const again = await post(server, 'campaigns/triggers/import_and_start', {
      token: TOKEN,
      trigger_id: 96,
      data: { email: 'example@example.com', _fname: 'Eve' },
    });
    expect(again.json).toEqual({ error: 0, error_text: 'Successful operation', profile_id: evaId });
  });

  it('keeps an answered import across a kill (SIGKILL, no shutdown)', async () => {
    const res = await post(server, 'campaigns/triggers/import_and_start', {
      token: TOKEN,
      trigger_id: 96,
      data: {
        email: 'durable@example.com',
        _fname: 'Dora',
        subscriptions: [{ channel: 'email', email: 'durable@example.com', resource_id: 21 }],
      },
    });
    expect(res.status).toBe(200);
    const id = String(res.json.profile_id);
    const killed = await stop(server, 'SIGKILL', 25_000);
    expect(killed).toEqual({ code: null, signal: 'SIGKILL' });

    server = await startServer(dir);
    const get = await post(server, 'profiles/get', { token: TOKEN, db_id: 1, email: 'durable@example.com' });
    expect(get.status).toBe(200);
    expect(get.json.data).toMatchObject({ id, _fname: 'Dora', email: 'durable@example.com' });
    expect(await stop(server, 'SIGTERM', 25_000)).toEqual({ code: 0, signal: null });
  });
});
