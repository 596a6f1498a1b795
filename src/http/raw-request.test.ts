// How a request's body format, answer format and token are told before anything is parsed (spec 01).
import { describe, expect, it } from 'vitest';
import { bearer, bodyFormat, earlyFormat, formatParam, isApiRequest, type RawRequest } from './raw-request.js';

const body = (text: string) => Buffer.from(text);

describe('the body format', () => {
  it('is the content type’s when it names JSON or XML, with any case and parameters', () => {
    expect(bodyFormat({ contentType: 'application/xml', body: body('{}') })).toBe('xml');
    expect(bodyFormat({ contentType: 'text/xml; charset=utf-8', body: body('{}') })).toBe('xml');
    expect(bodyFormat({ contentType: ' Application/XML ;charset=UTF-8', body: body('{}') })).toBe('xml');
    expect(bodyFormat({ contentType: 'application/json', body: body('<xml/>') })).toBe('json');
    expect(bodyFormat({ contentType: 'APPLICATION/JSON; charset=utf-8', body: body('<xml/>') })).toBe('json');
  });

  it('else the first character that is not blank (nor a byte order mark): < is XML, anything else JSON', () => {
    for (const contentType of [undefined, '', 'text/plain', 'application/x-www-form-urlencoded', 'application/xml+x']) {
      expect(bodyFormat({ contentType, body: body('<xml/>') }), contentType).toBe('xml');
      expect(bodyFormat({ contentType, body: body(' \r\n\t<xml/>') }), contentType).toBe('xml');
      expect(bodyFormat({ contentType, body: body('\ufeff<xml/>') }), contentType).toBe('xml');
      expect(bodyFormat({ contentType, body: body('{"a":"<"}') }), contentType).toBe('json');
      expect(bodyFormat({ contentType, body: body('  x<') }), contentType).toBe('json');
      expect(bodyFormat({ contentType, body: body('') }), contentType).toBe('json');
      expect(bodyFormat({ contentType, body: body(' \n') }), contentType).toBe('json');
    }
  });
});

describe('the answer format before the body is parsed', () => {
  it('is the format parameter’s, else XML only for an XML content type', () => {
    expect(earlyFormat({ format: 'xml' }, 'application/json')).toBe('xml');
    expect(earlyFormat({ format: 'json' }, 'application/xml')).toBe('json');
    expect(earlyFormat({ format: 'XML' }, undefined)).toBe('json');
    expect(earlyFormat({}, 'text/xml')).toBe('xml');
    expect(earlyFormat({}, 'application/json')).toBe('json');
    expect(earlyFormat({}, 'text/plain')).toBe('json');
    expect(earlyFormat({}, undefined)).toBe('json');
  });

  it('format takes exactly "json" or "xml"', () => {
    expect(formatParam('json')).toBe('json');
    expect(formatParam('xml')).toBe('xml');
    for (const v of ['JSON', ' xml', '', undefined, null, 1, ['xml']]) expect(formatParam(v)).toBeUndefined();
  });
});

describe('a Bearer header', () => {
  it('gives its token, trimmed, whatever the scheme’s case and spacing', () => {
    expect(bearer('Bearer abc')).toBe('abc');
    expect(bearer('bearer abc')).toBe('abc');
    expect(bearer('BEARER   abc  ')).toBe('abc');
    expect(bearer('  Bearer\tabc')).toBe('abc');
    expect(bearer('Bearer a b')).toBe('a b');
  });

  it('gives nothing for another scheme, no token, or no header', () => {
    for (const h of [undefined, '', 'Basic abc', 'Bearer', 'Bearer ', 'Bearerabc', 'xBearer abc', 'Token abc'])
      expect(bearer(h), String(h)).toBeUndefined();
  });
});

it('API requests are those of no route, the api route and the token precheck', () => {
  const base = { httpMethod: 'POST', body: new Uint8Array(0), query: {}, logId: 'x' };
  const of = (route: string | undefined) => ({ ...base, route, method: 'm' }) as RawRequest;
  expect(isApiRequest(of(undefined))).toBe(true);
  expect(isApiRequest(of('api'))).toBe(true);
  expect(isApiRequest(of('token'))).toBe(true);
  for (const route of ['unsubscribe', 'track', 'receipt', 'ready', 'metrics'])
    expect(isApiRequest(of(route))).toBe(false);
});
