// Spec 01 limits and hostile input: body size (Content-Length, chunked, the attachment
// allowance), XML DOCTYPE/entities/depth, prototype keys, invalid UTF-8, and responses that
// never leak internals.
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { setImmediate as tick } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BATCH,
  batch,
  drained,
  getProfile,
  LEAK,
  rawRequest,
  resultIds,
  rows,
  snapshot,
  startApi,
  WRITE_TOKEN,
  xmlValues,
} from '../helpers/api.js';
import { EXAMPLES, type Harness, type Response } from '../helpers/harness.js';

const MB = 1024 * 1024;
const TOO_LARGE_JSON = '{"error":400,"error_debug":"http: request body too large","error_text":"Invalid request"}';
const TOO_LARGE_XML =
  '<xml><error>400</error><error_debug>http: request body too large</error_debug><error_text>Invalid request</error_text></xml>';

let h: Harness;
let port: number;
beforeAll(async () => {
  h = await startApi();
  await h.app.listen({ port: 0, host: '127.0.0.1' });
  port = (h.app.server.address() as AddressInfo).port;
});
afterAll(() => h.close());

let seq = 0;
const uniq = (tag: string) => `${tag}.${++seq}@example.com`;
const item = (email: string) => ({ data: { email, subscriptions: [{ channel: 'email', resource_id: 21, email }] } });

function expect400(res: Response, debug: RegExp): void {
  expect(res.status).toBe(400);
  const unescape = (t: string | undefined) =>
    (t ?? '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  const error = res.body.startsWith('<')
    ? { error: Number(xmlValues(res.body, 'error')[0]), error_debug: unescape(xmlValues(res.body, 'error_debug')[0]) }
    : res.json;
  expect(error.error).toBe(400);
  expect(error.error_debug).toMatch(debug);
  expect(res.body).not.toMatch(LEAK);
}

/** A JSON request padded (inside `content`) to about `bytes`. */
function paddedJson(bytes: number, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    token: WRITE_TOKEN,
    trigger_id: 96,
    data: [item(uniq('pad'))],
    ...extra,
    content: { pad: 'x'.repeat(bytes) },
  });
}

