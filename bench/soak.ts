// Soak: many consecutive 10,000-profile batches; latency and server RSS over the first and the
// last ten (a leak or a drift shows as a difference between the two).
import { jsonBody, median, post, round, seedProfiles, startServer } from './lib.js';

export interface SoakResult {
  name: string;
  batches: number;
  first: { medianMs: number; rssMb: number };
  last: { medianMs: number; rssMb: number };
}

export async function soakBench(opts: { batches: number; size: number }): Promise<SoakResult> {
  const server = await startServer();
  try {
    const times: number[] = [];
    const rss: number[] = [];
    for (let b = 0; b < opts.batches; b++) {
      const res = await post(server.url, 'campaigns/triggers/import_and_start_batch', jsonBody(seedProfiles(opts.size, b * opts.size)));
      if (res.status !== 200) throw new Error(`batch ${b} failed: ${res.status}`);
      times.push(res.ms);
      rss.push(server.currentRssMb());
    }
    const window = Math.min(10, Math.floor(opts.batches / 2));
    const part = (from: number) => ({ medianMs: round(median(times.slice(from, from + window))), rssMb: round(median(rss.slice(from, from + window))) });
    return { name: `${opts.batches} consecutive ${opts.size}-profile batches (SQLite)`, batches: opts.batches, first: part(0), last: part(opts.batches - window) };
  } finally {
    await server.stop();
  }
}
