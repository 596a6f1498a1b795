// Soak: many consecutive 10,000-profile batches; latency and server RSS over the first and the
// last ten (a leak or a drift shows as a difference between the two; the anonymous RSS is the
// part a leak would grow, the rest is SQLite's memory map of a database file that keeps growing).
import { jsonBody, median, post, round, seedProfiles, startServer } from './lib.js';

export interface SoakResult {
  name: string;
  batches: number;
  first: SoakWindow;
  last: SoakWindow;
}

/** Medians over ten batches: latency, the server's RSS and its anonymous part (heaps, not the file map). */
interface SoakWindow {
  medianMs: number;
  rssMb: number;
  anonMb: number;
}

export async function soakBench(opts: { batches: number; size: number }): Promise<SoakResult> {
  const server = await startServer();
  try {
    const times: number[] = [];
    const rss: number[] = [];
    const anon: number[] = [];
    for (let b = 0; b < opts.batches; b++) {
      const res = await post(
        server.url,
        'campaigns/triggers/import_and_start_batch',
        jsonBody(seedProfiles(opts.size, b * opts.size)),
      );
      if (res.status !== 200) throw new Error(`batch ${b} failed: ${res.status}`);
      times.push(res.ms);
      rss.push(server.currentRssMb());
      anon.push(server.anonRssMb());
    }
    const window = Math.min(10, Math.floor(opts.batches / 2));
    const part = (from: number): SoakWindow => {
      const at = <T>(list: T[]) => list.slice(from, from + window);
      return { medianMs: round(median(at(times))), rssMb: round(median(at(rss))), anonMb: round(median(at(anon))) };
    };
    return {
      name: `${opts.batches} consecutive ${opts.size}-profile batches (SQLite)`,
      batches: opts.batches,
      first: part(0),
      last: part(opts.batches - window),
    };
  } finally {
    await server.stop();
  }
}
