// The built-in MX (spec 07): an SMTP server without authentication that accepts mail only for
// addresses at the bounce domain (others: 550), up to 10 MB a message, parses each with
// report-parse.ts and hands the report to the core, which applies it. It answers 250 once the
// report is applied (or dropped), so a mail server keeps and retries what Herald could not store.
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import type { InboundOutcome, InboundReport } from '../core/delivery/inbound-report.js';
import { parseInboundReport } from './report-parse.js';

export const MAX_INBOUND_BYTES = 10 * 1024 * 1024;

export interface InboundMxOptions {
  port: number;
  host: string;
  bounceDomain: string;
  /** The name the server greets with. */
  name?: string;
  apply(report: InboundReport): Promise<InboundOutcome>;
  /** Every message read, by what it came to (a metric). */
  observe?(outcome: InboundOutcome): void;
  log: { warn(obj: object, msg: string): void };
}

export interface InboundMx {
  port: number;
  close(): Promise<void>;
}

const smtpError = (code: number, text: string) => Object.assign(new Error(text), { responseCode: code });

export async function startInboundMx(opts: InboundMxOptions): Promise<InboundMx> {
  const domain = opts.bounceDomain.toLowerCase();
  const server = new SMTPServer({
    name: opts.name ?? domain,
    banner: 'Herald bounce and feedback receiver',
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    size: MAX_INBOUND_BYTES,
    logger: false,
    onRcptTo(address, _session, callback) {
      const at = address.address.lastIndexOf('@');
      if (at < 0 || address.address.slice(at + 1).toLowerCase() !== domain)
        return callback(smtpError(550, '5.1.1 No such recipient here'));
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (stream.sizeExceeded) return callback(smtpError(552, '5.3.4 Message too big'));
        const rcptTo = session.envelope.rcptTo.map((r) => r.address);
        parseInboundReport(Buffer.concat(chunks), rcptTo)
          .then((report) => opts.apply(report))
          .then(
            (outcome) => {
              opts.observe?.(outcome);
              callback();
            },
            (err: unknown) => {
              opts.log.warn({ err }, 'an inbound report could not be applied: the sending server will retry');
              callback(smtpError(451, '4.3.0 Try again later'));
            },
          );
      });
    },
  });
  server.on('error', (err) => opts.log.warn({ err }, 'inbound SMTP connection failed'));
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
