// A real SMTP server in the test process (smtp-server) that keeps every accepted message,
// parsed (mailparser). It can refuse for a while (421 at connect or 451 on RCPT) to test retries.
import { simpleParser, type ParsedMail } from 'mailparser';
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerAuthentication, type SMTPServerAuthenticationResponse } from 'smtp-server';

export interface ReceivedMail {
  raw: string;
  parsed: ParsedMail;
  envelopeTo: string[];
  /** MAIL FROM: the return path. */
  envelopeFrom: string;
  /** Date.now() when the message was received whole. */
  receivedAt: number;
}

export interface SmtpSink {
  port: number;
  url: string;
  mails: ReceivedMail[];
  /** Answer RCPT with this SMTP code (e.g. 451 transient, 550 permanent) until cleared. */
  refuseWith: number | undefined;
  /** Recipients refused at RCPT with this reply (`550 5.1.1 User unknown`), the others accepted. */
  rejectRecipients: Map<string, string>;
  refusals: number;
  /** AUTH attempts refused (wrong user or password), when the sink requires credentials. */
  authFailures: number;
  /** Milliseconds between receiving a message and answering 250 (a slow receiver). */
  delayMs: number;
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  close(): Promise<void>;
}

/**
 * Starts the sink, on `port` when given (to bring a stopped server back on the same address);
 * with `auth`, it requires these credentials (AUTH PLAIN/LOGIN on the plain connection); `host`
 * is the loopback address it listens on (127.0.0.1 by default).
 */
export async function startSmtpSink(
  port = 0,
  opts: { auth?: { user: string; pass: string }; host?: string } = {},
): Promise<SmtpSink> {
  const sink: SmtpSink = {
    port: 0,
    url: '',
    mails: [],
    refuseWith: undefined,
    rejectRecipients: new Map(),
    refusals: 0,
    authFailures: 0,
    delayMs: 0,
    async waitFor(count, timeoutMs = 15_000) {
      const until = Date.now() + timeoutMs;
      while (sink.mails.length < count) {
        if (Date.now() > until) throw new Error(`expected ${count} mails, got ${sink.mails.length}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return sink.mails;
    },
    close: async () => {},
  };
  const auth = opts.auth;
  const server = new SMTPServer({
    authOptional: !auth,
    ...(auth
      ? {
          allowInsecureAuth: true,
          authMethods: ['PLAIN', 'LOGIN'],
          onAuth(
            a: SMTPServerAuthentication,
            _session: unknown,
            callback: (err: Error | null | undefined, response?: SMTPServerAuthenticationResponse) => void,
          ) {
            if (a.username === auth.user && a.password === auth.pass) return callback(null, { user: auth.user });
            sink.authFailures++;
            callback(new Error('Invalid username or password'));
          },
        }
      : {}),
    disabledCommands: ['STARTTLS'],
    logger: false,
    size: 200 * 1024 * 1024,
    onRcptTo(address, _session, callback) {
      const reply = sink.rejectRecipients.get(address.address.toLowerCase());
      if (reply !== undefined) {
        const [code, ...text] = reply.split(' ');
        const err = new Error(text.join(' ')) as Error & { responseCode: number };
        err.responseCode = Number(code);
        callback(err);
        return;
      }
      if (sink.refuseWith !== undefined) {
        sink.refusals++;
        const err = new Error(sink.refuseWith >= 500 ? 'mailbox unavailable' : 'try again later') as Error & {
          responseCode: number;
        };
        err.responseCode = sink.refuseWith;
        callback(err);
        return;
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const receivedAt = Date.now();
        void simpleParser(raw).then((parsed) => {
          // The message counts as received before the answer goes back (a crash in between is the
          // window in which the sender cannot know).
          sink.mails.push({
            raw,
            parsed,
            envelopeTo: session.envelope.rcptTo.map((r) => r.address),
            envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            receivedAt,
          });
          if (sink.delayMs > 0) setTimeout(() => callback(), sink.delayMs);
          else callback();
        }, callback);
      });
    },
  });
  // A client killed mid-session resets its connection: that is the test's doing, not an error.
  server.on('error', () => undefined);
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  sink.port = (server.server.address() as AddressInfo).port;
  sink.url = `smtp://${host}:${sink.port}`;
  sink.close = () => new Promise((resolve) => server.close(() => resolve()));
  return sink;
}
