// The answer of an error: its status, its envelope, and the headers it needs (spec 01).
import { describe, expect, it } from 'vitest';
import { ApiError } from '../core/base/errors.js';
import { BODY_TOO_LARGE, bodyTooLarge, errorResponse } from './envelope.js';

describe('an error answer', () => {
  it('an oversized body is answered with Connection: close, no other 400', () => {
    expect(errorResponse(bodyTooLarge(), 'json').headers).toEqual({ connection: 'close' });
    expect(errorResponse(new ApiError(400, 'bad value'), 'json').headers).toEqual({});
    // The same text under another code is not the oversized body's answer.
    expect(errorResponse(new ApiError(408, BODY_TOO_LARGE), 'json').headers).toEqual({});
  });

  it('carries Retry-After when the error has one', () => {
    expect(errorResponse(new ApiError(429, 'slow down', { retryAfter: 3 }), 'json').headers).toEqual({
      'retry-after': '3',
    });
    expect(errorResponse(new ApiError(503, 'later'), 'json').headers).toEqual({});
  });

  it('is the envelope in its format, with the code and error_debug for the log line', () => {
    const r = errorResponse(new ApiError(404, 'no such thing'), 'xml');
    expect(r.status).toBe(404);
    expect(r.contentType).toBe('application/xml; charset=utf-8');
    expect(r.body).toMatch(/^<xml><error>404<\/error><error_debug>no such thing<\/error_debug><error_text>/);
    expect(r.log).toEqual({ error: 404, error_debug: 'no such thing' });
    expect(JSON.parse(errorResponse(new ApiError(404, 'x'), 'json').body)).toMatchObject({
      error: 404,
      error_debug: 'x',
    });
  });
});
