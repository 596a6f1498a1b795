// The `apns` sender (Apple Push Notification service, token-based). One HTTP/2 session to
// api.push.apple.com (or api_url) carries every message of the sender, opened through the
// outbound guard and opened again when it closes or is told to go away. Each request carries a
// provider token, an ES256 JWT (iss = team id, kid = key id) made again after 50 minutes (Apple:
// at most every 20, at least every 60), and an apns-id derived from the message id, so a re-send
// after a crash is the same notification to Apple. 410 Unregistered / ExpiredToken and 400
// BadDeviceToken mean the device token is dead: the subscription becomes `unsubscribed`.
// 429 and 5xx are retried; ExpiredProviderToken makes the token again and retries.
import { createHash, createPrivateKey, type KeyObject } from 'node:crypto';
import { connect, constants, type ClientHttp2Session } from 'node:http2';
import { isIP } from 'node:net';
import type { ApnsSettings, SenderDef } from '../core/catalog/types.js';
import type { OutgoingMessage, Sender, SendResult } from '../core/delivery/outgoing.js';
import { signJwt } from './jwt.js';
import type { OutboundGuard } from './outbound.js';
import { RateLimiter } from './rate-limit.js';
import { parseRetryAfter } from './request.js';

const TOKEN_REFRESH_MS = 50 * 60_000;
/** Apple refuses tokens renewed more often than every 20 minutes (TooManyProviderTokenUpdates). */
const TOKEN_MIN_AGE_MS = 20 * 60_000;
const MAX_ANSWER = 16 * 1024;

