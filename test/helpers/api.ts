// Shared helpers for the HTTP-level tests of test/http: the extended provisioning fixture
// (test/fixtures/http-api.json), request shortcuts, row counts and a raw HTTP/1.1 client for
// the cases app.inject cannot express (chunked bodies, a Content-Length with no body).
import net from 'node:net';
import { rows, startHarness, type Harness, type HarnessOptions, type Response } from './harness.js';

export { rows };

/**
 * Account 1 (tokens: write, read, revoked), database 1 with a custom field of every type,
 * database 2; resources 21 (email/sms/push, db 1), 22 (email, db 1), 23 (email, db 2 only);
 * triggers 96/85 (email), 97 (sms), 98 (inactive), 99 (push), 100 (skip_minutes 30),
 * 101 (api_import on db 2), 102 (email on resource 22). Account 2: token, db 3, resource 31, trigger 200.
 */
export const FIXTURE = new URL('../fixtures/http-api.json', import.meta.url).pathname;
export const WRITE_TOKEN = 'abcdefghijklmnqrstuvwxyz';
export const READ_TOKEN = 'read-only-token-0123456789';
export const REVOKED_TOKEN = 'revoked-token-0123456789';
export const OTHER_TOKEN = 'other-account-token-0123456789';

export const BATCH = 'campaigns/triggers/import_and_start_batch';
export const SINGLE = 'campaigns/triggers/import_and_start';

export const startApi = (opts: HarnessOptions = {}): Promise<Harness> => startHarness({ provision: FIXTURE, ...opts });

type PostOpts = Parameters<Harness['post']>[2];

/** import_and_start_batch with the write token and trigger 96 unless the body says otherwise. */
export function batch(h: Harness, body: Record<string, unknown>, opts?: PostOpts): Promise<Response> {
  return h.post(BATCH, { token: WRITE_TOKEN, trigger_id: 96, ...body }, opts);
}

/** Any method with the write token unless the body gives one. */
export function call(h: Harness, method: string, body: Record<string, unknown>, opts?: PostOpts): Promise<Response> {
  return h.post(method, { token: WRITE_TOKEN, ...body }, opts);
}

/** profiles/get on database 1: the profile object, or undefined on 404 (anything else throws). */
export async function getProfile(
  h: Harness,
  params: Record<string, unknown>,
): Promise<Record<string, unknown> | undefined> {
  const res = await h.post('profiles/get', { token: WRITE_TOKEN, db_id: 1, ...params });
  if (res.status === 404) return undefined;
  if (res.status !== 200) throw new Error(`profiles/get answered ${res.status}: ${res.body}`);
  return res.json.data as Record<string, unknown>;
}

/** The profile ids of a batch response (JSON). */
export function resultIds(res: Response): string[] {
  return (res.json.result as { profile_id: string }[]).map((r) => r.profile_id);
}

export interface ItemErr {
  index: number;
  error: number;
  error_text: string;
  error_debug: string;
}

export function itemErrors(res: Response): ItemErr[] {
  return (res.json.errors as ItemErr[] | undefined) ?? [];
}

export function count(h: Harness, table: string, where = '1 = 1', ...params: unknown[]): number {
  return rows<{ n: number }>(h, `SELECT count(*) AS n FROM ${table} WHERE ${where}`, ...params)[0].n;
}

/** Row counts of every table a request may write: equal before and after means nothing was written. */
export function snapshot(h: Harness): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of ['profiles', 'profile_values', 'subscriptions', 'messages', 'launches', 'attachments', 'events'])
    out[t] = count(h, t);
  return out;
}

export interface MessageRow {
  id: number;
  trigger_id: number;
  launch_id: number;
  profile_id: string;
  channel: string;
  resource_id: number | null;
  address: string | null;
  status: string;
  due_at: number;
  custom_data: string | null;
  skip_reason: string | null;
}

export function messagesOf(h: Harness, profileId: string): MessageRow[] {
  return rows<MessageRow>(h, 'SELECT * FROM messages WHERE profile_id = ? ORDER BY id', profileId);
}

