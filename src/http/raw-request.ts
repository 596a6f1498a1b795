// A request as the API pipeline takes it, independent of the HTTP server (the engine thread and
// the file importer hand it over as plain data), and how its body's format is told (spec 01).
import type { Format, RawResponse } from './envelope.js';

/** What every request carries, whatever its route. */
interface RequestBase {
  httpMethod: string;
  body: Uint8Array;
  contentType?: string;
  query: Record<string, string>;
  authorization?: string;
  requestId?: string;
  logId: string;
}

/**
 * A method of /api/v1.1/ (`api`, the default), or the early check of a header or query token
 * before a large body is read (`token`, token-precheck.ts; no body).
 */
export interface ApiRequest extends RequestBase {
  route?: 'api' | 'token';
  /** Method name: the path after /api/v1.1/, without trailing slash. */
  method: string;
}

/** An unsubscribe link (/u/<token>): GET shows the confirmation page, POST applies. */
export interface UnsubscribeRequest extends RequestBase {
  route: 'unsubscribe';
  unsubscribeToken: string;
}

/** An open pixel or a click (/t/o/<token>, /t/c/<token>), with the client's IP and User-Agent. */
export interface TrackRequest extends RequestBase {
  route: 'track';
  trackKind: 'open' | 'click';
  trackToken: string;
  clientIp?: string;
  userAgent?: string;
}

/** A provider's delivery receipt (/receipts/<sender>), its key from the query or a header. */
export interface ReceiptRequest extends RequestBase {
  route: 'receipt';
  senderName: string;
  receiptKey?: string;
}

/** `ready`: the readiness check (storage reachable, migrations current); `metrics`: the engine's Prometheus metrics as text. No body. */
export interface OperatorRequest extends RequestBase {
  route: 'ready' | 'metrics';
}

export type RawRequest = ApiRequest | UnsubscribeRequest | TrackRequest | ReceiptRequest | OperatorRequest;

export const isApiRequest = (req: RawRequest): req is ApiRequest =>
  req.route === undefined || req.route === 'api' || req.route === 'token';

export type Dispatch = (req: RawRequest) => Promise<RawResponse>;
/** The API pipeline's dispatch: methods (and their token precheck) only. */
export type ApiDispatch = (req: ApiRequest) => Promise<RawResponse>;

function isXmlType(contentType: string | undefined): boolean | undefined {
  if (!contentType) return undefined;
  const t = contentType.split(';')[0].trim().toLowerCase();
  if (t === 'application/xml' || t === 'text/xml') return true;
  if (t === 'application/json') return false;
  return undefined;
}

function firstNonBlank(buf: Uint8Array): number {
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i];
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09 && c !== 0xef && c !== 0xbb && c !== 0xbf) return c;
  }
  return -1;
}

/** The request body's format (spec 01): by content type, else by its first character. */
export function bodyFormat(req: Pick<RawRequest, 'contentType' | 'body'>): Format {
  const byType = isXmlType(req.contentType);
  if (byType !== undefined) return byType ? 'xml' : 'json';
  return firstNonBlank(req.body) === 0x3c ? 'xml' : 'json';
}

export function formatParam(value: unknown): Format | undefined {
  return value === 'json' || value === 'xml' ? value : undefined;
}

/** The format of an answer given before the body is parsed (oversized bodies). */
export function earlyFormat(query: Record<string, string>, contentType: string | undefined): Format {
  return formatParam(query.format) ?? (isXmlType(contentType) ? 'xml' : 'json');
}

/** The token of an `Authorization: Bearer …` header. */
export function bearer(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^Bearer\s+(.+)$/i.exec(header.trim());
  return m ? m[1].trim() : undefined;
}
