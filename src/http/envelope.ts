// The response envelope of spec 01: keys in the seed's order (error, error_debug, error_text,
// payload), HTTP status equal to the error code, JSON or XML.
import { ApiError, TOKEN_REQUIRED_TEXT } from '../core/base/errors.js';
import { encodeXml } from './codecs/xml.js';

export type Format = 'json' | 'xml';

export interface RawResponse {
  status: number;
  contentType: string;
  body: string;
  headers: Record<string, string>;
  /** For the request's log line, never sent: an error answer's code and error_debug, and the account when the token was known. */
  log?: AnswerLog;
}

export interface AnswerLog {
  error: number;
  error_debug: string;
  account?: number;
}

export function successEnvelope(payload: Record<string, unknown>): Record<string, unknown> {
  return { error: 0, error_text: 'Successful operation', ...payload };
}

export function errorEnvelope(err: ApiError): Record<string, unknown> {
  return { error: err.code, error_debug: err.debug, error_text: err.text };
}

export function encodeEnvelope(envelope: Record<string, unknown>, format: Format): string {
  return format === 'xml' ? encodeXml(envelope) : JSON.stringify(envelope);
}

export function respond(
  status: number,
  envelope: Record<string, unknown>,
  format: Format,
  headers: Record<string, string> = {},
): RawResponse {
  return {
    status,
    contentType: format === 'xml' ? 'application/xml; charset=utf-8' : 'application/json; charset=utf-8',
    body: encodeEnvelope(envelope, format),
    headers,
  };
}

export function errorResponse(err: ApiError, format: Format): RawResponse {
  const headers: Record<string, string> = {};
  if (err.retryAfter !== undefined) headers['retry-after'] = String(err.retryAfter);
  // Spec 01: an oversized body is answered with Connection: close wherever it is detected (the
  // HTTP front while reading, or the dispatcher for the non-attachment part of an attach body).
  if (err.code === 400 && err.debug === BODY_TOO_LARGE) headers.connection = 'close';
  return {
    ...respond(err.code, errorEnvelope(err), format, headers),
    log: { error: err.code, error_debug: err.debug },
  };
}

export const tokenRequired = (): ApiError =>
  new ApiError(401, 'no API token: give it as the token parameter, a Bearer header or the token query parameter', {
    text: TOKEN_REQUIRED_TEXT,
  });

/** The exact answer of spec 01 to an oversized body. */
export const BODY_TOO_LARGE = 'http: request body too large';
export const bodyTooLarge = (): ApiError => new ApiError(400, BODY_TOO_LARGE);
