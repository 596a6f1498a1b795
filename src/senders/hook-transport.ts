// POSTs action-hook batches. 2xx is delivered; anything else (or no answer in time) is retried.
import type { HookPostResult, HookTransport } from '../core/hooks/dispatcher.js';
import { parseRetryAfter } from './http.js';

const TIMEOUT_MS = 10_000;

export const httpHookTransport: HookTransport = {
  async post(url, body, headers): Promise<HookPostResult> {
    try {
      const res = await fetch(url, { method: 'POST', body, headers, signal: AbortSignal.timeout(TIMEOUT_MS), redirect: 'error' });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) return { ok: true };
      const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
      return { ok: false, error: `HTTP ${res.status}`, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code;
      return { ok: false, error: `${cause ?? (err as Error).name}: ${(err as Error).message}`.slice(0, 300) };
    }
  },
};
