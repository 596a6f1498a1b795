// The lean MIME builder: what a mail reader takes from its output (mailparser) is what it takes from
// nodemailer's MailComposer for the same message — addresses, subject, ids, text, HTML, attachments,
// headers — for fixed cases and for generated ones; and the output is well-formed MIME on the wire:
// CRLF line ends only, no line over 998 octets, no header a value could inject.
import { simpleParser, type ParsedMail, type AddressObject } from 'mailparser';
import fc from 'fast-check';
import MailComposer from 'nodemailer/lib/mail-composer';
import { describe, expect, it } from 'vitest';
import type { EmailOut } from '../core/delivery/outgoing.js';
import { buildMail, quotedPrintableAscii } from './mime.js';

/** The same message for nodemailer's MailComposer (the way Herald built it before it built its own MIME). */
function mailOptions(m: EmailOut) {
  return {
    from: m.from.name ? { name: m.from.name, address: m.from.address } : m.from.address,
    ...(m.replyTo
      ? { replyTo: m.replyTo.name ? { name: m.replyTo.name, address: m.replyTo.address } : m.replyTo.address }
      : {}),
    to: m.to,
    subject: m.subject,
    messageId: m.messageId,
    ...(m.text !== undefined ? { text: m.text } : {}),
    ...(m.html !== undefined ? { html: m.html } : {}),
    attachments: m.attachments.map((a) => ({ filename: a.name, content: a.data, contentType: a.mime })),
    headers: m.headers,
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}

const base: EmailOut = {
  channel: 'email',
  ref: 7,
  messageId: '<herald.7.1@shop.example>',
  from: { name: 'Shop', address: 'shop@shop.example' },
  to: 'ann@example.com',
  subject: 'Welcome',
  text: 'Hello Ann',
  html: '<p>Hello <b>Ann</b></p>',
  attachments: [],
  headers: {
    'List-Unsubscribe': '<https://herald.example/u/abc>',
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
  },
};

const addresses = (a: AddressObject | AddressObject[] | undefined) =>
  (Array.isArray(a) ? a : a ? [a] : []).flatMap((o) => o.value.map((v) => ({ name: v.name, address: v.address })));
const nl = (s: string | false | undefined) =>
  typeof s === 'string' ? s.replace(/\r\n/g, '\n').replace(/\n+$/, '') : s;

/** What a reader takes from a message. */
function reading(p: ParsedMail) {
  return {
    from: addresses(p.from),
    to: addresses(p.to),
    replyTo: addresses(p.replyTo),
    subject: p.subject,
    messageId: p.messageId,
    text: nl(p.text),
    html: nl(p.html),
    attachments: p.attachments.map((a) => ({
      filename: a.filename,
      contentType: a.contentType,
      content: a.content.toString('base64'),
    })),
    unsubscribe: p.headers.get('list-unsubscribe-post'),
    listUnsubscribe: JSON.stringify(p.headers.get('list-unsubscribe')),
  };
}

/** The address and subject header fields as written (folded), by name. */
function addressFields(raw: Buffer) {
  const head = raw.toString('utf8').split('\r\n\r\n')[0]!;
  const fields = head.split(/\r\n(?![ \t])/);
  return Object.fromEntries(
    ['From', 'To', 'Reply-To', 'Subject'].map((k) => [k, fields.find((f) => f.startsWith(`${k}: `))]),
  );
}

async function both(m: EmailOut) {
  const ours = buildMail(m);
  const theirs = new MailComposer(mailOptions(m)).compile();
  const theirRaw = await theirs.build();
  // The header fields are written exactly as nodemailer writes them.
  expect(addressFields(ours.raw)).toEqual(addressFields(theirRaw));
  return {
    ours: reading(await simpleParser(ours.raw)),
    theirs: reading(await simpleParser(theirRaw)),
    raw: ours.raw,
    envelope: ours.envelope,
    theirEnvelope: theirs.getEnvelope(),
  };
}

function wellFormed(raw: Buffer) {
  const text = raw.toString('latin1');
  expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  for (const line of text.split('\r\n')) expect(line.length).toBeLessThanOrEqual(998);
}

const cases: [string, Partial<EmailOut>][] = [
  ['text and HTML', {}],
  ['text only', { html: undefined }],
  ['HTML only', { text: undefined }],
  ['neither', { text: undefined, html: undefined }],
  [
    'non-ASCII everywhere',
    {
      from: { name: 'Магазин «Ромашка»', address: 'shop@shop.example' },
      to: 'иван@пример.рф',
      subject: 'Привет, Иван! Ваш заказ № 42 готов — это длинная тема письма, которая не влезет в одну строку',
      text: 'Здравствуйте, Иван.\nВаш заказ готов.',
      html: '<p>Здравствуйте, <b>Иван</b>.</p>',
    },
  ],
  ['an IDN domain with an ASCII mailbox', { to: 'ann@jõgeva.ee' }],
  ['a name with quotes and commas', { from: { name: 'Shop, Inc. "Best"', address: 'shop@shop.example' } }],
  ['a mixed-case domain', { to: 'Ann.Lee@Example.COM' }],
  ['a punycode domain', { to: 'ann@xn--e1afmkfd.xn--p1ai' }],
  ['a quoted local part', { to: '"ann lee"@example.com' }],
  [
    'a subject with quotes, an encoded-word look-alike, and over 76 characters',
    { subject: 'Say "hi" =?utf-8?q?x?= to our new collection of spring and summer shoes and bags, today only' },
  ],
  ['a long plain subject', { subject: 'word '.repeat(40).trim() }],
  ['a long address', { to: `${'a'.repeat(70)}@example.com` }],
  ['a reply-to', { replyTo: { name: 'Help Desk', address: 'help@shop.example' } }],
  [
    'long ASCII lines (tracked links)',
    {
      html: `<p>${Array.from({ length: 20 }, (_, i) => `<a href="https://t.herald.example/c/${'x'.repeat(120)}${i}">item ${i}</a>`).join(' ')}</p>`,
    },
  ],
  ['an ASCII line over 998 octets', { html: `<p>${'a'.repeat(2500)}</p>`, text: 'b'.repeat(1200) }],
  [
    'long lines with = signs, tabs and spaces at the ends',
    {
      html: `${'<a href="https://x.example/?a=1&amp;b=2">x</a> '.repeat(60)}\n${'= '.repeat(600)} \n\t`,
      text: `${'x=y\t'.repeat(300)}  \nend =`,
    },
  ],
  ['a line that is a lone dot, and boundary-like lines', { text: 'one\n.\n--=_herald_x\n--\ntwo' }],
  ['LF and CRLF line ends', { text: 'a\nb\r\nc\n\nd' }],
  [
    'attachments',
    {
      attachments: [
        { name: 'invoice.pdf', mime: 'application/pdf', data: Buffer.from('%PDF-1.4 fake') },
        { name: 'счёт за декабрь.txt', mime: 'text/plain', data: Buffer.from('строка', 'utf8') },
        { name: 'a "quoted"; name.bin', mime: 'application/octet-stream', data: Buffer.alloc(300, 7) },
      ],
    },
  ],
];

describe('the MIME builder', () => {
  for (const [name, change] of cases) {
    it(`reads as nodemailer's output: ${name}`, async () => {
      const m = { ...base, ...change };
      const r = await both(m);
      expect(r.ours).toEqual(r.theirs);
      expect(r.envelope).toEqual({ from: r.theirEnvelope.from, to: r.theirEnvelope.to });
      wellFormed(r.raw);
    });
  }

  it('sends ASCII text as written (7bit), non-ASCII as base64, an over-long ASCII line quoted-printable', () => {
    const head = (m: Partial<EmailOut>) => buildMail({ ...base, html: undefined, ...m }).raw.toString('utf8');
    expect(head({ text: 'Hello' })).toContain('Content-Transfer-Encoding: 7bit\r\n\r\nHello\r\n');
    expect(head({ text: 'Привет' })).toContain(
      `Content-Transfer-Encoding: base64\r\n\r\n${Buffer.from('Привет').toString('base64')}`,
    );
    expect(head({ text: 'x'.repeat(1000) })).toContain('Content-Transfer-Encoding: quoted-printable');
    // A lone CR (old Mac line ends) is a line end too: a bare CR cannot travel over SMTP.
    expect(head({ text: 'a\rb\nc' })).toContain('7bit\r\n\r\na\r\nb\r\nc\r\n');
  });

  it('writes the envelope sender given, the Date given, and a header per entry', () => {
    const r = buildMail(
      { ...base, envelopeFrom: 'bounce+7@bounce.shop.example' },
      new Date(Date.UTC(2026, 0, 2, 3, 4, 5)),
    );
    expect(r.envelope).toEqual({ from: 'bounce+7@bounce.shop.example', to: ['ann@example.com'] });
    const text = r.raw.toString('utf8');
    expect(text).toContain('\r\nDate: Fri, 02 Jan 2026 03:04:05 +0000\r\n');
    expect(text).toContain('\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n');
    expect(text).toContain('\r\nMIME-Version: 1.0\r\n');
  });

  it('lets no value inject a header', async () => {
    const m: EmailOut = {
      ...base,
      subject: 'Hi\r\nBcc: eve@evil.example',
      from: { name: 'Shop\r\nX-Evil: 1', address: 'shop@shop.example' },
      headers: { 'X-Herald-Test': 'true\r\nX-Evil: 2', 'Bad: Key\r\n': 'v' },
    };
    const p = await simpleParser(buildMail(m).raw);
    expect(p.headers.has('bcc')).toBe(false);
    expect(p.headers.has('x-evil')).toBe(false);
    expect(p.subject).toBe('Hi Bcc: eve@evil.example');
  });

  it('uses a new boundary for each message', () => {
    const b = (raw: Buffer) => /boundary="([^"]+)"/.exec(raw.toString('utf8'))?.[1];
    const seen = new Set(Array.from({ length: 600 }, () => b(buildMail(base).raw)));
    expect(seen.size).toBe(600);
  });

  it('writes quoted-printable that decodes to the text, in lines of 76 at most', () => {
    const decode = (qp: string) =>
      qp.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: fc.constantFrom('a', '=', ' ', '\t', 'b', '.'), maxLength: 400, size: 'max' }), {
          maxLength: 5,
        }),
        (lines) => {
          const text = lines.join('\r\n');
          const qp = quotedPrintableAscii(text);
          expect(decode(qp)).toBe(text);
          for (const line of qp.split('\r\n')) {
            expect(line.length).toBeLessThanOrEqual(76);
            expect(line).not.toMatch(/[ \t]$/);
            // No escape is cut by a soft break.
            expect(line.replace(/=$/, '')).not.toMatch(/=(?![0-9A-F]{2})/);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('reads as nodemailer reads for generated content', async () => {
    const text = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 300 }),
      fc.string({ unit: fc.constantFrom('a', ' ', '\n', '\r\n', '.', '-', '=', 'é', 'я', '😀', '\t'), maxLength: 400 }),
      fc.string({ unit: fc.constantFrom('x', 'y', ' '), minLength: 900, maxLength: 1300 }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          subject: fc.oneof(
            fc.string({ unit: 'grapheme', maxLength: 120 }),
            fc.string({ unit: fc.constantFrom('a', ' ', '"', '=', '?', 'Z', '\t'), maxLength: 160 }),
          ),
          name: fc.string({ unit: 'grapheme-ascii', maxLength: 40 }),
          text: fc.option(text, { nil: undefined }),
          html: fc.option(text, { nil: undefined }),
        }),
        async ({ subject, name, text, html }) => {
          const m: EmailOut = { ...base, subject, from: { name, address: 'shop@shop.example' }, text, html };
          const r = await both(m);
          expect(r.ours).toEqual(r.theirs);
          wellFormed(r.raw);
        },
      ),
      { numRuns: 150 },
    );
  });
});
