// The SMTP sender: nodemailer's pooled transport (STARTTLS when the server offers it, or
// smtps://), optional rate limit. SMTP 5xx answers are permanent failures, everything else
// (4xx, refused or broken connections, timeouts) is worth a retry. Every connection is opened
// by the outbound guard (nodemailer's getSocket), so the deny list applies to the address
// actually connected to, not to an earlier lookup of the name. A sender with a DKIM key signs
// every message (./dkim.ts).
import nodemailer from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';
import type { Options as PoolOptions } from 'nodemailer/lib/smtp-pool';
import type { SenderDef } from '../core/catalog/types.js';
import type { BounceKind, OutgoingMessage, Sender, SendResult } from '../core/delivery/outgoing.js';
import { dkimSigner } from './dkim.js';
import { mailOptions } from './mail-options.js';
import { DENIED_CODE } from './errors.js';
import type { OutboundGuard } from './outbound.js';
import { RateLimiter } from './rate-limit.js';

interface SmtpError {
  responseCode?: number;
  code?: string;
  message?: string;
  response?: string;
}

/**
 * What a permanent rejection's enhanced status (RFC 3463) says about the mailbox: `5.1.x` (bad
 * mailbox or address) a hard bounce, `5.2.2` (mailbox full) a soft one, anything else (policy,
 * content) nothing about the mailbox.
 */
export function bounceOfReply(reply: string): BounceKind | undefined {
  const m = /(?:^|[\s-])5\.(\d{1,3})\.(\d{1,3})(?=\s|$)/.exec(reply);
  if (!m) return undefined;
  if (m[1] === '1') return 'hard';
  if (m[1] === '2' && m[2] === '2') return 'soft';
  return undefined;
}

export function classifySmtpError(err: unknown): SendResult {
  const e = (err ?? {}) as SmtpError;
  if (e.code === DENIED_CODE) return { ok: false, transient: false, error: String(e.message).slice(0, 500) };
  const code = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const text = `${code ? `SMTP ${code}: ` : e.code ? `${e.code}: ` : ''}${e.message ?? String(err)}`.slice(0, 500);
  const transient = code === undefined || code < 500;
  const bounce = transient ? undefined : bounceOfReply(e.response ?? e.message ?? '');
  return { ok: false, transient, error: text, ...(bounce ? { bounce } : {}) };
}

/** nodemailer's getSocket: every connection of the pool opened by the guard. */
function connectThrough(guard: OutboundGuard, host: string, port: number): NonNullable<PoolOptions['getSocket']> {
  return (_options, callback) => {
    guard.connect(host, port).then(
      (connection) => callback(null, { connection }),
      (err: Error) => callback(err),
    );
  };
}

export function smtpSender(def: SenderDef, guard: OutboundGuard): Sender {
  const url = new URL(def.url ?? '');
  const port = url.port ? Number(url.port) : url.protocol === 'smtps:' ? 465 : 25;
  const transport = nodemailer.createTransport({
    pool: true,
    host: url.hostname,
    port,
    // nodemailer upgrades the socket (smtps: or STARTTLS) with the host name as the TLS server name.
    getSocket: connectThrough(guard, url.hostname, port),
    secure: url.protocol === 'smtps:',
    ...(url.username
      ? { auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } }
      : {}),
    // Enough connections for a worker's sends in flight (SMTP has a few round trips per message).
    maxConnections: 16,
    maxMessages: 10_000,
    connectionTimeout: Math.min(guard.timeoutMs, 10_000),
    greetingTimeout: Math.min(guard.timeoutMs, 10_000),
    socketTimeout: guard.timeoutMs,
  });
  const limiter = def.ratePerSecond ? new RateLimiter(def.ratePerSecond) : undefined;
  // Signed here, on the message built whole (the key parsed once for the sender), not by
  // nodemailer's stream signer, which parses the PEM again for every message.
  const dkim = def.dkim ? dkimSigner(def.dkim) : undefined;
  return {
    async send(m: OutgoingMessage): Promise<SendResult> {
      if (m.channel !== 'email')
        return { ok: false, transient: false, error: `an SMTP sender cannot send ${m.channel}` };
      await limiter?.take();
      try {
        // The MIME is built in memory first and handed over whole: streamed from its parts, every
        // header line and part became a write of its own on the socket (a quarter of a worker's CPU).
        // The envelope is the one nodemailer derives from the headers (IDN domains in punycode).
        const mail = new MailComposer(mailOptions(m)).compile();
        const derived = mail.getEnvelope();
        const envelope = m.envelopeFrom ? { ...derived, from: m.envelopeFrom } : derived;
        const raw = await mail.build();
        await transport.sendMail({ envelope, raw: dkim ? await dkim.sign(raw) : raw });
        return { ok: true };
      } catch (err) {
        return classifySmtpError(err);
      }
    },
    async close() {
      transport.close();
    },
  };
}
