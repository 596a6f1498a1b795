// The `fcm` sender (Firebase Cloud Messaging HTTP v1). An OAuth2 access token is obtained with
// the JWT-bearer grant (RFC 7523) at the service account's token_uri — the assertion an RS256 JWT
// signed with the account's key — and cached until five minutes before it expires; concurrent
// sends share one request for it. Messages are POSTed to {api_url}/v1/projects/{id}/messages:send.
// UNREGISTERED, or INVALID_ARGUMENT about the token, means the device token is dead: the
// subscription becomes `unsubscribed`. UNAVAILABLE, INTERNAL and 429 are retried; a 401 drops
// the cached token and is retried with a new one.
import { createPrivateKey, type KeyObject } from 'node:crypto';
import type { FcmSettings, SenderDef } from '../core/catalog/types.js';
import type { OutgoingMessage, Sender, SendResult } from '../core/delivery/outgoing.js';
import { TokenError } from './errors.js';
import { signJwt } from './jwt.js';
import type { OutboundGuard } from './outbound.js';
import { RateLimiter } from './rate-limit.js';
import { answerSnippet, guardedRequest, networkFailure, type GuardedAnswer } from './request.js';

const SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';
/** Google's tokens live an hour; one is replaced five minutes before its end, never used up to it. */
const TOKEN_MARGIN_MS = 5 * 60_000;

/** The access token of a service account, cached; one request at a time. */
export class FcmTokens {
  private current: { value: string; expiresAt: number } | undefined;
  private pending: Promise<string> | undefined;
  private readonly key: KeyObject;
  /** Token requests made: what the cache saves is visible to tests and metrics. */
  fetched = 0;

  constructor(
    private readonly settings: FcmSettings,
    private readonly guard: OutboundGuard,
  ) {
    this.key = createPrivateKey(settings.privateKey);
  }

  async get(now = Date.now()): Promise<string> {
    if (this.current && this.current.expiresAt - TOKEN_MARGIN_MS > now) return this.current.value;
    this.pending ??= this.fetch().finally(() => (this.pending = undefined));
    return this.pending;
  }

  invalidate(): void {
    this.current = undefined;
  }

  private async fetch(): Promise<string> {
    const iat = Math.floor(Date.now() / 1000);
    const s = this.settings;
    const assertion = signJwt('RS256', this.key, s.privateKeyId ? { kid: s.privateKeyId } : {}, {
      iss: s.clientEmail,
      scope: SCOPE,
      aud: s.tokenUri,
      iat,
      exp: iat + 3600,
    });
    const body = new URLSearchParams({
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      assertion,
    }).toString();
    this.fetched++;
    let res: GuardedAnswer;
    try {
      res = await guardedRequest(this.guard, {
        method: 'POST',
        url: s.tokenUri,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
      });
    } catch (err) {
      const f = networkFailure(err);
      throw new TokenError(`token request: ${f.error}`, f.transient);
    }
    let answer: { access_token?: unknown; expires_in?: unknown } = {};
    try {
      answer = JSON.parse(res.text) as typeof answer;
    } catch {
      // reported below
    }
    if (res.status !== 200 || typeof answer.access_token !== 'string') {
      throw new TokenError(
        `token request answered ${res.status}: ${answerSnippet(res.text)}`,
        res.status === 429 || res.status >= 500,
      );
    }
    const lifetime = typeof answer.expires_in === 'number' ? answer.expires_in : 3600;
    this.current = { value: answer.access_token, expiresAt: Date.now() + lifetime * 1000 };
    return answer.access_token;
  }
}

interface FcmErrorBody {
  error?: {
    status?: string;
    message?: string;
    details?: { errorCode?: string; fieldViolations?: { field?: string }[] }[];
  };
}

function readAnswer(res: GuardedAnswer, tokens: FcmTokens): SendResult {
  if (res.status === 200) {
    let name: unknown;
    try {
      name = (JSON.parse(res.text) as { name?: unknown }).name;
    } catch {
      name = undefined;
    }
    return { ok: true, ...(typeof name === 'string' && name ? { providerId: name.slice(0, 300) } : {}) };
  }
  let body: FcmErrorBody = {};
  try {
    body = JSON.parse(res.text) as FcmErrorBody;
  } catch {
    // not JSON: classified by status alone
  }
  const status = body.error?.status ?? '';
  const codes = (body.error?.details ?? []).map((d) => d.errorCode).filter((c): c is string => typeof c === 'string');
  const message = body.error?.message ?? '';
  const error = `FCM ${res.status} ${codes[0] ?? status}${message ? `: ${message}` : ''}`.slice(0, 500);
  const aboutToken =
    codes.includes('UNREGISTERED') ||
    (status === 'INVALID_ARGUMENT' &&
      (/registration token/i.test(message) ||
        (body.error?.details ?? []).some((d) => d.fieldViolations?.some((v) => v.field === 'message.token'))));
  if (aboutToken)
    return {
      ok: false,
      transient: false,
      error,
      subscription: {
        status: 'unsubscribed',
        reason: `FCM: ${codes.includes('UNREGISTERED') ? 'UNREGISTERED' : 'INVALID_ARGUMENT'} (the registration token is no longer valid)`,
      },
    };
  if (res.status === 401) {
    // Our access token was refused (revoked, or expired early): ask for a new one and retry.
    tokens.invalidate();
    return { ok: false, transient: true, error };
  }
  const transient =
    res.status === 429 ||
    res.status >= 500 ||
    ['UNAVAILABLE', 'INTERNAL', 'QUOTA_EXCEEDED'].some((c) => codes.includes(c) || status === c);
  return { ok: false, transient, error, ...(res.retryAfterMs !== undefined ? { retryAfterMs: res.retryAfterMs } : {}) };
}

export function fcmSender(def: SenderDef, guard: OutboundGuard): Sender {
  const settings = def.fcm as FcmSettings;
  const tokens = new FcmTokens(settings, guard);
  const url = `${settings.apiUrl}/v1/projects/${encodeURIComponent(settings.projectId)}/messages:send`;
  const limiter = def.ratePerSecond ? new RateLimiter(def.ratePerSecond) : undefined;
  return {
    async send(m: OutgoingMessage): Promise<SendResult> {
      if (m.channel !== 'push') return { ok: false, transient: false, error: `an fcm sender cannot send ${m.channel}` };
      await limiter?.take();
      let access: string;
      try {
        access = await tokens.get();
      } catch (err) {
        return {
          ok: false,
          transient: err instanceof TokenError ? err.transient : true,
          error: `FCM ${(err as Error).message}`.slice(0, 500),
        };
      }
      const notification = { title: m.title, body: m.text, ...(m.image ? { image: m.image } : {}) };
      const data: Record<string, string> = { message_id: m.messageId, ...(m.url ? { url: m.url } : {}) };
      const body = JSON.stringify({ message: { token: m.to.subscription_id, notification, data } });
      try {
        const res = await guardedRequest(guard, {
          method: 'POST',
          url,
          headers: { authorization: `Bearer ${access}`, 'content-type': 'application/json' },
          body,
        });
        return readAnswer(res, tokens);
      } catch (err) {
        return networkFailure(err);
      }
    },
    async close() {},
  };
}