// 10 to 100 MB bodies through instrumented code take minutes each in a mutation run
// (vitest.mutation.config.ts sets HERALD_MUTATION_RUN); `npm test` always runs them.
describe.skipIf(process.env.HERALD_MUTATION_RUN === '1')('body size', () => {
  it('the examples hold the exact answer', () => {
    expect(JSON.parse(readFileSync(`${EXAMPLES}body-too-large.response.json`, 'utf8'))).toEqual(
      JSON.parse(TOO_LARGE_JSON),
    );
    expect(readFileSync(`${EXAMPLES}body-too-large.response.xml`, 'utf8').replace(/>\s+</g, '><').trim()).toBe(
      TOO_LARGE_XML,
    );
  });

  it('a Content-Length over 10 MB: exactly the seed answer, Connection: close, nothing written', async () => {
    const before = snapshot(h);
    const res = await h.post(BATCH, paddedJson(10 * MB + 1), { contentType: 'application/json' });
    expect(res.status).toBe(400);
    expect(res.body).toBe(TOO_LARGE_JSON);
    expect(res.headers.connection).toBe('close');
    expect(res.headers['content-type']).toContain('application/json');
    expect(res.headers['x-herald-log-id']).toMatch(/^[0-9a-f]{16}$/);
    expect(snapshot(h)).toEqual(before);
  });

  it('just under the limit is read and handled', async () => {
    const body = paddedJson(10 * MB - 2048);
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(10 * MB);
    const res = await h.post(BATCH, body, { contentType: 'application/json' });
    expect(res.status).toBe(200);
    expect(resultIds(res)).toHaveLength(1);
  });

  it('the XML form for an XML body, and for format=xml in the query', async () => {
    const xmlBody = `<xml><token>${WRITE_TOKEN}</token><trigger_id>96</trigger_id><content><pad>${'x'.repeat(10 * MB)}</pad></content><data><email>${uniq('big')}</email></data></xml>`;
    const xml = await h.post(BATCH, xmlBody);
    expect(xml.status).toBe(400);
    expect(xml.body).toBe(TOO_LARGE_XML);
    expect(xml.headers['content-type']).toContain('application/xml');
    expect(xml.headers.connection).toBe('close');
    const viaQuery = await h.post(BATCH, paddedJson(11 * MB), { contentType: 'application/json', query: 'format=xml' });
    expect(viaQuery.body).toBe(TOO_LARGE_XML);
    expect(viaQuery.headers.connection).toBe('close');
  });

  it('a declared Content-Length over the limit is refused before the body is sent', async () => {
    const res = await rawRequest(
      port,
      `POST /api/v1.1/profiles/get HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: ${11 * MB}`,
      (sock) => {
        sock.write('{"token":"');
      },
    );
    expect(res.status).toBe(400);
    expect(res.headers.connection).toBe('close');
    expect(res.headers['x-herald-log-id']).toMatch(/^[0-9a-f]{16}$/);
    expect(res.body).toBe(TOO_LARGE_JSON);

    // On an attach method the ceiling is 100 MB.
    const attach = await rawRequest(
      port,
      `POST /api/v1.1/${BATCH} HTTP/1.1\r\nHost: test\r\nContent-Type: application/xml\r\nContent-Length: ${100 * MB + 1}`,
      (sock) => {
        sock.write('<xml>');
      },
    );
    expect(attach.status).toBe(400);
    expect(attach.headers.connection).toBe('close');
    expect(attach.body).toBe(TOO_LARGE_XML);
  });

  it('a chunked body (no Content-Length) is read only up to the limit and answered the same', async () => {
    const before = snapshot(h);
    const chunk = Buffer.alloc(256 * 1024, 0x20);
    const frame = Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]);
    let sent = 0;
    const res = await rawRequest(
      port,
      'POST /api/v1.1/profiles/import HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked',
      async (sock, stopped) => {
        const head = Buffer.from(`{"token":"${WRITE_TOKEN}","db_id":1,"data":{"email":"chunked@example.com"},"pad":"`);
        sock.write(`${head.length.toString(16)}\r\n`);
        sock.write(head);
        sock.write('\r\n');
        // A little over the limit, and never the final chunk: the answer must not wait for the end.
        while (!stopped() && sent < 10 * MB + 2 * chunk.length) {
          sent += chunk.length;
          if (!sock.write(frame)) await drained(sock, stopped);
          await tick();
        }
      },
    );
    expect(res.status).toBe(400);
    expect(res.headers.connection).toBe('close');
    expect(res.headers['x-herald-log-id']).toMatch(/^[0-9a-f]{16}$/);
    expect(res.body).toBe(TOO_LARGE_JSON);
    expect(sent).toBeGreaterThan(10 * MB);
    expect(snapshot(h)).toEqual(before);
  });

  it('a chunked attach-method body whose non-attachment part is over 10 MB: the same answer', async () => {
    const before = snapshot(h);
    const body = Buffer.from(
      paddedJson(10 * MB + 1024, { attach: [{ name: 'a.txt', data: 'data:text/plain;base64,aGVsbG8=' }] }),
    );
    const res = await rawRequest(
      port,
      `POST /api/v1.1/${BATCH} HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked`,
      async (sock, stopped) => {
        for (let off = 0; off < body.length && !stopped(); off += MB) {
          const part = body.subarray(off, off + MB);
          sock.write(`${part.length.toString(16)}\r\n`);
          sock.write(part);
          if (!sock.write('\r\n')) await drained(sock, stopped);
        }
        if (!stopped()) sock.write('0\r\n\r\n');
      },
    );
    expect(res.status).toBe(400);
    expect(res.headers.connection).toBe('close');
    expect(res.body).toBe(TOO_LARGE_JSON);
    expect(snapshot(h)).toEqual(before);
  });

  it('a chunked body under the limit is handled normally', async () => {
    const email = uniq('chunked');
    const body = Buffer.from(JSON.stringify({ token: WRITE_TOKEN, trigger_id: 96, data: [item(email)] }));
    const res = await rawRequest(
      port,
      `POST /api/v1.1/${BATCH} HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close`,
      (sock) => {
        for (const part of [body.subarray(0, 10), body.subarray(10)]) {
          sock.write(`${part.length.toString(16)}\r\n`);
          sock.write(part);
          sock.write('\r\n');
        }
        sock.write('0\r\n\r\n');
      },
    );
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({
      error: 0,
      result: [{ profile_id: expect.stringMatching(/^[0-9a-f]{24}$/) }],
    });
    expect((await getProfile(h, { email }))?.email).toBe(email);
  });

  it('attach methods accept up to 100 MB when the excess is attachment data', async () => {
    const payload = Buffer.alloc(9 * MB, 7);
    const uri = `data:application/octet-stream;base64,${payload.toString('base64')}`;
    expect(uri.length).toBeGreaterThan(12 * MB);
    const email = uniq('attach');
    const res = await h.post(
      BATCH,
      JSON.stringify({
        token: WRITE_TOKEN,
        trigger_id: 96,
        attach: [{ name: 'big.bin', data: uri }],
        data: [item(email)],
      }),
      { contentType: 'application/json' },
    );
    expect(res.status).toBe(200);
    const id = resultIds(res)[0];
    const [msg] = rows<{ launch_id: number }>(h, 'SELECT launch_id FROM messages WHERE profile_id = ?', id);
    expect(
      rows(h, 'SELECT name, mime, length(data) AS size FROM attachments WHERE launch_id = ?', msg.launch_id),
    ).toEqual([{ name: 'big.bin', mime: 'application/octet-stream', size: 9 * MB }]);
    // The same in XML, with the attachment given once (a one-element array).
    const xml = await h.post(
      BATCH,
      `<xml><token>${WRITE_TOKEN}</token><trigger_id>96</trigger_id><attach><name>big.bin</name><data>${uri}</data></attach><data><email>${uniq('attach')}</email></data></xml>`,
    );
    expect(xml.status).toBe(200);
    expect(xmlValues(xml.body, 'profile_id')).toHaveLength(1);
  });

  it('a method without attach keeps the 10 MB limit whatever the body holds', async () => {
    const uri = `data:application/octet-stream;base64,${Buffer.alloc(9 * MB, 7).toString('base64')}`;
    const res = await h.post(
      'profiles/import',
      JSON.stringify({
        token: WRITE_TOKEN,
        db_id: 1,
        attach: [{ name: 'big.bin', data: uri }],
        data: { email: uniq('noattach') },
      }),
      { contentType: 'application/json' },
    );
    expect(res.status).toBe(400);
    expect(res.body).toBe(TOO_LARGE_JSON);
    expect(res.headers.connection).toBe('close');
  });

  it('an attach body whose non-attachment part exceeds 10 MB is refused', async () => {
    const before = snapshot(h);
    const body = paddedJson(10 * MB + 1024, { attach: [{ name: 'a.txt', data: 'data:text/plain;base64,aGVsbG8=' }] });
    const res = await h.post(BATCH, body, { contentType: 'application/json' });
    expect(res.status).toBe(400);
    expect(res.body).toBe(TOO_LARGE_JSON);
    expect(snapshot(h)).toEqual(before);
    // Attachment data that is not a string does not count as attachment data.
    const fake = paddedJson(1024, { attach: [{ name: 'a.txt', data: { pad: 'y'.repeat(11 * MB) } }] });
    const res2 = await h.post(BATCH, fake, { contentType: 'application/json' });
    expect(res2.status).toBe(400);
    expect(res2.body).toBe(TOO_LARGE_JSON);
  });
});

