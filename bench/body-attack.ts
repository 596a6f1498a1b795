// The large-body attack and the server's peak memory under it: eight parallel 95 MB bodies to a
// method that takes attachments (`node --import tsx bench/body-attack.ts`, after npm run build).
// Three rounds on a fresh SQLite server each: a wrong Bearer token (refused before the body is
// read), a wrong token inside the body (the body must be read: the memory budget admits what it
// holds and answers the rest 503), and a valid token inside the body (the same, then handled).
// Prints one JSON line per round; docs/RELIABILITY.md quotes them.
import { request } from 'node:http';
import { round, startServer, TOKEN } from './lib.js';

const PARALLEL = 8;
const BODY_MB = 95;

interface Answer {
  status: number | 'error';
  error?: string;
}

/** POSTs `body` with node:http, which reports an answer given before the body is all sent. */
function post(url: string, body: Buffer, headers: Record<string, string>): Promise<Answer> {
  return new Promise((resolve) => {
    const req = request(`${url}/api/v1.1/campaigns/triggers/import_and_start_batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': String(body.length), ...headers },
    });
    let done = false;
    const finish = (a: Answer) => {
      if (!done) resolve(a);
      done = true;
    };
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => finish({ status: res.statusCode ?? 0 }));
    });
    req.on('error', (err) => finish({ status: 'error', error: (err as NodeJS.ErrnoException).code ?? err.message }));
    req.end(body);
  });
}

function attackBody(bodyToken: string | undefined): Buffer {
  const data = `data:application/octet-stream;base64,${Buffer.alloc(Math.floor((BODY_MB * 1024 * 1024 * 3) / 4) - 1024, 7).toString('base64')}`;
  const items = [{ data: { email: 'attack@example.com' } }];
  return Buffer.from(
    JSON.stringify({
      ...(bodyToken ? { token: bodyToken } : {}),
      trigger_id: 96,
      attach: [{ name: 'a.bin', data }],
      data: items,
    }),
  );
}

async function round1(name: string, body: Buffer, headers: Record<string, string>) {
  const server = await startServer();
  try {
    // Settle: the first request loads what a request loads.
    await post(server.url, Buffer.from('{}'), { authorization: `Bearer ${TOKEN}` });
    const rssBeforeMb = round(server.currentRssMb());
    server.resetPeakRss();
    const started = performance.now();
    const answers = await Promise.all(Array.from({ length: PARALLEL }, () => post(server.url, body, headers)));
    const statuses: Record<string, number> = {};
    for (const a of answers) statuses[String(a.status)] = (statuses[String(a.status)] ?? 0) + 1;
    return {
      name,
      parallel: PARALLEL,
      bodyMb: round(body.length / 1024 / 1024),
      statuses,
      seconds: round((performance.now() - started) / 1000, 2),
      rssBeforeMb,
      peakRssMb: round(server.peakRssMb()),
    };
  } finally {
    await server.stop();
  }
}

const rounds = [
  await round1('wrong Bearer token', attackBody(undefined), { authorization: 'Bearer wrong-token-0123456789' }),
  await round1('wrong token in the body', attackBody('wrong-token-0123456789'), {}),
  await round1('valid token in the body', attackBody(TOKEN), {}),
];
for (const r of rounds) console.log(JSON.stringify(r));
