// import_and_start (one profile per request) under concurrency with autocannon: requests/s and
// latency percentiles. Every request carries a new email (a new profile and one scheduled
// message), as a sign-up form would send.
import autocannon from 'autocannon';
import { round, startServer, TOKEN } from './lib.js';

export interface SingleResult {
  name: string;
  connections: number;
  seconds: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
}

export async function singleBench(opts: {
  connections: number;
  seconds: number;
  postgres?: string;
}): Promise<SingleResult> {
  const server = await startServer(opts.postgres ? { HERALD_DATABASE_URL: opts.postgres } : {});
  try {
    let n = 0;
    const body = () => {
      const email = `single${n++}@example.com`;
      return JSON.stringify({
        token: TOKEN,
        trigger_id: 96,
        data: { _fname: 'Ann', email, subscriptions: [{ channel: 'email', email, resource_id: 21 }] },
      });
    };
    const run = (seconds: number) =>
      new Promise<autocannon.Result>((resolve, reject) => {
        autocannon(
          {
            url: `${server.url}/api/v1.1/campaigns/triggers/import_and_start`,
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            connections: opts.connections,
            duration: seconds,
            requests: [{ setupRequest: (req) => ({ ...req, body: body() }) }],
          },
          (err, result) => (err ? reject(err) : resolve(result)),
        );
      });
    await run(2); // warm-up
    const r = await run(opts.seconds);
    return {
      name: `import_and_start, 1 profile per request, ${opts.connections} connections (${opts.postgres ? 'PostgreSQL' : 'SQLite'})`,
      connections: opts.connections,
      seconds: opts.seconds,
      requestsPerSecond: Math.round(r.requests.average),
      p50Ms: round(r.latency.p50),
      p99Ms: round(r.latency.p99),
      non2xx: r.non2xx,
      errors: r.errors,
    };
  } finally {
    await server.stop();
  }
}
