// Push throughput: messages already scheduled in the store are sent by one `herald worker`
// process to a push service running in another process — APNs over HTTP/2 (one session), FCM
// HTTP v1, Web Push — and timed from the worker's start to the last message the service accepted.
// HERALD_BENCH_WORKER_ARGS adds Node options to the worker process (e.g. --cpu-prof).
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { vapidKeys } from '../test/helpers/push-peers.js';
import type { DeliveryResult } from './delivery.js';
import { post, ROOT, round, startServer, TOKEN } from './lib.js';

export type PushService = 'apns' | 'fcm' | 'webpush';

interface Peers {
  count: string;
  webpush: { origin: string; subscription: string };
  fcm: { url: string; serviceAccount: Record<string, string> };
  apns: { url: string; teamId: string; keyId: string; privateKeyPem: string };
}

/** CPU time (user + system) a process has used so far, from /proc (ticks of 10 ms): robust to a busy host. */
function cpuMs(pid: number | undefined): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

type Counts = Record<PushService, number> & { refused: number; apnsSessions: number; fcmTokenRequests: number };

async function startPeers(
  vapidPublic: string,
): Promise<{ peers: Peers; pid: number | undefined; count(): Promise<Counts>; stop(): void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/push-peers-process.ts')], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, BENCH_VAPID_PUBLIC: vapidPublic },
  });
  const line = await new Promise<string>((resolve) => createInterface({ input: child.stdout }).once('line', resolve));
  const peers = JSON.parse(line) as Peers;
  return {
    peers,
    pid: child.pid,
    count: async () => (await (await fetch(peers.count)).json()) as Counts,
    stop: () => child.kill(),
  };
}

export async function pushBench(opts: { service: PushService; messages: number; loops: number }): Promise<
  DeliveryResult & {
    workerCpuMsPerMessage?: number;
    serviceCpuMsPerMessage?: number;
    sessions?: number;
    tokenRequests?: number;
  }
> {
  const vapid = vapidKeys();
  const { peers, pid: peerPid, count, stop } = await startPeers(vapid.publicKey);
  const sender =
    opts.service === 'apns'
      ? {
          name: 'push',
          type: 'apns',
          team_id: peers.apns.teamId,
          key_id: peers.apns.keyId,
          private_key: peers.apns.privateKeyPem,
          topic: 'com.example.shop',
          api_url: peers.apns.url,
        }
      : opts.service === 'fcm'
        ? { name: 'push', type: 'fcm', service_account: peers.fcm.serviceAccount, api_url: peers.fcm.url }
        : {
            name: 'push',
            type: 'webpush',
            vapid: { subject: 'mailto:bench@shop.example', public_key: vapid.publicKey, private_key: vapid.privateKey },
          };
  const provision = {
    accounts: [
      {
        id: 1,
        name: 'Bench',
        tokens: [{ token: TOKEN, role: 'write' }],
        senders: [sender],
        databases: [{ id: 1, name: 'Customers' }],
        resources: [{ id: 21, name: 'App', db_ids: [1], channels: { push: { sender: 'push' } } }],
        templates: [
          {
            id: 7,
            name: 'Push',
            channel: 'push',
            title: 'Hi {lead._fname}',
            text: 'Your order {apicontent.order} has shipped',
            url: 'https://shop.example/orders',
          },
        ],
        triggers: [
          {
            id: 98,
            name: 'Push',
            trigger_type: 'api_call',
            send_channel: 'push',
            resource_id: 21,
            list_id: 1,
            is_active: true,
            content: [{ message_id: 7 }],
          },
        ],
      },
    ],
  };
  const env = { HERALD_WEBPUSH_HOSTS: peers.webpush.origin };
  // The server starts with the benchmark's own account (the demo's triggers would need templates this file does not have).
  const file = join(tmpdir(), `herald-bench-push-${process.pid}.json`);
  writeFileSync(file, JSON.stringify(provision));
  const api = await startServer({ HERALD_WORKERS: '0', ...env }, [], file);
  let worker: ReturnType<typeof spawn> | undefined;
  try {
    const token = (n: number) =>
      opts.service === 'apns'
        ? createHash('sha256').update(`device-${n}`).digest('hex')
        : opts.service === 'fcm'
          ? `fcm-registration-token-${n}`
          : peers.webpush.subscription;
    for (let offset = 0; offset < opts.messages; offset += 10_000) {
      const data = Array.from({ length: Math.min(10_000, opts.messages - offset) }, (_, i) => {
        const n = offset + i;
        return {
          data: {
            _fname: `N${n}`,
            email: `p${n}@example.com`,
            subscriptions: [{ channel: 'push', provider: opts.service, subscription_id: token(n), resource_id: 21 }],
          },
        };
      });
      const res = await post(
        api.url,
        'campaigns/triggers/import_and_start_batch',
        JSON.stringify({ token: TOKEN, trigger_id: 98, content: { order: 'A-1' }, data }),
      );
      if (res.status !== 200) throw new Error(`import failed: ${JSON.stringify(res.json).slice(0, 200)}`);
    }
    const started = performance.now();
    const peerCpuBefore = cpuMs(peerPid);
    worker = spawn(
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
          ...env,
          HERALD_DATABASE_URL: `sqlite:${join(api.dir, 'herald.db')}`,
          HERALD_WORKERS: String(opts.loops),
          HERALD_LOG_LEVEL: 'warn',
          HERALD_DELIVERY_BATCH: '200',
          HERALD_DELIVERY_CONCURRENCY: '64',
        },
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    let counts: Counts;
    for (;;) {
      counts = await count();
      if (counts.refused > 0) throw new Error(`the ${opts.service} service refused ${counts.refused} request(s)`);
      if (counts[opts.service] >= opts.messages) break;
      if (performance.now() - started > 300_000) throw new Error(`push delivery stalled at ${counts[opts.service]}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const seconds = (performance.now() - started) / 1000;
    const workerCpu = cpuMs(worker.pid);
    const peerCpu = cpuMs(peerPid);
    const label = { apns: 'APNs (HTTP/2, one session)', fcm: 'FCM HTTP v1', webpush: 'Web Push (aes128gcm, VAPID)' }[
      opts.service
    ];
    return {
      name: `push of ${opts.messages} messages to ${label} in another process, 1 worker process × ${opts.loops} loop(s) (SQLite)`,
      messages: opts.messages,
      workers: opts.loops,
      seconds: round(seconds, 2),
      messagesPerSecond: Math.round(opts.messages / seconds),
      ...(workerCpu !== undefined ? { workerCpuMsPerMessage: round(workerCpu / opts.messages, 3) } : {}),
      ...(peerCpu !== undefined && peerCpuBefore !== undefined
        ? { serviceCpuMsPerMessage: round((peerCpu - peerCpuBefore) / opts.messages, 3) }
        : {}),
      ...(opts.service === 'apns' ? { sessions: counts.apnsSessions } : {}),
      ...(opts.service === 'fcm' ? { tokenRequests: counts.fcmTokenRequests } : {}),
    };
  } finally {
    worker?.kill('SIGTERM');
    if (worker) await new Promise((r) => (worker?.exitCode !== null ? r(null) : worker.once('exit', r)));
    await api.stop();
    stop();
  }
}
