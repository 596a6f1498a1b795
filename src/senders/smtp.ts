// The SMTP sender: a pool of connections (./smtp-pool.ts; STARTTLS when the server offers it, or
// smtps://), optional rate limit. SMTP 5xx answers are permanent failures, everything else
// (4xx, refused or broken connections, timeouts) is worth a retry. Every connection is opened
// by the outbound guard, so the deny list applies to the address
// actually connected to, not to an earlier lookup of the name. A sender with a DKIM key signs
// every message (./dkim.ts).
import type { SenderDef } from '../core/catalog/types.js';
import type { BounceKind, OutgoingMessage, Sender, SendResult } from '../core/delivery/outgoing.js';
import { dkimSigner } from './dkim.js';
import { buildMail } from './mime.js';
import { DENIED_CODE } from './errors.js';
import type { OutboundGuard } from './outbound.js';
import { SmtpPool } from './smtp-pool.js';
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

export function smtpSender(def: SenderDef, guard: OutboundGuard): Sender {
  const url = new URL(def.url ?? '');
  const port = url.port ? Number(url.port) : url.protocol === 'smtps:' ? 465 : 25;
  const pool = new SmtpPool({
    host: url.hostname,
    port,
    // Upgraded (smtps: or STARTTLS) with the host name as the TLS server name.
    secure: url.protocol === 'smtps:',
    socket: () => guard.connect(url.hostname, port),
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
        // The MIME is built whole in memory (./mime.ts) and written as one buffer.
        const { raw, envelope } = buildMail(m);
        await pool.send(envelope, dkim ? await dkim.sign(raw) : raw);
        return { ok: true };
      } catch (err) {
        return classifySmtpError(err);
      }
    },
    async close() {
      await pool.close();
    },
  };
}
