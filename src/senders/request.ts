// One guarded HTTP/1.1 request for the senders and action hooks: through the outbound guard's
// agent (deny list checked on the address connected to, timeouts, no redirects followed), the
// answer read up to a bound, Retry-After parsed.
import { isIP } from 'node:net';
import { request } from 'undici';
import type { OutboundGuard } from './outbound.js';

/** Answers are read up to this much: enough for any provider's JSON, never a memory risk. */
const MAX_ANSWER = 64 * 1024;

/** Retry-After as milliseconds: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | string[] | null | undefined, now = Date.now()): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export interface GuardedAnswer {
  status: number;
  /** The answer's text, up to 64 KiB. */
  text: string;
  headers: Record<string, string | string[] | undefined>;
  retryAfterMs?: number;
}

export interface GuardedRequest {
  method: 'POST' | 'GET';
  url: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
}

async function readBounded(body: AsyncIterable<Uint8Array> & { destroy(): void }): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(Buffer.from(chunk));
    size += chunk.length;
    if (size >= MAX_ANSWER) {
      body.destroy();
      break;
    }
  }
  return Buffer.concat(chunks).subarray(0, MAX_ANSWER).toString('utf8');
}

/** Throws on a network failure, a timeout or a denied destination. */
export async function guardedRequest(guard: OutboundGuard, req: GuardedRequest): Promise<GuardedAnswer> {
  const host = new URL(req.url).hostname.replace(/^\[|\]$/g, '');
  // Literal addresses are connected to without a lookup: check them here.
  if (isIP(host)) await guard.assertHost(host);
  const res = await request(req.url, {
    method: req.method,
    headers: req.headers,
    ...(req.body !== undefined ? { body: req.body } : {}),
    dispatcher: guard.agent,
    headersTimeout: guard.timeoutMs,
    bodyTimeout: guard.timeoutMs,
  });
  const text = await readBounded(res.body).catch(() => '');
  const retryAfterMs = parseRetryAfter(res.headers['retry-after']);
  return {
    status: res.statusCode,
    text,
    headers: res.headers,
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  };
}

/** A network-level failure as a send result: a denied destination stays denied, the rest is worth a retry. */
export function networkFailure(err: unknown): { ok: false; transient: boolean; error: string } {
  const e = err as { code?: string; message?: string };
  return {
    ok: false,
    transient: e.code !== 'HERALD_DENIED_ADDRESS',
    error: `${e.code ?? 'error'}: ${e.message ?? String(err)}`.slice(0, 500),
  };
}

/** An answer's text for an error message: short, on one line. */
export const answerSnippet = (text: string): string => text.replace(/\s+/g, ' ').trim().slice(0, 300);
