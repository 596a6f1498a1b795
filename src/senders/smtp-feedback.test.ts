// The SMTP sender's part in delivery feedback, against a real SMTP server in the test: every
// message of a sender with a DKIM key is signed so that an independent verifier (mailauth)
// accepts the signature against the public key of that key, with the message as received; the
// envelope sender is the VERP address when the message carries one; a rejection's enhanced
// status says hard or soft bounce.
import { generateKeyPairSync } from 'node:crypto';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSmtpSink, type SmtpSink } from '../../test/helpers/smtp-sink.js';
import type { EmailOut } from '../core/delivery/outgoing.js';
import type { SenderDef } from '../core/catalog/types.js';
import { OutboundGuard, parseDenyList } from './outbound.js';
import { bounceOfReply, smtpSender } from './smtp.js';

let sink: SmtpSink;
const guard = new OutboundGuard({ deny: parseDenyList('169.254.0.0/16'), timeoutMs: 5000 });
beforeAll(async () => {
  sink = await startSmtpSink();
});
afterAll(async () => {
  await sink.close();
  await guard.close();
});
beforeEach(() => {
  sink.mails.length = 0;
  sink.rejectRecipients.clear();
});

const mail: EmailOut = {
  channel: 'email',
  ref: 3,
  messageId: '<herald.3.1@shop.example>',
  from: { name: 'Shop', address: 'news@shop.example' },
  to: 'ann@example.com',
  subject: 'Spring sale — 20 %',
  text: 'Plain text\r\nwith two lines.  ',
  html: '<p>Rich</p>',
  attachments: [],
  headers: {
    'List-Unsubscribe': '<https://herald.example/u/x>',
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
  },
};

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const publicDer = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');

async function sendWith(def: Partial<SenderDef>, m: EmailOut) {
  const s = smtpSender({ id: 1, accountId: 1, name: 'mail', type: 'smtp', url: sink.url, ...def }, guard);
  try {
    return await s.send(m);
  } finally {
    await s.close();
  }
}

/** The DNS a verifier asks: the TXT record of <selector>._domainkey.<domain>, nothing else. */
function dnsWith(records: Record<string, string>) {
  return async (name: string, type: string) => {
    const txt = records[name.toLowerCase()];
    if (type !== 'TXT' || txt === undefined)
      throw Object.assign(new Error(`no ${type} ${name}`), { code: 'ENOTFOUND' });
    return [[txt]];
  };
}

describe('DKIM signing', () => {
  it('signs every message so that the public key verifies it as received (relaxed/relaxed, RSA-SHA256)', async () => {
    expect(await sendWith({ dkim: { domain: 'shop.example', selector: 'herald1', privateKey: pem } }, mail)).toEqual({
      ok: true,
    });
    const [received] = sink.mails;
    const result = await dkimVerify(Buffer.from(received.raw), {
      resolver: dnsWith({ 'herald1._domainkey.shop.example': `v=DKIM1; k=rsa; p=${publicDer}` }),
    });
    expect(result.results).toHaveLength(1);
    // mailauth reports these fields at run time; its 4.x type declarations leave them out.
    const sig = result.results[0] as (typeof result.results)[number] & {
      algo?: string;
      format?: string;
      signingHeaders?: { keys?: string };
    };
    expect(sig.status.result).toBe('pass');
    expect(sig.signingDomain).toBe('shop.example');
    expect(sig.selector).toBe('herald1');
    expect(sig.algo).toBe('rsa-sha256');
    expect(sig.format).toBe('relaxed/relaxed');
    const signed = String(sig.signingHeaders?.keys ?? '')
      .toLowerCase()
      .split(': ')
      .join(':')
      .split(':');
    for (const h of [
      'from',
      'to',
      'subject',
      'date',
      'message-id',
      'mime-version',
      'content-type',
      'list-unsubscribe',
      'list-unsubscribe-post',
    ])
      expect(signed).toContain(h);
  });

  it('a signature does not verify against another key, nor once the message is altered', async () => {
    await sendWith({ dkim: { domain: 'shop.example', selector: 'herald1', privateKey: pem } }, mail);
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 })
      .publicKey.export({ type: 'spki', format: 'der' })
      .toString('base64');
    const raw = sink.mails[0].raw;
    const wrongKey = await dkimVerify(Buffer.from(raw), {
      resolver: dnsWith({ 'herald1._domainkey.shop.example': `v=DKIM1; k=rsa; p=${other}` }),
    });
    expect(wrongKey.results[0].status.result).toBe('fail');
    const altered = raw.replace('with two lines', 'with 2 lines');
    expect(altered).not.toBe(raw);
    const right = dnsWith({ 'herald1._domainkey.shop.example': `v=DKIM1; k=rsa; p=${publicDer}` });
    expect((await dkimVerify(Buffer.from(altered), { resolver: right })).results[0].status.result).not.toBe('pass');
  });

  it('signs with an Ed25519 key (RFC 8463 ed25519-sha256) so that its public key verifies it as received', async () => {
    const ed = generateKeyPairSync('ed25519');
    const edPem = ed.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    // The DNS record of an Ed25519 key is the raw 32-byte public key (RFC 8463 4).
    const edPublic = ed.publicKey.export({ type: 'spki', format: 'der' }).subarray(-32).toString('base64');
    const withEd = { dkim: { domain: 'shop.example', selector: 'ed1', privateKey: edPem } };
    expect(await sendWith(withEd, { ...mail, html: '<p>Rich  </p>\r\n\r\n' })).toEqual({ ok: true });
    const raw = sink.mails[0].raw;
    const resolver = dnsWith({ 'ed1._domainkey.shop.example': `v=DKIM1; k=ed25519; p=${edPublic}` });
    const result = await dkimVerify(Buffer.from(raw), { resolver });
    const sig = result.results[0] as (typeof result.results)[number] & { algo?: string; format?: string };
    expect(sig.status.result).toBe('pass');
    expect(sig.algo).toBe('ed25519-sha256');
    expect(sig.format).toBe('relaxed/relaxed');
    const altered = raw.replace('Rich', 'Poor');
    expect(altered).not.toBe(raw);
    expect((await dkimVerify(Buffer.from(altered), { resolver })).results[0].status.result).not.toBe('pass');
  });

  it('a sender without a key sends unsigned mail', async () => {
    await sendWith({}, mail);
    expect(sink.mails[0].raw).not.toMatch(/^DKIM-Signature:/im);
  });
});

