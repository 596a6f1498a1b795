import { describe, expect, it } from 'vitest';
import type { SenderDef } from '../core/catalog/types.js';
import type { SmsOut } from '../core/delivery/outgoing.js';
import { readAnswer, shapeRequest } from './http.js';

const sms: SmsOut = {
  channel: 'sms',
  ref: 7,
  messageId: 'herald.7.1',
  to: '+79001234567',
  text: 'a&b=c #1 "q"\n',
  vars: { lead: { _fname: 'Zoë', age: 42 }, subscription: { phone: '+79001234567' } },
};
const def = (extra: Partial<SenderDef>): SenderDef => ({
  id: 1,
  accountId: 1,
  name: 'gw',
  type: 'http',
  url: 'https://gw.example/send?fixed=1',
  ...extra,
});

describe('http request shaping', () => {
  it('without settings POSTs the default JSON body', () => {
    const r = shapeRequest(def({}), sms);
    expect(r).toMatchObject({
      method: 'POST',
      url: 'https://gw.example/send?fixed=1',
      headers: { 'content-type': 'application/json' },
    });
    expect(JSON.parse(String(r.body))).toEqual({
      to: '+79001234567',
      text: 'a&b=c #1 "q"\n',
      message_id: 'herald.7.1',
    });
  });

  it('a GET carries its values in the query, encoded, and no body', () => {
    const r = shapeRequest(
      def({ request: { method: 'GET', query: { to: '{message.to}', msg: '{message.text}', name: '{lead._fname}' } } }),
      sms,
    );
    expect(r.method).toBe('GET');
    expect(r.body).toBeUndefined();
    const url = new URL(r.url);
    expect(url.searchParams.get('fixed')).toBe('1');
    expect(url.searchParams.get('to')).toBe('+79001234567');
    expect(url.searchParams.get('msg')).toBe('a&b=c #1 "q"\n');
    expect(url.searchParams.get('name')).toBe('Zoë');
  });

  it('a JSON body renders its strings and keeps its other values as written', () => {
    const r = shapeRequest(
      def({
        request: {
          method: 'POST',
          body: {
            kind: 'json',
            value: {
              to: ['{message.to}'],
              n: 1,
              flag: false,
              none: null,
              text: 'Hi {lead._fname}: {message.text}',
              age: '{lead.age}',
            },
          },
        },
      }),
      sms,
    );
    expect(JSON.parse(String(r.body))).toEqual({
      to: ['+79001234567'],
      n: 1,
      flag: false,
      none: null,
      text: 'Hi Zoë: a&b=c #1 "q"\n',
      age: '42',
    });
  });

  it('a body of none sends nothing, even on POST', () => {
    const r = shapeRequest(def({ request: { method: 'POST', body: { kind: 'none' } } }), sms);
    expect(r.body).toBeUndefined();
    expect(r.headers['content-type']).toBeUndefined();
  });
});

describe('reading a gateway answer', () => {
  const answer = (status: number, body: unknown, retryAfterMs?: number) => ({
    status,
    text: typeof body === 'string' ? body : JSON.stringify(body),
    headers: {},
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  });
  it('takes the provider id at its pointer, and success from the listed statuses', () => {
    const shape = { method: 'POST' as const, successStatus: [202], messageIdPointer: '/message_uuid/0' };
    expect(readAnswer(shape, answer(202, { message_uuid: ['u-1'] }))).toEqual({ ok: true, providerId: 'u-1' });
    expect(readAnswer(shape, answer(200, { message_uuid: ['u-1'] }))).toMatchObject({
      ok: false,
      transient: false,
      error: expect.stringMatching(/^HTTP 200/),
    });
    expect(readAnswer(shape, answer(202, 'not json'))).toEqual({ ok: true });
  });

  it('fails a 200 whose pointer does not equal the success value, retries 429 and 5xx', () => {
    const shape = { method: 'POST' as const, successPointer: { pointer: '/messages/0/status', equals: '0' } };
    expect(readAnswer(shape, answer(200, { messages: [{ status: '0' }] }))).toEqual({ ok: true });
    expect(readAnswer(shape, answer(200, { messages: [{ status: 0 }] }))).toMatchObject({
      ok: false,
      transient: false,
    });
    expect(readAnswer(shape, answer(429, {}, 2000))).toMatchObject({ ok: false, transient: true, retryAfterMs: 2000 });
    expect(readAnswer(undefined, answer(503, 'busy'))).toMatchObject({
      ok: false,
      transient: true,
      error: 'HTTP 503: busy',
    });
  });
});
