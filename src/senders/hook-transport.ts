// POSTs action-hook batches through the outbound guard. 2xx is delivered; anything else (or no
// answer in time, or a denied destination) is retried by the dispatcher.
import type { HookPostResult, HookTransport } from '../core/hooks/dispatcher.js';
import type { OutboundGuard } from './outbound.js';
import { guardedRequest } from './request.js';

export function httpHookTransport(guard: OutboundGuard): HookTransport {
  return {
    async post(url, body, headers): Promise<HookPostResult> {
      try {
        const res = await guardedRequest(guard, { method: 'POST', url, body, headers });
        if (res.status >= 200 && res.status < 300) return { ok: true };
        return {
          ok: false,
          error: `HTTP ${res.status}`,
          ...(res.retryAfterMs !== undefined ? { retryAfterMs: res.retryAfterMs } : {}),
        };
      } catch (err) {
        const e = err as { code?: string; message?: string };
        return { ok: false, error: `${e.code ?? 'error'}: ${e.message ?? String(err)}`.slice(0, 300) };
      }
    },
  };
}
