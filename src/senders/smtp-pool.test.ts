// The SMTP connection pool against real SMTP servers (smtp-server) in the test process: how many
// connections it opens and reuses, what it does when the server refuses a message, closes the
// connection or cannot be reached, and that it upgrades with STARTTLS when offered.
import { connect as netConnect, type AddressInfo, type Socket } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { SmtpPool, type SmtpPoolOptions } from './smtp-pool.js';

interface Server {
  port: number;
  /** Connections opened so far, and open now (the largest number seen at once). */
  connections: number;
  mostAtOnce: number;
  received: string[];
  server: SMTPServer;
}

const servers: SMTPServer[] = [];
const pools: SmtpPool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
});

async function startServer(opts: Partial<SMTPServerOptions> & { refuse?: (rcpt: string) => boolean } = {}) {
  let open = 0;
  const s: Server = { port: 0, connections: 0, mostAtOnce: 0, received: [], server: undefined as never };
  const { refuse, ...rest } = opts;
  s.server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onConnect(_session, cb) {
      s.connections++;
      s.mostAtOnce = Math.max(s.mostAtOnce, ++open);
      cb();
    },
    onClose() {
      open--;
    },
    onRcptTo(address, _session, cb) {
      if (refuse?.(address.address)) return cb(Object.assign(new Error('no such user'), { responseCode: 550 }));
      cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        s.received.push(`${session.envelope.rcptTo.map((r) => r.address).join(',')} ${Buffer.concat(chunks).length}`);
        cb();
      });
    },
    ...rest,
  });
  s.server.on('error', () => undefined);
  servers.push(s.server);
  await new Promise<void>((r) => s.server.listen(0, '127.0.0.1', r));
  s.port = (s.server.server.address() as AddressInfo).port;
  return s;
}

const socketTo = (port: number) => () =>
  new Promise<Socket>((resolve, reject) => {
    const sock = netConnect(port, '127.0.0.1', () => resolve(sock));
    sock.once('error', reject);
  });

function pool(port: number, opts: Partial<SmtpPoolOptions> = {}) {
  const p = new SmtpPool({
    host: '127.0.0.1',
    port,
    secure: false,
    maxConnections: 4,
    maxMessages: 100,
    connectionTimeout: 5000,
    greetingTimeout: 5000,
    socketTimeout: 5000,
    socket: socketTo(port),
    ...opts,
  });
  pools.push(p);
  return p;
}

const raw = (n: number) =>
  Buffer.from(`From: a@example.com\r\nTo: b@example.com\r\nSubject: ${n}\r\n\r\nmessage ${n}\r\n.\r\nnot the end\r\n`);
const to = (n: number) => ({ from: 'a@example.com', to: [`b${n}@example.com`] });

describe('the SMTP pool', () => {
  it('opens at most maxConnections and reuses them', async () => {
    const s = await startServer();
    const p = pool(s.port, { maxConnections: 3 });
    await Promise.all(Array.from({ length: 40 }, (_, i) => p.send(to(i), raw(i))));
    expect(s.received).toHaveLength(40);
    expect(s.connections).toBe(3);
    expect(s.mostAtOnce).toBe(3);
    // The body is written whole, dot-stuffed: a line that is a dot does not end the message.
    expect(s.received[0]).toMatch(/ \d+$/);
    expect(Number(s.received[0]!.split(' ')[1])).toBe(raw(0).length);
  });

  it('replaces a connection after maxMessages', async () => {
    const s = await startServer();
    const p = pool(s.port, { maxConnections: 1, maxMessages: 2 });
    for (let i = 0; i < 5; i++) await p.send(to(i), raw(i));
    expect(s.received).toHaveLength(5);
    expect(s.connections).toBe(3);
  });

  it('keeps the connection when the server refuses a message, and answers the refusal', async () => {
    const s = await startServer({ refuse: (rcpt) => rcpt === 'b1@example.com' });
    const p = pool(s.port, { maxConnections: 1 });
    await p.send(to(0), raw(0));
    await expect(p.send(to(1), raw(1))).rejects.toMatchObject({ code: 'EENVELOPE', responseCode: 550 });
    await p.send(to(2), raw(2));
    expect(s.received.map((r) => r.split(' ')[0])).toEqual(['b0@example.com', 'b2@example.com']);
    expect(s.connections).toBe(1);
  });

  it('sends over a new connection when the server closed the one it had', async () => {
    const s = await startServer();
    const p = pool(s.port, { maxConnections: 1 });
    for (let i = 0; i < 4; i++) {
      await p.send(to(i), raw(i));
      // The server hangs up every connection it has, the idle one included (as a server does after a
      // message limit or an idle timeout).
      for (const c of (s.server as unknown as { connections: Set<{ close(): void }> }).connections) c.close();
    }
    expect(s.received).toHaveLength(4);
    expect(s.connections).toBe(4);
  });

  it('fails every waiting send when the server cannot be reached, and none hangs', async () => {
    const s = await startServer();
    const port = s.port;
    await new Promise<void>((r) => s.server.close(() => r()));
    servers.length = 0;
    const p = pool(port, { maxConnections: 1 });
    const results = await Promise.allSettled(Array.from({ length: 5 }, (_, i) => p.send(to(i), raw(i))));
    expect(results.map((r) => r.status)).toEqual(Array(5).fill('rejected'));
  });

  it('upgrades with STARTTLS when the server offers it, checking the certificate', async () => {
    // smtp-server's built-in certificate is self-signed: the upgrade is tried and the certificate refused.
    const s = await startServer({ disabledCommands: [] });
    const p = pool(s.port);
    await expect(p.send(to(0), raw(0))).rejects.toThrow(/certificate/i);
    expect(s.received).toHaveLength(0);
  });

  it('refuses sends once closed', async () => {
    const s = await startServer();
    const p = pool(s.port);
    await p.send(to(0), raw(0));
    await p.close();
    await expect(p.send(to(1), raw(1))).rejects.toMatchObject({ code: 'ECONNECTION' });
  });
});
