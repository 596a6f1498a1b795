// A full 10 MB request: as many seed-shaped profiles as fit in 10 MB (~35,000), one
// import_and_start_batch; time and the server's peak RSS while it runs.
import { jsonBody, post, round, seedProfiles, startServer } from './lib.js';

export interface BigBodyResult {
  name: string;
  profiles: number;
  bodyMb: number;
  ms: number;
  rssBeforeMb: number;
  peakRssMb: number;
}

export async function bigBodyBench(opts: { postgres?: string } = {}): Promise<BigBodyResult> {
  const server = await startServer(opts.postgres ? { HERALD_DATABASE_URL: opts.postgres } : {});
  try {
    // Largest count under 10 MB (the default limit counts bytes of the body).
    let count = 52_000;
    let body = jsonBody(seedProfiles(count, 0));
    while (Buffer.byteLength(body) > 10 * 1024 * 1024 - 1024) body = jsonBody(seedProfiles((count -= 500), 0));
    await post(server.url, 'campaigns/triggers/import_and_start_batch', jsonBody(seedProfiles(1000, 90_000_000))); // warm-up
    const rssBeforeMb = round(server.currentRssMb());
    server.resetPeakRss();
    const res = await post(server.url, 'campaigns/triggers/import_and_start_batch', body);
    if (res.status !== 200 || (res.json.result as unknown[]).length !== count)
      throw new Error(`10 MB import failed: ${res.status}`);
    return {
      name: `import_and_start_batch, one 10 MB body (${opts.postgres ? 'PostgreSQL' : 'SQLite'})`,
      profiles: count,
      bodyMb: round(Buffer.byteLength(body) / 1024 / 1024, 2),
      ms: round(res.ms),
      rssBeforeMb,
      peakRssMb: round(server.peakRssMb()),
    };
  } finally {
    await server.stop();
  }
}
