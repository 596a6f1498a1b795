// Scale-out on PostgreSQL: aggregate import throughput of one API process, then of two API
// processes on the same database (requests spread over both), with the same number of
// requests in flight per process.
import { freshPostgresDatabase, jsonBody, post, round, seedProfiles, startServer, type ServerProcess } from './lib.js';

export interface ScaleResult {
  name: string;
  requests: number;
  batchSize: number;
  oneProcess: number;
  twoProcesses: number;
  growth: number;
}

async function drive(
  servers: ServerProcess[],
  requests: number,
  size: number,
  offset: number,
  perProcess: number,
): Promise<number> {
  let next = 0;
  const started = performance.now();
  const lane = async (server: ServerProcess) => {
    while (next < requests) {
      const n = next++;
      const res = await post(
        server.url,
        'campaigns/triggers/import_and_start_batch',
        jsonBody(seedProfiles(size, offset + n * size)),
      );
      if (res.status !== 200) throw new Error(`import failed: ${res.status} ${JSON.stringify(res.json).slice(0, 200)}`);
    }
  };
  await Promise.all(servers.flatMap((s) => Array.from({ length: perProcess }, () => lane(s))));
  return (requests * size) / ((performance.now() - started) / 1000);
}

export async function scaleBench(opts: {
  postgres: string;
  requests: number;
  size: number;
  inFlight: number;
}): Promise<ScaleResult> {
  const db = await freshPostgresDatabase(opts.postgres, 'scale');
  const first = await startServer({ HERALD_DATABASE_URL: db.url });
  let second: ServerProcess | undefined;
  try {
    await drive([first], 2, opts.size, 50_000_000, 1); // warm-up
    const one = await drive([first], opts.requests, opts.size, 0, opts.inFlight);
    second = await startServer({ HERALD_DATABASE_URL: db.url });
    await drive([second], 2, opts.size, 60_000_000, 1); // warm-up
    const two = await drive([first, second], opts.requests, opts.size, 10_000_000, opts.inFlight);
    return {
      name: `import_and_start_batch on PostgreSQL, ${opts.size} profiles per request, ${opts.inFlight} in flight per API process`,
      requests: opts.requests,
      batchSize: opts.size,
      oneProcess: Math.round(one),
      twoProcesses: Math.round(two),
      growth: round(two / one, 2),
    };
  } finally {
    await first.stop();
    await second?.stop();
    await db.drop();
  }
}
