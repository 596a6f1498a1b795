// Growth: the cost per profile of the same import (1,000 new profiles in one
// import_and_start_batch) when 1k, 10k, 100k and 1M profiles are already stored. Every lookup
// is an index probe, so it should stay flat.
import { jsonBody, median, post, round, seedProfiles, startServer } from './lib.js';

export interface GrowthResult {
  name: string;
  levels: { stored: number; msPerProfile: number }[];
  ratioLastToFirst: number;
}

export async function growthBench(opts: { levels: number[]; postgres?: string }): Promise<GrowthResult> {
  const server = await startServer(opts.postgres ? { HERALD_DATABASE_URL: opts.postgres } : {});
  try {
    let stored = 0;
    let probe = 50_000_000;
    const levels: GrowthResult['levels'] = [];
    for (const level of opts.levels) {
      while (stored < level) {
        const size = Math.min(10_000, level - stored);
        const res = await post(
          server.url,
          'profiles/import_batch',
          JSON.stringify({ token: 'abcdefghijklmnqrstuvwxyz', db_id: 1, data: seedProfiles(size, stored) }),
        );
        if (res.status !== 200) throw new Error(`fill failed: ${res.status}`);
        stored += size;
      }
      const times: number[] = [];
      for (let i = 0; i < 5; i++) {
        const res = await post(
          server.url,
          'campaigns/triggers/import_and_start_batch',
          jsonBody(seedProfiles(1000, probe)),
        );
        probe += 1000;
        if (res.status !== 200) throw new Error(`probe failed: ${res.status}`);
        times.push(res.ms);
      }
      stored += 5000;
      levels.push({ stored: level, msPerProfile: round(median(times) / 1000, 4) });
    }
    return {
      name: `cost per profile of a 1,000-profile import by profiles already stored (${opts.postgres ? 'PostgreSQL' : 'SQLite'})`,
      levels,
      ratioLastToFirst: round(levels[levels.length - 1].msPerProfile / levels[0].msPerProfile, 2),
    };
  } finally {
    await server.stop();
  }
}
