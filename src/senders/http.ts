// The HTTP sender for SMS and push providers: POSTs the message as JSON to the configured URL
// with the configured headers, through the outbound guard (deny list, timeouts, no redirects).
// 2xx is success; 429 and 5xx are retried (Retry-After honoured); other statuses are permanent.
import { isIP } from 'node:net';
import { request } from 'undici';
import type { SenderDef } from '../core/catalog/types.js';
import type { OutgoingMessage, Sender, SendResult } from '../core/delivery/outgoing.js';
import type { OutboundGuard } from './outbound.js';
import { RateLimiter } from './rate-limit.js';

/** Retry-After as milliseconds: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | string[] | null | undefined, now = Date.now()): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export function providerBody(m: OutgoingMessage): Record<string, unknown> {
  if (m.channel === 'sms') return { to: m.to, text: m.text, message_id: m.messageId };
  if (m.channel === 'push') return { to: m.to, title: m.title, text: m.text, url: m.url, image: m.image, message_id: m.messageId };
  return { to: m.to, subject: m.subject, text: m.text ?? '', html: m.html ?? '', message_id: m.messageId };
}

export interface PostResult {
  status: number;
  text: string;
  retryAfterMs?: number;
}

/** One guarded POST: throws on a network failure, a timeout or a denied destination. */
export async function guardedPost(guard: OutboundGuard, url: string, body: string, headers: Record<string, string>): Promise<PostResult> {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  // Literal addresses are connected to without a lookup: check them here.
  if (isIP(host)) await guard.assertHost(host);
  const res = await request(url, { method: 'POST', body, headers, dispatcher: guard.agent, headersTimeout: guard.timeoutMs, bodyTimeout: guard.timeoutMs });
  const text = (await res.body.text().catch(() => '')).slice(0, 300);
  const retryAfterMs = parseRetryAfter(res.headers['retry-after']);
  return { status: res.statusCode, text, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
}

export function httpSender(def: SenderDef, guard: OutboundGuard): Sender {
  const url = def.url ?? '';
  const limiter = def.ratePerSecond ? new RateLimiter(def.ratePerSecond) : undefined;
  return {
    async send(m: OutgoingMessage): Promise<SendResult> {
      await limiter?.take();
      let res: PostResult;
      try {
        res = await guardedPost(guard, url, JSON.stringify(providerBody(m)), { 'content-type': 'application/json', ...def.headers });
      } catch (err) {
        const e = err as { code?: string; message?: string };
        // A denied destination stays denied: no point retrying it.
        return { ok: false, transient: e.code !== 'HERALD_DENIED_ADDRESS', error: `${e.code ?? 'error'}: ${e.message ?? String(err)}`.slice(0, 500) };
      }
      if (res.status >= 200 && res.status < 300) return { ok: true };
      const transient = res.status === 429 || res.status >= 500;
      return { ok: false, transient, error: `HTTP ${res.status}${res.text ? `: ${res.text}` : ''}`, ...(res.retryAfterMs !== undefined ? { retryAfterMs: res.retryAfterMs } : {}) };
    },
    async close() {},
  };
}