describe('return path and rejections', () => {
  it('MAIL FROM is the VERP address when the message has one, else the From address', async () => {
    await sendWith({}, { ...mail, envelopeFrom: 'b-3-0123456789abcdef@bounce.shop.example' });
    await sendWith({}, mail);
    expect(sink.mails.map((m) => m.envelopeFrom)).toEqual([
      'b-3-0123456789abcdef@bounce.shop.example',
      'news@shop.example',
    ]);
    expect(sink.mails[0].parsed.from?.value[0].address).toBe('news@shop.example');
  });

  it('550 5.1.1 is a hard bounce, 552 5.2.2 a soft one, 550 5.7.1 neither; all permanent', async () => {
    sink.rejectRecipients.set('gone@example.com', '550 5.1.1 User unknown');
    sink.rejectRecipients.set('full@example.com', '552 5.2.2 Mailbox full');
    sink.rejectRecipients.set('spam@example.com', '550 5.7.1 Message rejected as spam');
    expect(await sendWith({}, { ...mail, to: 'gone@example.com' })).toMatchObject({
      ok: false,
      transient: false,
      bounce: 'hard',
      error: expect.stringMatching(/^SMTP 550: .*5\.1\.1 User unknown/),
    });
    expect(await sendWith({}, { ...mail, to: 'full@example.com' })).toMatchObject({
      ok: false,
      transient: false,
      bounce: 'soft',
    });
    const policy = await sendWith({}, { ...mail, to: 'spam@example.com' });
    expect(policy).toMatchObject({ ok: false, transient: false });
    expect(policy).not.toHaveProperty('bounce');
    expect(await sendWith({}, mail)).toEqual({ ok: true });
  });

  it('bounceOfReply reads the enhanced status wherever the reply has it', () => {
    expect(bounceOfReply('550 5.1.1 <x@y>: Recipient address rejected')).toBe('hard');
    expect(bounceOfReply('550-5.1.10 RESOLVER.ADR.RecipientNotFound')).toBe('hard');
    expect(bounceOfReply('552 5.2.2 Over quota')).toBe('soft');
    expect(bounceOfReply('552 5.2.3 Message too big')).toBeUndefined();
    expect(bounceOfReply('550 5.7.1 Policy')).toBeUndefined();
    expect(bounceOfReply('550 mailbox unavailable')).toBeUndefined();
    expect(bounceOfReply('450 4.1.1 later')).toBeUndefined();
  });
});
