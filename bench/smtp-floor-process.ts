// The floor of email delivery: nodemailer alone, in a process of its own, sending one prebuilt
// message (the MIME Herald builds for the benchmark's email) to the benchmark's SMTP server over
// the same pooled transport settings Herald's SMTP sender uses, with as many messages in flight as
// a Herald worker process has (loops × concurrency). No store, no rendering, no outcome to record.
// argv: port, messages, in flight.
import nodemailer from 'nodemailer';
import { buildMail } from '../src/senders/mime.js';

const [port, messages, inFlight] = process.argv.slice(2).map(Number) as [number, number, number];
const transport = nodemailer.createTransport({
  pool: true,
  host: '127.0.0.1',
  port,
  secure: false,
  maxConnections: 16,
  maxMessages: 10_000,
});
const { raw, envelope } = buildMail({
  channel: 'email',
  ref: 1,
  messageId: '<herald.1.1@example.com>',
  from: { name: 'Shop', address: 'shop@example.com' },
  to: 'd1@example.com',
  subject: 'Welcome, N1!',
  html: '<p>Hello N1, <a href="http://127.0.0.1:8080/u/1">unsubscribe</a></p><img src="http://127.0.0.1:8080/o/1" width="1" height="1" alt="">',
  text: 'Hello N1',
  attachments: [],
  headers: { 'List-Unsubscribe': '<http://127.0.0.1:8080/u/1>', 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
});
let next = 0;
const cpuBefore = process.cpuUsage();
await Promise.all(
  Array.from({ length: inFlight }, async () => {
    while (next < messages) {
      next++;
      await transport.sendMail({ envelope, raw });
    }
  }),
);
const cpu = process.cpuUsage(cpuBefore);
transport.close();
// The CPU of the sending itself (start-up left out), for the benchmark to read.
console.log(JSON.stringify({ cpuMs: (cpu.user + cpu.system) / 1000 }));
