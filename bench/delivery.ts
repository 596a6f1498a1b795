// Delivery throughput: messages already scheduled in the store are sent by `herald worker`
// processes to a receiver running in another process — emails to an SMTP server, SMS to an
// HTTP endpoint — and timed from the workers' start to the last message counted.
// HERALD_BENCH_WORKER_ARGS adds Node options to the worker processes (e.g. --cpu-prof).
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ROOT, round, startServer, TOKEN, post } from './lib.js';

export interface DeliveryResult {
  name: string;
  messages: number;
  workers: number;
  seconds: number;
  messagesPerSecond: number;
  /** CPU time (user + system) of the worker processes per message, from the first message sent to the last. */
  workerCpuMsPerMessage?: number;
  /** Messages per second from the first message counted to the last (process start-up left out). */
  steadyPerSecond?: number;
  /** CPU time of the receiving server per message: where it nears 1 core per message interval, it is the limit. */
  receiverCpuMsPerMessage?: number;
}

/** CPU time a process has used so far, from /proc (ticks of 10 ms), in ms: robust to a busy host. */
function cpuMs(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

async function startSink(): Promise<{
  smtp: number;
  http: number;
  pid: number | undefined;
  count(): Promise<{ mails: number; posts: number }>;
  stop(): void;
}> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/sink-process.ts')], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve) => createInterface({ input: child.stdout }).once('line', resolve));
  const ports = JSON.parse(line) as { smtp: number; http: number };
  return {
    ...ports,
    pid: child.pid,
    count: async () =>
      (await (await fetch(`http://127.0.0.1:${ports.http}/count`)).json()) as { mails: number; posts: number },
    stop: () => child.kill(),
  };
}

/**
 * The email variants of the feedback benchmark: the same email of `links` links sent plain, signed
 * (DKIM, an RSA 2048 or Ed25519 key), tracked (links rewritten, open pixel) or both.
 */
export interface EmailVariant {
  dkim?: 'rsa' | 'ed25519';
  track: boolean;
  links: number;
}

const dkimKeys = new Map<string, string>();
function dkimPem(kind: 'rsa' | 'ed25519'): string {
  let pem = dkimKeys.get(kind);
  if (!pem) {
    const { privateKey } =
      kind === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ed25519');
    pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    dkimKeys.set(kind, pem);
  }
  return pem;
}

function emailHtml(links: number): string {
  const items = Array.from(
    { length: links },
    (_, i) =>
      `<p>Item ${i}: <a href="https://shop.example/item/${i}?utm_source=mail&amp;utm_medium=email">see item ${i}</a></p>`,
  ).join('');
  return `<html><body><p>Hello {lead._fname},</p>${items}<p><a href="{unsubscribe}">unsubscribe</a></p></body></html>`;
}

export function variantName(v: EmailVariant): string {
  const parts = [v.dkim ? `DKIM ${v.dkim === 'rsa' ? 'RSA 2048' : 'Ed25519'}` : '', v.track ? 'tracked' : ''];
  return parts.filter(Boolean).join(' + ') || 'plain';
}

