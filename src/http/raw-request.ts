// A request as the API pipeline takes it, independent of the HTTP server (the engine thread and
// the file importer hand it over as plain data), and how its body's format is told (spec 01).
import type { Format, RawResponse } from './envelope.js';

export interface RawRequest {
  /**
   * `api`: a method of /api/v1.1/; `unsubscribe`: an unsubscribe link (method = its token);
   * `ready`: the readiness check (storage reachable, migrations current); `metrics`: the engine's
   * Prometheus metrics as text; `token`: the early check of a header or query token before a
   * large body is read (token-precheck.ts). The last three carry no body. `receipt`: a
   * provider's delivery receipt (method = the sender's name, receiptKey = its key).
   */
  route?: 'api' | 'unsubscribe' | 'ready' | 'metrics' | 'token' | 'receipt' | 'track';
  /** Method name: the path after /api/v1.1/, without trailing slash. */
  method: string;
  httpMethod: string;
  body: Uint8Array;
  contentType?: string;
  query: Record<string, string>;
  authorization?: string;
  requestId?: string;
  receiptKey?: string;
  /** `track` (an open pixel or a click, method = `open` or `click`, trackToken its token): the client's IP and User-Agent. */
  trackToken?: string;
  clientIp?: string;
  userAgent?: string;
  logId: string;
}

export type Dispatch = (req: RawRequest) => Promise<RawResponse>;

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