/** Text of every `<tag>…</tag>` in an XML response. */
export function xmlValues(body: string, tag: string): string[] {
  return [...body.matchAll(new RegExp(`<${tag}>([^<]*)</${tag}>`, 'g'))].map((m) => m[1]);
}

/** Nothing in a response may look like a stack trace, a source path or a module path. */
export const LEAK = /\bat [\w.<>]+ \(|\.ts:\d+|\.js:\d+|node_modules|\/work\/|\/tmp\/|\/home\/|\/src\/|Error: /;

// ---------------------------------------------------------------------------------------------
// A raw HTTP/1.1 client on a real socket.

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export function parseRawResponse(raw: string): RawResponse {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) throw new Error(`no complete response head in ${JSON.stringify(raw.slice(0, 200))}`);
  const [statusLine, ...lines] = raw.slice(0, end).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const i = line.indexOf(':');
    headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return { status: Number(statusLine.split(' ')[1]), headers, body: raw.slice(end + 4) };
}

/**
 * Sends `head` (request line and headers, without the blank line), then lets `write` send body
 * bytes; resolves with the response once its Content-Length is complete or the server closes.
 * `write` gets a `stopped()` probe that turns true as soon as response bytes arrive, so a
 * streaming writer stops writing (like a real client that reads while it uploads).
 */
export function rawRequest(
  port: number,
  head: string,
  write: (sock: net.Socket, stopped: () => boolean) => void | Promise<void>,
  timeoutMs = 20_000,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    let raw = '';
    let settled = false;
    const finish = (err?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.destroy();
      if (err) reject(err);
      else {
        try {
          resolve(parseRawResponse(raw));
        } catch (e) {
          reject(e as Error);
        }
      }
    };
    const timer = setTimeout(
      () => finish(new Error(`no response within ${timeoutMs} ms; received ${JSON.stringify(raw.slice(0, 200))}`)),
      timeoutMs,
    );
    sock.on('data', (d: Buffer) => {
      raw += d.toString('utf8');
      const end = raw.indexOf('\r\n\r\n');
      if (end >= 0) {
        const len = /\r\ncontent-length:\s*(\d+)/i.exec(raw.slice(0, end));
        if (len && Buffer.byteLength(raw.slice(end + 4)) >= Number(len[1])) finish();
      }
    });
    // A reset after the answer arrived is expected (the server closes on an unread body).
    sock.on('error', (e) => (raw.includes('\r\n\r\n') ? finish() : finish(e)));
    sock.on('close', () => finish());
    sock.on('connect', () => {
      sock.write(`${head}\r\n\r\n`);
      Promise.resolve(write(sock, () => raw.length > 0)).catch((e: Error) =>
        raw.includes('\r\n\r\n') ? finish() : finish(e),
      );
    });
  });
}

/** Resolves when the socket's write buffer drained (or the answer arrived / the socket died). */
export function drained(sock: net.Socket, stopped: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    if (stopped() || sock.destroyed) return resolve();
    const done = () => {
      clearInterval(poll);
      sock.off('drain', done);
      resolve();
    };
    const poll = setInterval(() => {
      if (stopped() || sock.destroyed) done();
    }, 5);
    sock.once('drain', done);
  });
}

/** Everything the server sends on one connection until it closes it (for pipelined requests). */
export function rawExchange(
  port: number,
  write: (sock: net.Socket) => void | Promise<void>,
  timeoutMs = 10_000,
): Promise<RawResponse[]> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    let raw = '';
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`the server did not close the connection; received ${JSON.stringify(raw.slice(0, 300))}`));
    }, timeoutMs);
    sock.on('data', (d: Buffer) => (raw += d.toString('utf8')));
    sock.on('error', () => {});
    sock.on('close', () => {
      clearTimeout(timer);
      try {
        resolve(
          raw
            .split(/(?=HTTP\/1\.1 \d{3} )/)
            .filter((r) => r !== '')
            .map(parseRawResponse),
        );
      } catch (e) {
        reject(e as Error);
      }
    });
    sock.on('connect', () => {
      Promise.resolve(write(sock)).catch((e: Error) => reject(e));
    });
  });
}