export async function deliveryBench(opts: {
  channel: 'email' | 'sms';
  messages: number;
  workerProcesses: number;
  loops: number;
  postgres?: string;
  /** Email only: the feedback variant (without it, the short email with the pixel, as always measured). */
  variant?: EmailVariant;
}): Promise<DeliveryResult> {
  const sink = await startSink();
  const v = opts.variant;
  const provision = {
    accounts: [
      {
        id: 1,
        name: 'Bench',
        tokens: [{ token: TOKEN, role: 'write' }],
        senders: [
          {
            name: 'mail',
            type: 'smtp',
            url: `smtp://127.0.0.1:${sink.smtp}`,
            ...(v?.dkim ? { dkim: { domain: 'shop.example', selector: 'bench', private_key: dkimPem(v.dkim) } } : {}),
          },
          { name: 'sms', type: 'http', url: `http://127.0.0.1:${sink.http}/sms` },
        ],
        databases: [{ id: 1, name: 'Customers' }],
        resources: [
          {
            id: 21,
            name: 'Main',
            db_ids: [1],
            channels: {
              email: { sender: 'mail', from_email: 'shop@example.com', from_name: 'Shop' },
              sms: { sender: 'sms' },
            },
          },
        ],
        templates: [
          {
            id: 5,
            name: 'Welcome',
            channel: 'email',
            subject: 'Welcome, {lead._fname}!',
            html: v ? emailHtml(v.links) : '<p>Hello {lead._fname}, <a href="{unsubscribe}">unsubscribe</a></p>',
            text: 'Hello {lead._fname}',
          },
          { id: 6, name: 'Code', channel: 'sms', text: 'Your code, {lead._fname}: {apicontent.code}' },
        ],
        triggers: [
          {
            id: 96,
            name: 'Welcome',
            trigger_type: 'api_call',
            send_channel: 'email',
            resource_id: 21,
            list_id: 1,
            is_active: true,
            content: [{ message_id: 5 }],
            ...(v ? { track_opens: v.track, track_clicks: v.track } : {}),
          },
          {
            id: 97,
            name: 'Code',
            trigger_type: 'api_call',
            send_channel: 'sms',
            resource_id: 21,
            list_id: 1,
            is_active: true,
            content: [{ message_id: 6 }],
          },
        ],
      },
    ],
  };
  const api = await startServer({
    HERALD_WORKERS: '0',
    ...(opts.postgres ? { HERALD_DATABASE_URL: opts.postgres } : {}),
  });
  const file = join(api.dir, 'bench-provision.json');
  writeFileSync(file, JSON.stringify(provision));
  const workers: ReturnType<typeof spawn>[] = [];
  try {
    const apply = spawn(process.execPath, [join(ROOT, 'bin/herald.js'), 'apply', file], {
      cwd: api.dir,
      env: { ...process.env, HERALD_DATABASE_URL: opts.postgres ?? `sqlite:${join(api.dir, 'herald.db')}` },
      stdio: 'ignore',
    });
    await new Promise((r) => apply.once('exit', r));
    for (let offset = 0; offset < opts.messages; offset += 10_000) {
      const data = Array.from({ length: Math.min(10_000, opts.messages - offset) }, (_, i) => {
        const n = offset + i;
        const sub =
          opts.channel === 'email'
            ? { channel: 'email', email: `d${n}@example.com`, resource_id: 21 }
            : { channel: 'sms', phone: `+7901${String(n).padStart(7, '0')}`, resource_id: 21 };
        return { data: { _fname: `N${n}`, email: `d${n}@example.com`, subscriptions: [sub] } };
      });
      const res = await post(
        api.url,
        'campaigns/triggers/import_and_start_batch',
        JSON.stringify({
          token: TOKEN,
          trigger_id: opts.channel === 'email' ? 96 : 97,
          content: { code: '1234' },
          data,
        }),
      );
      if (res.status !== 200) throw new Error(`import failed: ${JSON.stringify(res.json).slice(0, 200)}`);
    }
    const started = performance.now();
    for (let i = 0; i < opts.workerProcesses; i++) {
      workers.push(
        spawn(
          process.execPath,
          [
            ...(process.env.HERALD_BENCH_WORKER_ARGS ? process.env.HERALD_BENCH_WORKER_ARGS.split(' ') : []),
            join(ROOT, 'bin/herald.js'),
            'worker',
          ],
          {
            cwd: api.dir,
            env: {
              ...process.env,
              HERALD_DATABASE_URL: opts.postgres ?? `sqlite:${join(api.dir, 'herald.db')}`,
              HERALD_WORKERS: String(opts.loops),
              HERALD_LOG_LEVEL: 'warn',
              HERALD_DELIVERY_BATCH: '200',
              HERALD_DELIVERY_CONCURRENCY: '32',
            },
            stdio: ['ignore', 'ignore', 'inherit'],
          },
        ),
      );
    }
    const key = opts.channel === 'email' ? 'mails' : 'posts';
    // The workers' CPU from their first message on (their start-up left out), per message.
    const workersCpu = () => workers.reduce((sum, w) => sum + cpuMs(w.pid), 0);
    let first: { count: number; cpu: number; at: number; sink: number } | undefined;
    let cpuEnd = 0;
    let sinkEnd = 0;
    for (;;) {
      const counts = await sink.count();
      if (!first && counts[key] > 0)
        first = { count: counts[key], cpu: workersCpu(), at: performance.now(), sink: cpuMs(sink.pid) };
      if (counts[key] >= opts.messages) {
        cpuEnd = workersCpu();
        sinkEnd = cpuMs(sink.pid);
        break;
      }
      if (performance.now() - started > 300_000) throw new Error(`delivery stalled at ${counts[key]}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const ended = performance.now();
    const seconds = (ended - started) / 1000;
    return {
      name: `delivery of ${opts.messages} ${v ? `emails of ${v.links} links, ${variantName(v)},` : opts.channel === 'email' ? 'emails' : 'SMS'} ${opts.channel === 'email' ? 'to an SMTP server' : 'to an HTTP provider'} in another process, ${opts.workerProcesses} worker process(es) × ${opts.loops} loop(s) (${opts.postgres ? 'PostgreSQL' : 'SQLite'})`,
      messages: opts.messages,
      workers: opts.workerProcesses * opts.loops,
      seconds: round(seconds, 2),
      messagesPerSecond: Math.round(opts.messages / seconds),
      workerCpuMsPerMessage: first ? round((cpuEnd - first.cpu) / Math.max(1, opts.messages - first.count), 3) : 0,
      steadyPerSecond: first ? Math.round(((opts.messages - first.count) * 1000) / Math.max(1, ended - first.at)) : 0,
      receiverCpuMsPerMessage: first ? round((sinkEnd - first.sink) / Math.max(1, opts.messages - first.count), 3) : 0,
    };
  } finally {
    for (const w of workers) w.kill('SIGTERM');
    await Promise.all(workers.map((w) => new Promise((r) => (w.exitCode !== null ? r(null) : w.once('exit', r)))));
    await api.stop();
    sink.stop();
  }
}

/**
 * The floor the email delivery is compared with: `processes` processes of nodemailer alone
 * (bench/smtp-floor-process.ts) sending the same prebuilt message `messages` times in all to an SMTP
 * server in another process, timed the same way (from the start of the senders to the last message counted).
 */
export async function smtpFloorBench(opts: {
  messages: number;
  processes: number;
  inFlight: number;
}): Promise<DeliveryResult> {
  const sink = await startSink();
  const senders: ReturnType<typeof spawn>[] = [];
  try {
    const started = performance.now();
    const share = Math.ceil(opts.messages / opts.processes);
    for (let i = 0; i < opts.processes; i++)
      senders.push(
        spawn(
          process.execPath,
          [
            '--import',
            'tsx',
            join(ROOT, 'bench/smtp-floor-process.ts'),
            String(sink.smtp),
            String(Math.min(share, opts.messages - i * share)),
            String(opts.inFlight),
          ],
          { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
        ),
      );
    // Each sender prints the CPU its sending took when it is done.
    const cpus = senders.map(
      (s) =>
        new Promise<number>((resolve) =>
          createInterface({ input: s.stdout! }).once('line', (l) =>
            resolve((JSON.parse(l) as { cpuMs: number }).cpuMs),
          ),
        ),
    );
    let first: { count: number; at: number; sink: number } | undefined;
    let sinkEnd = 0;
    for (;;) {
      const { mails } = await sink.count();
      if (!first && mails > 0) first = { count: mails, at: performance.now(), sink: cpuMs(sink.pid) };
      if (mails >= opts.messages) {
        sinkEnd = cpuMs(sink.pid);
        break;
      }
      if (performance.now() - started > 300_000) throw new Error(`floor stalled at ${mails}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const ended = performance.now();
    const seconds = (ended - started) / 1000;
    return {
      name: `floor: nodemailer alone sending ${opts.messages} prebuilt emails to the same SMTP server, ${opts.processes} process(es), ${opts.inFlight} in flight each`,
      messages: opts.messages,
      workers: opts.processes,
      seconds: round(seconds, 2),
      messagesPerSecond: Math.round(opts.messages / seconds),
      workerCpuMsPerMessage: round((await Promise.all(cpus)).reduce((a, b) => a + b, 0) / opts.messages, 3),
      steadyPerSecond: first ? Math.round(((opts.messages - first.count) * 1000) / Math.max(1, ended - first.at)) : 0,
      receiverCpuMsPerMessage: first ? round((sinkEnd - first.sink) / Math.max(1, opts.messages - first.count), 3) : 0,
    };
  } finally {
    for (const s of senders) s.kill('SIGTERM');
    sink.stop();
  }
}
