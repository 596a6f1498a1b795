// custom_request over a large database: campaigns/triggers/start reaching every one of 100,000
// stored profiles pages through them instead of loading them, and equality / $in are index
// lookups (compare their time with the full run). The server's peak RSS during the queries
// (reset after the import) shows the memory they take.
import { median, post, round, startServer, TOKEN } from './lib.js';

export interface CustomRequestResult {
  name: string;
  profiles: number;
  rssBeforeMb: number;
  peakRssMb: number;
  allMs: number;
  allLaunched: number;
  equalityMs: number;
  inMs: number;
  rangeMs: number;
}

export async function customRequestBench(opts: { profiles: number }): Promise<CustomRequestResult> {
  const server = await startServer();
  try {
    for (let offset = 0; offset < opts.profiles; offset += 10_000) {
      const data = Array.from({ length: Math.min(10_000, opts.profiles - offset) }, (_, i) => {
        const n = offset + i;
        return {
          data: {
            email: `cr${n}@example.com`,
            CRM_ID: n,
            subscriptions: [{ channel: 'email', email: `cr${n}@example.com`, resource_id: 21 }],
          },
        };
      });
      const res = await post(server.url, 'profiles/import_batch', JSON.stringify({ token: TOKEN, db_id: 1, data }));
      if (res.status !== 200) throw new Error(`import failed: ${JSON.stringify(res.json).slice(0, 200)}`);
    }
    const rssBeforeMb = round(server.currentRssMb());
    server.resetPeakRss();
    const start = async (query: unknown) => {
      const times: number[] = [];
      let launched = 0;
      for (let i = 0; i < 3; i++) {
        const r = await post(
          server.url,
          'campaigns/triggers/start',
          JSON.stringify({ token: TOKEN, trigger_id: 96, custom_request: query }),
        );
        if (r.status !== 200) throw new Error(`start failed: ${JSON.stringify(r.json).slice(0, 200)}`);
        launched = (r.json.result as unknown[]).length;
        times.push(r.ms);
      }
      return { ms: round(median(times)), launched };
    };
    const equality = await start({ CRM_ID: 4242 });
    const inList = await start({ CRM_ID: { $in: [1, 10, 100, 1000, 10_000] } });
    const range = await start({ CRM_ID: { $gte: opts.profiles - 100 } });
    const all = await start({ CRM_ID: { $gte: 0 } });
    return {
      name: `start with custom_request over ${opts.profiles} profiles (SQLite)`,
      profiles: opts.profiles,
      rssBeforeMb,
      peakRssMb: round(server.peakRssMb()),
      allMs: all.ms,
      allLaunched: all.launched,
      equalityMs: equality.ms,
      inMs: inList.ms,
      rangeMs: range.ms,
    };
  } finally {
    await server.stop();
  }
}