describe('XML security', () => {
  const doc = (inner: string) => `<xml><token>${WRITE_TOKEN}</token><trigger_id>96</trigger_id>${inner}</xml>`;

  it('a DOCTYPE is refused even without entities', async () => {
    const before = snapshot(h);
    const res = await h.post(BATCH, `<!DOCTYPE xml>${doc(`<data><email>${uniq('dt')}</email></data>`)}`);
    expect400(res, /DOCTYPE or entity declaration is not allowed/);
    expect(res.body).toMatch(/^<xml><error>400<\/error><error_debug>/);
    expect(snapshot(h)).toEqual(before);
  });

  it('entity declarations are refused and never expanded', async () => {
    const before = snapshot(h);
    const internal = `<!DOCTYPE xml [<!ENTITY name "Mallory">]>${doc(`<data><email>${uniq('ent')}</email><_fname>&name;</_fname></data>`)}`;
    expect400(await h.post(BATCH, internal), /^invalid XML: a DOCTYPE or entity declaration is not allowed$/);
    const xxe = `<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>${doc(`<data><email>${uniq('ent')}</email><_fname>&xxe;</_fname></data>`)}`;
    const res = await h.post(BATCH, xxe);
    expect400(res, /^invalid XML: a DOCTYPE or entity declaration is not allowed$/);
    expect(res.body).not.toContain('root:');
    const param = `<!DOCTYPE xml [<!ENTITY % p SYSTEM "http://127.0.0.1:1/evil.dtd"> %p;]>${doc(`<data><email>${uniq('ent')}</email></data>`)}`;
    expect400(await h.post(BATCH, param), /^invalid XML: a DOCTYPE or entity declaration is not allowed$/);
    // An undeclared entity reference is an error too.
    expect400(
      await h.post(BATCH, doc(`<data><email>${uniq('ent')}</email><_fname>&name;</_fname></data>`)),
      /^invalid XML: .*entity/i,
    );
    expect(snapshot(h)).toEqual(before);
  });

  it('a billion-laughs bomb is refused at once', async () => {
    const before = snapshot(h);
    let dtd = '<!ENTITY lol0 "lol">';
    for (let i = 1; i <= 9; i++) dtd += `<!ENTITY lol${i} "${`&lol${i - 1};`.repeat(10)}">`;
    const bomb = `<?xml version="1.0"?><!DOCTYPE xml [${dtd}]>${doc(`<data><email>${uniq('bomb')}</email><_fname>&lol9;</_fname></data>`)}`;
    const res = await h.post(BATCH, bomb);
    // Refused at the declaration, before any entity could be expanded (an expanding parser would
    // answer with a billion "lol"s or run out of memory, not with this).
    expect400(res, /^invalid XML: a DOCTYPE or entity declaration is not allowed$/);
    expect(res.body.length).toBeLessThan(500);
    expect(snapshot(h)).toEqual(before);
  });

  it('predefined entities and CDATA are plain text', async () => {
    const email = uniq('amp');
    const res = await h.post(
      BATCH,
      doc(
        `<data><email>${email}</email><_fname>A &amp; B &lt;C&gt;</_fname><_lname><![CDATA[<b>bold</b>]]></_lname></data>`,
      ),
    );
    expect(res.status).toBe(200);
    const p = await getProfile(h, { email });
    expect(p).toMatchObject({ _fname: 'A & B <C>', _lname: '<b>bold</b>' });
    // And XML answers escape them again: a value never becomes markup.
    const xml = await h.post('profiles/get', { token: WRITE_TOKEN, db_id: 1, email, format: 'xml' });
    expect(xml.body).toContain('<_fname>A &amp; B &lt;C&gt;</_fname>');
    expect(xml.body).toContain('<_lname>&lt;b&gt;bold&lt;/b&gt;</_lname>');
  });

  it('nesting deeper than 32 levels is refused; 32 levels are fine', async () => {
    const nest = (levels: number) => `${'<n>'.repeat(levels)}v${'</n>'.repeat(levels)}`;
    // <xml> (1) + <content> (2) + 30 levels = 32.
    const ok = await h.post(BATCH, doc(`<content>${nest(30)}</content><data><email>${uniq('deep')}</email></data>`));
    expect(ok.status).toBe(200);
    const before = snapshot(h);
    const deep = await h.post(BATCH, doc(`<content>${nest(31)}</content><data><email>${uniq('deep')}</email></data>`));
    expect400(deep, /nested deeper than 32 levels/);
    const veryDeep = await h.post(BATCH, doc(`<content>${nest(100_000)}</content>`));
    expect400(veryDeep, /nested deeper than 32 levels/);
    expect(snapshot(h)).toEqual(before);
  });

  it('prototype keys as element names are refused anywhere', async () => {
    const before = snapshot(h);
    for (const name of ['__proto__', 'constructor', 'prototype']) {
      expect400(
        await h.post(BATCH, doc(`<data><email>${uniq('pp')}</email><${name}>1</${name}></data>`)),
        new RegExp(`<${name}> is not allowed`),
      );
      expect400(
        await h.post(
          BATCH,
          doc(
            `<content><a><${name}><polluted>yes</polluted></${name}></a></content><data><email>${uniq('pp')}</email></data>`,
          ),
        ),
        new RegExp(`<${name}> is not allowed`),
      );
      expect400(await h.post(BATCH, `<xml><${name}>x</${name}><token>${WRITE_TOKEN}</token></xml>`), /is not allowed/);
    }
    expect(snapshot(h)).toEqual(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('the root element must be <xml>; malformed XML is a clean 400', async () => {
    expect400(await h.post(BATCH, `<request><token>${WRITE_TOKEN}</token></request>`), /root element must be <xml>/);
    expect400(await h.post(BATCH, `<xml><token>${WRITE_TOKEN}</token><trigger_id>96</xml>`), /^invalid XML/);
    expect400(await h.post(BATCH, `<xml><token>${WRITE_TOKEN}</token></xml><xml/>`), /^invalid XML/);
    expect400(await h.post(BATCH, `<xml><data>text<email>a@b.cc</email></data></xml>`), /mixes text and elements/);
  });
});

describe('JSON security', () => {
  it('__proto__, constructor and prototype keys are refused anywhere', async () => {
    const before = snapshot(h);
    const email = uniq('proto');
    const bodies = [
      `{"token":"${WRITE_TOKEN}","trigger_id":96,"__proto__":{"polluted":"yes"},"data":[{"data":{"email":"${email}"}}]}`,
      `{"token":"${WRITE_TOKEN}","trigger_id":96,"data":[{"data":{"email":"${email}","__proto__":{"polluted":"yes"}}}]}`,
      `{"token":"${WRITE_TOKEN}","trigger_id":96,"data":[{"data":{"email":"${email}","attrs":{"a":[{"constructor":{"prototype":{"polluted":"yes"}}}]}}}]}`,
      `{"token":"${WRITE_TOKEN}","trigger_id":96,"content":{"prototype":1},"data":[{"data":{"email":"${email}"}}]}`,
      `{"token":"${WRITE_TOKEN}","trigger_id":96,"data":[{"data":{"email":"${email}","subscriptions":[{"channel":"email","resource_id":21,"email":"${email}","custom_fields":{"constructor":1}}]}}]}`,
      `{"token":"${WRITE_TOKEN}","trigger_id":96,"data":[{"custom_data":{"x":{"__proto__":1}},"data":{"email":"${email}"}}]}`,
    ];
    const paths = [
      '__proto__',
      'data[0].data.__proto__',
      'data[0].data.attrs.a[0].constructor',
      'content.prototype',
      'data[0].data.subscriptions[0].custom_fields.constructor',
      'data[0].custom_data.x.__proto__',
    ];
    for (const [i, body] of bodies.entries()) {
      const res = await h.post(BATCH, body, { contentType: 'application/json' });
      expect400(res, new RegExp(`^${paths[i].replace(/[.[\]]/g, '\\$&')}: the key is not allowed$`));
    }
    expect(snapshot(h)).toEqual(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('the keys are refused when spelled with escapes too', async () => {
    const before = snapshot(h);
    const email = uniq('esc');
    for (const key of ['__prot\\u006f__', '\\u005f_proto__', 'constructo\\u0072', 'prototyp\\u0065']) {
      const res = await h.post(
        BATCH,
        `{"token":"${WRITE_TOKEN}","trigger_id":96,"data":[{"data":{"email":"${email}","attrs":{"${key}":{"polluted":"yes"}}}}]}`,
        { contentType: 'application/json' },
      );
      expect400(res, /^data\[0\]\.data\.attrs\.(__proto__|constructor|prototype): the key is not allowed$/);
    }
    expect(snapshot(h)).toEqual(before);
  });

  it('the words are fine as values, and other escapes are fine as keys', async () => {
    const email = uniq('words');
    const res = await h.post(
      BATCH,
      `{"token":"${WRITE_TOKEN}","trigger_id":96,"data":[{"data":{"email":"${email}","_fname":"constructor","_lname":"__proto__","attrs":{"caf\\u00e9":"prototype"}}}]}`,
      { contentType: 'application/json' },
    );
    expect(res.status).toBe(200);
    expect(await getProfile(h, { email })).toMatchObject({
      _fname: 'constructor',
      _lname: '__proto__',
      attrs: { café: 'prototype' },
    });
  });

  it('deep nesting is a clean 400, not a crash', async () => {
    const deep = `{"token":"${WRITE_TOKEN}","trigger_id":96,"content":${'['.repeat(200_000)}${']'.repeat(200_000)},"data":[]}`;
    expect400(await h.post(BATCH, deep, { contentType: 'application/json' }), /nested deeper than/);
    const shallow = await batch(h, { content: { a: { b: { c: { d: [[[1]]] } } } }, data: [item(uniq('nest'))] });
    expect(shallow.status).toBe(200);
  });

  it('a body that is not an object is refused', async () => {
    expect400(await h.post(BATCH, '[1,2,3]', { contentType: 'application/json' }), /must be a JSON object/);
    expect400(await h.post(BATCH, '"token"', { contentType: 'application/json' }), /must be a JSON object/);
    expect400(await h.post(BATCH, 'null', { contentType: 'application/json' }), /must be a JSON object/);
  });
});

describe('encoding', () => {
  const bad = [
    ['a stray continuation byte', [0x80]],
    ['an invalid start byte', [0xff, 0xfe]],
    ['an overlong encoding of /', [0xc0, 0xaf]],
    ['an encoded surrogate', [0xed, 0xa0, 0x80]],
    ['a truncated sequence', [0xe2, 0x82]],
  ] as const;

  it.each(bad)('invalid UTF-8 (%s) is a 400 in JSON, nothing written', async (_name, bytes) => {
    const before = snapshot(h);
    const body = Buffer.concat([
      Buffer.from(`{"token":"${WRITE_TOKEN}","trigger_id":96,"data":[{"data":{"email":"${uniq('utf')}","_fname":"`),
      Buffer.from(bytes),
      Buffer.from('"}}]}'),
    ]);
    const res = await h.app.inject({
      method: 'POST',
      url: `/api/v1.1/${BATCH}`,
      payload: body,
      headers: { 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(400);
    expect(JSON.parse(res.body)).toEqual({
      error: 400,
      error_debug: 'the body is not valid UTF-8',
      error_text: 'Invalid request',
    });
    expect(snapshot(h)).toEqual(before);
  });

  it.each(bad)('invalid UTF-8 (%s) is a 400 in XML', async (_name, bytes) => {
    const body = Buffer.concat([
      Buffer.from(
        `<xml><token>${WRITE_TOKEN}</token><trigger_id>96</trigger_id><data><email>${uniq('utf')}</email><_fname>`,
      ),
      Buffer.from(bytes),
      Buffer.from('</_fname></data></xml>'),
    ]);
    const res = await h.app.inject({
      method: 'POST',
      url: `/api/v1.1/${BATCH}`,
      payload: body,
      headers: { 'content-type': 'application/xml' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.body).toBe(
      '<xml><error>400</error><error_debug>the body is not valid UTF-8</error_debug><error_text>Invalid request</error_text></xml>',
    );
  });

  it('valid multi-byte UTF-8 is kept intact (JSON and XML)', async () => {
    const email = uniq('utf');
    const res = await batch(h, { data: [{ data: { email, _fname: 'Ёжик 🦔', _lname: '日本' } }] });
    expect(res.status).toBe(200);
    expect(await getProfile(h, { email })).toMatchObject({ _fname: 'Ёжик 🦔', _lname: '日本' });
    const email2 = uniq('utf');
    const xml = await h.post(
      BATCH,
      `<xml><token>${WRITE_TOKEN}</token><trigger_id>96</trigger_id><data><email>${email2}</email><_fname>Ёжик 🦔</_fname></data></xml>`,
    );
    expect(xml.status).toBe(200);
    expect(await getProfile(h, { email: email2 })).toMatchObject({ _fname: 'Ёжик 🦔' });
  });
});

describe('no internals in responses', () => {
  it('error answers carry no stack traces, source paths or secrets', async () => {
    const responses = [
      await h.post(BATCH, '{"token": "x", "trigger_id": 96,,}', { contentType: 'application/json' }),
      await h.post(BATCH, '<xml><token>x</token', { contentType: 'application/xml' }),
      await h.post(BATCH, { token: WRITE_TOKEN, trigger_id: { $gt: 1 }, data: [] }),
      await batch(h, { data: [{ data: { email: 'nope', phones: 'abc', _ip: '1.2.3.999', _bdate: 'yesterday' } }] }),
      await batch(h, { matching: 'custom', field_name: 'CRM_ID', data: [{ data: { CRM_ID: 'x' } }] }),
      await h.post('profiles/get', {
        token: WRITE_TOKEN,
        db_id: 1,
        matching: 'profile_id',
        profile_id: '../../etc/passwd',
      }),
      await h.post('profiles/get', Buffer.from([0xff]) as unknown as string, { contentType: 'application/json' }),
      await h.post(BATCH, `<!DOCTYPE x SYSTEM "file:///etc/passwd"><xml/>`),
    ];
    for (const res of responses) {
      expect(res.body).not.toMatch(LEAK);
      expect(res.body).not.toContain(WRITE_TOKEN);
      expect(res.body).not.toContain('root:');
    }
    expect(responses.map((r) => r.status)).toEqual([400, 400, 400, 200, 200, 404, 400, 400]);
  });
});