/** A canonical UUID derived from the message id (name-based, RFC 4122 version 5 layout). */
export function apnsId(messageId: string): string {
  const h = createHash('sha1').update(`herald-apns:${messageId}`).digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/** The provider token, signed once and reused until it is 50 minutes old. */
export class ApnsTokens {
  private current: { value: string; issuedAt: number } | undefined;
  private readonly key: KeyObject;
  /** Tokens signed: what the cache saves is visible to tests. */
  signed = 0;

  constructor(private readonly settings: ApnsSettings) {
    this.key = createPrivateKey(settings.privateKey);
  }

  get(now = Date.now()): string {
    if (this.current && now - this.current.issuedAt < TOKEN_REFRESH_MS) return this.current.value;
    this.signed++;
    const value = signJwt(
      'ES256',
      this.key,
      { kid: this.settings.keyId },
      { iss: this.settings.teamId, iat: Math.floor(now / 1000) },
    );
    this.current = { value, issuedAt: now };
    return value;
  }

  /** Apple says the token expired: make a new one, unless this one is too young to be replaced. */
  expired(now = Date.now()): void {
    if (this.current && now - this.current.issuedAt >= TOKEN_MIN_AGE_MS) this.current = undefined;
  }
}

interface Answer {
  status: number;
  apnsId: string | undefined;
  retryAfterMs?: number;
  body: string;
}

/** The sender's one HTTP/2 session, (re)opened on demand. */
class ApnsSession {
  private session: ClientHttp2Session | undefined;
  private opening: Promise<ClientHttp2Session> | undefined;

  constructor(
    private readonly origin: string,
    private readonly guard: OutboundGuard,
  ) {}

  private usable(s: ClientHttp2Session | undefined): s is ClientHttp2Session {
    return s !== undefined && !s.closed && !s.destroyed;
  }

  async get(): Promise<ClientHttp2Session> {
    if (this.usable(this.session)) return this.session;
    this.opening ??= this.open().finally(() => (this.opening = undefined));
    return this.opening;
  }

  private async open(): Promise<ClientHttp2Session> {
    const host = new URL(this.origin).hostname.replace(/^\[|\]$/g, '');
    if (isIP(host)) await this.guard.assertHost(host);
    const s = await new Promise<ClientHttp2Session>((resolve, reject) => {
      const session = connect(this.origin, { lookup: this.guard.lookup });
      const timer = setTimeout(
        () => session.destroy(new Error(`no HTTP/2 connection to ${this.origin} within ${this.guard.timeoutMs} ms`)),
        this.guard.timeoutMs,
      );
      session.once('connect', () => {
        clearTimeout(timer);
        resolve(session);
      });
      session.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
    // Later errors end the session: the next message opens a new one.
    const drop = () => {
      if (this.session === s) this.session = undefined;
    };
    s.on('error', drop);
    s.on('close', drop);
    s.on('goaway', drop);
    this.session = s;
    return s;
  }

  async request(headers: Record<string, string>, body: string): Promise<Answer> {
    const session = await this.get();
    return new Promise<Answer>((resolve, reject) => {
      const stream = session.request({ [constants.HTTP2_HEADER_METHOD]: 'POST', ...headers });
      stream.setTimeout(this.guard.timeoutMs, () => stream.close(constants.NGHTTP2_CANCEL));
      let status = 0;
      let id: string | undefined;
      let retryAfterMs: number | undefined;
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('response', (h) => {
        status = Number(h[constants.HTTP2_HEADER_STATUS]);
        id = typeof h['apns-id'] === 'string' ? h['apns-id'] : undefined;
        retryAfterMs = parseRetryAfter(h['retry-after'] as string | undefined);
      });
      stream.on('data', (c: Buffer) => {
        if (size < MAX_ANSWER) chunks.push(c);
        size += c.length;
      });
      stream.on('error', reject);
      stream.on('close', () => {
        if (status === 0)
          reject(
            Object.assign(new Error('the HTTP/2 stream closed without an answer'), { code: 'HERALD_STREAM_CLOSED' }),
          );
        else
          resolve({
            status,
            apnsId: id,
            body: Buffer.concat(chunks).toString('utf8').slice(0, MAX_ANSWER),
            ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
          });
      });
      stream.end(body);
    });
  }

  close(): void {
    this.session?.close();
    this.session = undefined;
  }
}

const DEAD_TOKEN = new Set(['Unregistered', 'ExpiredToken', 'BadDeviceToken']);

function readAnswer(a: Answer, tokens: ApnsTokens): SendResult {
  if (a.status === 200) return { ok: true, ...(a.apnsId ? { providerId: a.apnsId } : {}) };
  let reason = '';
  try {
    reason = String((JSON.parse(a.body) as { reason?: unknown }).reason ?? '');
  } catch {
    reason = '';
  }
  const error = `APNs ${a.status}${reason ? ` ${reason}` : ''}`;
  if ((a.status === 410 || a.status === 400) && DEAD_TOKEN.has(reason)) {
    return {
      ok: false,
      transient: false,
      error,
      subscription: { status: 'unsubscribed', reason: `APNs: ${reason} (the device token is no longer valid)` },
    };
  }
  if (a.status === 403 && reason === 'ExpiredProviderToken') {
    tokens.expired();
    return { ok: false, transient: true, error };
  }
  const transient = a.status === 429 || a.status >= 500;
  return { ok: false, transient, error, ...(a.retryAfterMs !== undefined ? { retryAfterMs: a.retryAfterMs } : {}) };
}

export function apnsSender(def: SenderDef, guard: OutboundGuard): Sender {
  const settings = def.apns as ApnsSettings;
  const tokens = new ApnsTokens(settings);
  const session = new ApnsSession(new URL(settings.apiUrl).origin, guard);
  const limiter = def.ratePerSecond ? new RateLimiter(def.ratePerSecond) : undefined;
  return {
    async send(m: OutgoingMessage): Promise<SendResult> {
      if (m.channel !== 'push')
        return { ok: false, transient: false, error: `an apns sender cannot send ${m.channel}` };
      await limiter?.take();
      const aps = { alert: { title: m.title, body: m.text }, ...(m.image ? { 'mutable-content': 1 } : {}) };
      const body = JSON.stringify({
        aps,
        message_id: m.messageId,
        ...(m.url ? { url: m.url } : {}),
        ...(m.image ? { image: m.image } : {}),
      });
      const headers = {
        [constants.HTTP2_HEADER_PATH]: `/3/device/${encodeURIComponent(m.to.subscription_id)}`,
        authorization: `bearer ${tokens.get()}`,
        'apns-topic': settings.topic,
        'apns-push-type': 'alert',
        'apns-id': apnsId(m.messageId),
        'content-type': 'application/json',
      };
      try {
        return readAnswer(await session.request(headers, body), tokens);
      } catch (err) {
        const e = err as { code?: string; message?: string };
        return {
          ok: false,
          transient: e.code !== 'HERALD_DENIED_ADDRESS',
          error: `APNs: ${e.code ?? 'error'}: ${e.message ?? String(err)}`.slice(0, 500),
        };
      }
    },
    async close() {
      session.close();
    },
  };
}
