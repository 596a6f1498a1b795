// A pool of SMTP connections (nodemailer's SMTPConnection, its documented low-level client) that
// sends messages already built whole: each send is one MAIL FROM / RCPT TO / DATA on an open
// connection, the buffer written as it is. nodemailer's own pool wraps every raw message in a MIME
// node, a stream pipeline and an AbortController first — a fifth of a delivery worker's CPU.
// - Up to `maxConnections` connections, opened on demand through `socket()` (the outbound guard),
//   STARTTLS when the server offers it (or TLS from the start with `secure`), AUTH when given.
// - A connection sends at most `maxMessages` messages, then is closed and replaced.
// - The server refusing the envelope or the message (EENVELOPE / EMESSAGE, not 421) leaves the
//   connection usable: it is reset (RSET) and goes back to the pool. Any other error closes it.
// - A connection the server closed while it sat idle is dropped; a send that fails on a reused
//   connection before the server answered anything is tried once more on a fresh one.
import type { Socket } from 'node:net';
import SMTPConnection from 'nodemailer/lib/smtp-connection';

export interface SmtpPoolOptions {
  host: string;
  port: number;
  /** TLS from the start (smtps:); otherwise STARTTLS when the server offers it. */
  secure: boolean;
  auth?: { user: string; pass: string };
  maxConnections: number;
  maxMessages: number;
  connectionTimeout: number;
  greetingTimeout: number;
  socketTimeout: number;
  /** Opens the TCP connection (the outbound guard checks the address it connects to). */
  socket(): Promise<Socket>;
}

export interface SmtpEnvelope {
  from: string;
  to: string[];
}

interface Connection {
  smtp: SMTPConnection;
  sent: number;
  open: boolean;
  /** The operation in flight: settled by its callback, or by the connection ending first (then it never calls back). */
  pending?: Callback;
  /** Why the connection ended. */
  failure?: Error;
}

type Callback = (err?: Error | null) => void;

/** One operation of a connection (connect, login, send, reset). */
const step = (conn: Connection, f: (cb: Callback) => void): Promise<void> =>
  new Promise<void>((resolve, reject) => {
    if (conn.failure) return reject(conn.failure);
    let done = false;
    const finish: Callback = (err) => {
      if (done) return;
      done = true;
      conn.pending = undefined;
      if (err) reject(err);
      else resolve();
    };
    conn.pending = finish;
    f(finish);
  });

/** An error the server answered with (the connection said something), as opposed to one of the connection. */
const answered = (err: unknown): boolean => typeof (err as { responseCode?: unknown }).responseCode === 'number';

export class SmtpPool {
  private readonly idle: Connection[] = [];
  private readonly waiting: (() => void)[] = [];
  private readonly all = new Set<Connection>();
  private opening = 0;
  private closed = false;

  constructor(private readonly opts: SmtpPoolOptions) {}

  async send(envelope: SmtpEnvelope, raw: Buffer): Promise<void> {
    const conn = await this.acquire();
    const reused = conn.sent > 0;
    try {
      await this.sendOn(conn, envelope, raw);
    } catch (err) {
      if (!reused || answered(err) || this.closed) throw err;
      // The server had closed a connection that looked open: once more, on a new connection.
      await this.sendOn(await this.acquire(), envelope, raw);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const c of this.all) c.smtp.quit();
    this.all.clear();
    this.idle.length = 0;
    for (const wake of this.waiting.splice(0)) wake();
  }

  private async sendOn(conn: Connection, envelope: SmtpEnvelope, raw: Buffer): Promise<void> {
    try {
      await step(conn, (cb) => conn.smtp.send(envelope, raw, cb));
    } catch (err) {
      const code = (err as { code?: string; responseCode?: number }).code;
      const refused =
        (code === 'EENVELOPE' || code === 'EMESSAGE') && (err as { responseCode?: number }).responseCode !== 421;
      if (refused && conn.open) {
        conn.sent++;
        await step(conn, (cb) => conn.smtp.reset(cb)).then(
          () => this.release(conn),
          () => this.drop(conn),
        );
      } else this.drop(conn);
      throw err;
    }
    conn.sent++;
    this.release(conn);
  }

  private async acquire(): Promise<Connection> {
    for (;;) {
      if (this.closed) throw Object.assign(new Error('the SMTP sender is closed'), { code: 'ECONNECTION' });
      const idle = this.idle.pop();
      if (idle) {
        if (idle.open) return idle;
        continue;
      }
      if (this.all.size + this.opening < this.opts.maxConnections) return this.connect();
      await new Promise<void>((wake) => this.waiting.push(wake));
    }
  }

  private async connect(): Promise<Connection> {
    this.opening++;
    let conn: Connection | undefined;
    try {
      const { host, port, secure, connectionTimeout, greetingTimeout, socketTimeout } = this.opts;
      const smtp = new SMTPConnection({
        host,
        port,
        secure,
        connection: await this.opts.socket(),
        connectionTimeout,
        greetingTimeout,
        socketTimeout,
      });
      const c: Connection = { smtp, sent: 0, open: true };
      conn = c;
      const end = (err: Error) => {
        c.failure ??= err;
        c.pending?.(c.failure);
        this.drop(c);
      };
      smtp.on('error', end);
      smtp.on('end', () =>
        end(Object.assign(new Error('the SMTP server closed the connection'), { code: 'ECONNECTION' })),
      );
      // connect() calls back on success only; a failure is the 'error' (or 'end') above.
      await step(c, (cb) => smtp.connect(() => cb()));
      const auth = this.opts.auth;
      if (auth) await step(c, (cb) => smtp.login(auth, cb));
      this.opening--;
      this.all.add(c);
      return c;
    } catch (err) {
      this.opening--;
      if (conn) this.drop(conn);
      this.wake();
      throw err;
    }
  }

  private release(conn: Connection): void {
    if (!conn.open || this.closed) return;
    if (conn.sent >= this.opts.maxMessages) {
      conn.open = false;
      this.all.delete(conn);
      conn.smtp.quit();
      this.wake();
      return;
    }
    this.idle.push(conn);
    this.wake();
  }

  private drop(conn: Connection): void {
    const wasCounted = this.all.delete(conn);
    if (!conn.open) return;
    conn.open = false;
    conn.smtp.close();
    if (wasCounted) this.wake();
  }

  private wake(): void {
    this.waiting.shift()?.();
  }
}
