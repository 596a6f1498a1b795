// The engine's answers to the requests that are not API methods: the unsubscribe page, open and
// click tracking, and the delivery receipts of HTTP senders. Each keeps its own failure answer (a
// page, a pixel or a redirect, a JSON error), never the API's envelope.
import type { Logger } from 'pino';
import { recordReceipt } from '../core/delivery/receipts.js';
import { clickFallback, track } from '../core/delivery/track.js';
import type { LinkBook } from '../core/delivery/tracked-links.js';
import { unsubscribe, type UnsubscribeDeps } from '../core/delivery/unsubscribe.js';
import type { RawResponse } from '../http/envelope.js';
import type { ReceiptRequest, TrackRequest, UnsubscribeRequest } from '../http/raw-request.js';

export interface SideRouteDeps extends UnsubscribeDeps {
  logger: Logger;
  /** New work for the delivery loops (an unsubscribe cancels messages). */
  wake: () => void;
  /** A hook event was written. */
  wakeHooks: () => void;
  /** The stored links this process knows (its delivery workers' and its clicks'). */
  links: LinkBook;
}

const TEXT = 'text/plain; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';

export async function unsubscribeResponse(d: SideRouteDeps, req: UnsubscribeRequest): Promise<RawResponse> {
  const apply = req.httpMethod === 'POST';
  if (req.httpMethod !== 'GET' && !apply)
    return { status: 405, contentType: TEXT, body: 'Method Not Allowed', headers: { allow: 'GET, POST' } };
  try {
    const page = await unsubscribe(d, req.unsubscribeToken, apply);
    if (apply) d.wake();
    return {
      status: page.status,
      contentType: 'text/html; charset=utf-8',
      body: page.html,
      headers: { 'x-herald-log-id': req.logId, 'cache-control': 'no-store' },
    };
  } catch (err) {
    d.logger.error({ logId: req.logId, err }, 'unsubscribe failed');
    return {
      status: 503,
      contentType: TEXT,
      body: 'Please try again later.',
      headers: { 'x-herald-log-id': req.logId },
    };
  }
}

export async function trackResponse(d: SideRouteDeps, req: TrackRequest): Promise<RawResponse> {
  const headers = { 'x-herald-log-id': req.logId, 'cache-control': 'no-store, private' };
  try {
    const r = await track(d, {
      kind: req.trackKind,
      token: req.trackToken,
      ip: req.clientIp ?? null,
      userAgent: req.userAgent ?? null,
    });
    if (r.status === 404) return { status: 404, contentType: TEXT, body: 'Not Found', headers };
    d.wakeHooks();
    if (r.status === 302)
      return {
        status: 302,
        contentType: TEXT,
        body: '',
        headers: { ...headers, location: r.location, 'referrer-policy': 'no-referrer' },
      };
    // The front writes the pixel's bytes (a response crosses threads as text).
    return { status: 200, contentType: 'image/gif', body: '', headers };
  } catch (err) {
    d.logger.error({ logId: req.logId, err }, 'tracking failed');
    // The visitor still reaches the link when the storage is down (the click is not recorded).
    if (req.trackKind === 'click') {
      const url = clickFallback(d, req.trackToken);
      if (url) return { status: 302, contentType: TEXT, body: '', headers: { ...headers, location: url } };
    }
    return { status: 503, contentType: TEXT, body: 'Please try again later.', headers };
  }
}

export async function receiptResponse(d: SideRouteDeps, req: ReceiptRequest): Promise<RawResponse> {
  const headers = { 'x-herald-log-id': req.logId, 'cache-control': 'no-store' };
  try {
    const r = await recordReceipt(d, {
      senderName: req.senderName,
      key: req.receiptKey,
      contentType: req.contentType,
      body: req.body,
    });
    // The hook event written with it is due now.
    if (r.status === 200) d.wakeHooks();
    return { status: r.status, contentType: JSON_TYPE, body: JSON.stringify(r.body), headers };
  } catch (err) {
    d.logger.error({ logId: req.logId, err }, 'receipt failed');
    return { status: 503, contentType: JSON_TYPE, body: JSON.stringify({ error: 'try again later' }), headers };
  }
}
