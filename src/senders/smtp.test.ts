// The SMTP sender against a real SMTP server in the test process: the message it hands over,
// credentials from the URL, and how each failure is classified (5xx permanent; 4xx, refused
// connections and other errors retried; a denied host not retried; only email is its channel).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSmtpSink, type SmtpSink } from '../../test/helpers/smtp-sink.js';
import type { EmailOut, SmsOut } from '../core/delivery/outgoing.js';
import { OutboundGuard, parseDenyList } from './outbound.js';
import { classifySmtpError, smtpSender } from './smtp.js';

let plain: SmtpSink;
let authed: SmtpSink;
const guard = new OutboundGuard({ deny: parseDenyList('169.254.0.0/16'), timeoutMs: 5000 });
beforeAll(async () => {
  plain = await startSmtpSink();
  authed = await startSmtpSink(0, { auth: { user: 'mailer@shop', pass: 'p@ss:w/rd' } });
});
afterAll(async () => {
  await plain.close();
  await authed.close();
  await guard.close();
});
beforeEach(() => {
  plain.mails.length = 0;
  plain.refuseWith = undefined;
});

const mail: EmailOut = {
  channel: 'email',
  ref: 3,
  messageId: '<herald.3.1@example.com>',
  from: { name: 'Demo shop', address: 'shop@example.com' },
  replyTo: { address: 'care@example.com' },
  to: 'ann@example.com',
  subject: 'Hello',
  text: 'Plain',
  html: '<p>Rich</p>',
  attachments: [{ name: 'a.txt', mime: 'text/plain', data: Buffer.from('hi') }],
  headers: { 'List-Unsubscribe': '<https://herald.example/u/x>' },
};
const sender = (url: string) => smtpSender({ id: 1, accountId: 1, name: 'mail', type: 'smtp', url }, guard);

describe('the SMTP sender', () => {
  it('hands over the whole message: envelope, headers, both bodies, attachments', async () => {
    const s = sender(plain.url);
    try {
      expect(await s.send(mail)).toEqual({ ok: true });
    } finally {
      await s.close();
    }
    const [m] = plain.mails;
    expect(m.envelopeTo).toEqual(['ann@example.com']);
    expect(m.parsed.messageId).toBe('<herald.3.1@example.com>');
    expect(m.parsed.from?.value[0]).toEqual({ name: 'Demo shop', address: 'shop@example.com' });
    expect(m.parsed.replyTo?.value[0].address).toBe('care@example.com');
    expect(m.parsed.subject).toBe('Hello');
    expect(m.parsed.text?.trim()).toBe('Plain');
    expect(m.parsed.html).toContain('<p>Rich</p>');
    expect(m.parsed.attachments.map((a) => [a.filename, a.content.toString()])).toEqual([['a.txt', 'hi']]);
    expect(m.raw).toMatch(/^List-Unsubscribe: <https:\/\/herald\.example\/u\/x>\r?$/m);
  });

  it("logs in with the URL's user and password (percent-decoded)", async () => {
    const s = sender(
      `smtp://${encodeURIComponent('mailer@shop')}:${encodeURIComponent('p@ss:w/rd')}@127.0.0.1:${authed.port}`,
    );
    try {
      expect(await s.send(mail)).toEqual({ ok: true });
    } finally {
      await s.close();
    }
    expect(authed.mails).toHaveLength(1);
    expect(authed.authFailures).toBe(0);
  });

  it('classifies failures: 5xx permanent, 4xx and refused connections retried, a denied host not retried', async () => {
    const s = sender(plain.url);
    try {
      plain.refuseWith = 550;
      expect(await s.send(mail)).toMatchObject({
        ok: false,
        transient: false,
        error: expect.stringMatching(/^SMTP 550: /),
      });
      plain.refuseWith = 451;
      expect(await s.send(mail)).toMatchObject({
        ok: false,
        transient: true,
        error: expect.stringMatching(/^SMTP 451: /),
      });
    } finally {
      await s.close();
    }
    const refused = sender('smtp://127.0.0.1:9');
    expect(await refused.send(mail)).toMatchObject({
      ok: false,
      transient: true,
      error: expect.stringMatching(/^(ESOCKET|ECONNREFUSED): connect ECONNREFUSED/),
    });
    await refused.close();
    const denied = sender('smtp://169.254.169.254:25');
    expect(await denied.send(mail)).toMatchObject({
      ok: false,
      transient: false,
      error: expect.stringMatching(/denied/),
    });
    await denied.close();
    const sms: SmsOut = {
      channel: 'sms',
      ref: 1,
      messageId: 'x',
      to: '+7900',
      text: 't',
      vars: { lead: {}, subscription: {} },
    };
    expect(await sender(plain.url).send(sms)).toEqual({
      ok: false,
      transient: false,
      error: 'an SMTP sender cannot send sms',
    });
  });

  it('classifySmtpError: the code in front of the message, 500 characters at most', () => {
    expect(classifySmtpError({ responseCode: 552, message: 'too big' })).toEqual({
      ok: false,
      transient: false,
      error: 'SMTP 552: too big',
    });
    expect(classifySmtpError({ responseCode: 500, message: 'syntax' })).toEqual({
      ok: false,
      transient: false,
      error: 'SMTP 500: syntax',
    });
    expect(classifySmtpError({ responseCode: 499, message: 'later' })).toEqual({
      ok: false,
      transient: true,
      error: 'SMTP 499: later',
    });
    expect(classifySmtpError({ code: 'ETIMEDOUT', message: 'timeout' })).toEqual({
      ok: false,
      transient: true,
      error: 'ETIMEDOUT: timeout',
    });
    expect(classifySmtpError('odd')).toEqual({ ok: false, transient: true, error: 'odd' });
    expect((classifySmtpError({ message: 'x'.repeat(600) }) as { error: string }).error).toHaveLength(500);
  });
});
