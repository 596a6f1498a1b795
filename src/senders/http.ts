// The `http` sender, for any SMS or push gateway: a request shaped by the sender's settings
// (method, JSON / form / no body, query, headers, Basic auth), every value a template rendered
// for the message and encoded for where it goes (JSON string, form or query encoding, a header
// line), never spliced raw. The answer is read for success (statuses, a pointer that must equal a
// value) and the provider's message id. 429 and 5xx are retried (Retry-After honoured); other
// failures are permanent. Without settings it POSTs today's `{to, text, message_id}` JSON.
import { isDeepStrictEqual } from 'node:util';
import type { HttpRequestShape, JsonTemplate, SenderDef } from '../core/catalog/types.js';
import type { OutgoingMessage, Sender, SendResult } from '../core/delivery/outgoing.js';
import { render, type RequestScope } from '../core/templates/render.js';
import { readPointer, scalarText } from '../core/values/json-pointer.js';
import type { OutboundGuard } from './outbound.js';
import { RateLimiter } from './rate-limit.js';
import { answerSnippet, guardedRequest, networkFailure, type GuardedAnswer, type GuardedRequest } from './request.js';

export function providerBody(m: OutgoingMessage): Record<string, unknown> {
  if (m.channel === 'sms') return { to: m.to, text: m.text, message_id: m.messageId };
  if (m.channel === 'push')
    return { to: m.to, title: m.title, text: m.text, url: m.url, image: m.image, message_id: m.messageId };
  return { to: m.to, subject: m.subject, text: m.text ?? '', html: m.html ?? '', message_id: m.messageId };
}

/** `{message.*}`: the rendered message; for push, `to` is the device token (subscription_id). */
function messageVars(m: OutgoingMessage): Record<string, unknown> {
  if (m.channel === 'sms') return { id: m.messageId, to: m.to, text: m.text };
  if (m.channel === 'push')
    return {
      id: m.messageId,
      to: m.to.subscription_id,
      provider: m.to.provider,
      title: m.title,
      text: m.text,
      url: m.url,
      image: m.image,
    };
  return { id: m.messageId, to: m.to, subject: m.subject, text: m.text ?? '' };
}

function scopeOf(m: OutgoingMessage): RequestScope {
  const vars = m.channel === 'email' ? { lead: {}, subscription: {} } : m.vars;
  return { message: messageVars(m), subscription: vars.subscription, lead: vars.lead };
}

function renderJson(value: JsonTemplate, scope: RequestScope): unknown {
  if (typeof value === 'string') return render(value, scope, 'text');
  if (Array.isArray(value)) return value.map((v) => renderJson(v, scope));
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderJson(v, scope)]));
  return value;
}

/** The request for one message: every template rendered, every value encoded for its place. */
export function shapeRequest(def: SenderDef, m: OutgoingMessage): GuardedRequest {
  const shape: HttpRequestShape = def.request ?? { method: 'POST' };
  const scope = scopeOf(m);
  const url = new URL(def.url ?? '');
  for (const [k, tpl] of Object.entries(shape.query ?? {})) url.searchParams.append(k, render(tpl, scope, 'text'));
  const headers: Record<string, string> = {};
  let body: string | undefined;
  const kind = shape.body?.kind ?? (shape.method === 'POST' ? 'default' : 'none');
  if (kind === 'default') {
    body = JSON.stringify(providerBody(m));
    headers['content-type'] = 'application/json';
  } else if (shape.body?.kind === 'json') {
    body = JSON.stringify(renderJson(shape.body.value, scope));
    headers['content-type'] = 'application/json';
  } else if (shape.body?.kind === 'form') {
    const form = new URLSearchParams();
    for (const [k, tpl] of Object.entries(shape.body.fields)) form.append(k, render(tpl, scope, 'text'));
    body = form.toString();
    headers['content-type'] = 'application/x-www-form-urlencoded';
  }
  if (shape.basicAuth)
    headers.authorization = `Basic ${Buffer.from(`${shape.basicAuth.user}:${shape.basicAuth.password}`).toString('base64')}`;
  // A rendered header never carries CR or LF ('header' mode): no header injection through values.
  for (const [k, tpl] of Object.entries(def.headers ?? {})) headers[k.toLowerCase()] = render(tpl, scope, 'header');
  return { method: shape.method, url: url.toString(), headers, ...(body !== undefined ? { body } : {}) };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Reads a gateway's answer: success by status and pointer, and the provider's id. */
export function readAnswer(shape: HttpRequestShape | undefined, res: GuardedAnswer): SendResult {
  const statusOk = shape?.successStatus
    ? shape.successStatus.includes(res.status)
    : res.status >= 200 && res.status < 300;
  const retry = res.retryAfterMs !== undefined ? { retryAfterMs: res.retryAfterMs } : {};
  const snippet = answerSnippet(res.text);
  if (!statusOk) {
    const transient = res.status === 429 || res.status >= 500;
    return { ok: false, transient, error: `HTTP ${res.status}${snippet ? `: ${snippet}` : ''}`, ...retry };
  }
  const json = shape?.successPointer || shape?.messageIdPointer ? parseJson(res.text) : undefined;
  if (
    shape?.successPointer &&
    !isDeepStrictEqual(readPointer(json, shape.successPointer.pointer), shape.successPointer.equals)
  ) {
    // Some gateways answer 200 with an error inside: the answer says what went wrong.
    return { ok: false, transient: false, error: `HTTP ${res.status}, the answer reports a failure: ${snippet}` };
  }
  const providerId = shape?.messageIdPointer ? scalarText(readPointer(json, shape.messageIdPointer)) : undefined;
  return { ok: true, ...(providerId ? { providerId: providerId.slice(0, 200) } : {}) };
}

export function httpSender(def: SenderDef, guard: OutboundGuard): Sender {
  const limiter = def.ratePerSecond ? new RateLimiter(def.ratePerSecond) : undefined;
  return {
    async send(m: OutgoingMessage): Promise<SendResult> {
      await limiter?.take();
      let res: GuardedAnswer;
      try {
        res = await guardedRequest(guard, shapeRequest(def, m));
      } catch (err) {
        return networkFailure(err);
      }
      return readAnswer(def.request, res);
    },
    async close() {},
  };
}
