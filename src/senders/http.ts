// The HTTP sender for SMS and push providers: POSTs the message as JSON to the configured URL
// with the configured headers. 2xx is success; 429 and 5xx are retried (Retry-After honoured);
// other statuses are permanent failures.
import type { SenderDef } from '../core/catalog/types.js';
import type { OutgoingMessage, Sender, SendResult } from '../core/delivery/outgoing.js';
import { RateLimiter } from './rate-limit.js';

const TIMEOUT_MS = 15_000;

/** Retry-After as milliseconds: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export function providerBody(m: OutgoingMessage): Record<string, unknown> {
  if (m.channel === 'sms') return { to: m.to, text: m.text, message_id: m.messageId };
  if (m.channel === 'push') return { to: m.to, title: m.title, text: m.text, url: m.url, image: m.image, message_id: m.messageId };
  return { to: m.to, subject: m.subject, text: m.text ?? '', html: m.html ?? '', message_id: m.messageId };
}

export function httpSender(def: SenderDef): Sender {
  const url = def.url ?? '';
  const limiter = def.ratePerSecond ? new RateLimiter(def.ratePerSecond) : undefined;
  return {
    async send(m: OutgoingMessage): Promise<SendResult> {
      await limiter?.take();
      let res: Response;
      try {
        res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...def.headers },
          body: JSON.stringify(providerBody(m)),
          signal: AbortSignal.timeout(TIMEOUT_MS),
          redirect: 'error',
        });
      } catch (err) {
        const cause = (err as { cause?: { code?: string } }).cause?.code;
        return { ok: false, transient: true, error: `${cause ?? (err as Error).name}: ${(err as Error).message}`.slice(0, 500) };
      }
      const text = (await res.text().catch(() => '')).slice(0, 300);
      if (res.ok) return { ok: true };
      const transient = res.status === 429 || res.status >= 500;
      const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
      return { ok: false, transient, error: `HTTP ${res.status}${text ? `: ${text}` : ''}`, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
    },
    async close() {},
  };
}
