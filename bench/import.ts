// The import benchmark: 10,000-profile batches of import_and_start_batch against a real server
// process (fresh profiles, then the same profiles updated), next to the two floors (bench/floor.ts)
// measured in the same run.
import { PostgresFloor, SqliteFloor, type ImportFloor } from './floor.js';
import {
  freshPostgresDatabase,
  jsonBody,
  median,
  percentile,
  post,
  round,
  seedProfiles,
  startServer,
  xmlBody,
} from './lib.js';

export interface ImportResult {
  name: string;
  format: 'json' | 'xml';
  batchSize: number;
  batches: number;
  fresh: Phase;
  update: Phase;
  peakRssMb: number;
}

export interface Phase {
  medianMs: number;
  p99Ms: number;
  profilesPerSecond: number;
  floorMedianMs: number;
  ratioToFloor: number;
  /** The rows floor: the same blind writes of every row Herald writes (bench/floor.ts). */
  rowsFloorMedianMs: number;
  ratioToRowsFloor: number;
}

function phase(times: number[], floorTimes: number[], rowsFloorTimes: number[], size: number): Phase {
  const medianMs = median(times);
  const floorMedianMs = median(floorTimes);
  const rowsFloorMedianMs = median(rowsFloorTimes);
  return {
    medianMs: round(medianMs),
    p99Ms: round(percentile(times, 99)),
    profilesPerSecond: Math.round(size / (medianMs / 1000)),
    floorMedianMs: round(floorMedianMs),
    ratioToFloor: round(medianMs / floorMedianMs, 2),
    rowsFloorMedianMs: round(rowsFloorMedianMs),
    ratioToRowsFloor: round(medianMs / rowsFloorMedianMs, 2),
  };
}

export async function importBench(opts: {
  batches: number;
  size: number;
  format: 'json' | 'xml';
  postgres?: string;
}): Promise<ImportResult> {
  const pgServer = opts.postgres ? await freshPostgresDatabase(opts.postgres, 'bench') : undefined;
  const pgFloor = opts.postgres ? await freshPostgresDatabase(opts.postgres, 'floor') : undefined;
  const pgRowsFloor = opts.postgres ? await freshPostgresDatabase(opts.postgres, 'rowsfloor') : undefined;
  const server = await startServer(pgServer ? { HERALD_DATABASE_URL: pgServer.url } : {});
  const floor: ImportFloor = pgFloor ? await PostgresFloor.open(pgFloor.url) : new SqliteFloor(server.dir);
  const rowsFloor: ImportFloor = pgRowsFloor
    ? await PostgresFloor.open(pgRowsFloor.url, true)
    : new SqliteFloor(server.dir, true);
  const encode = opts.format === 'json' ? jsonBody : xmlBody;
  const contentType = opts.format === 'json' ? 'application/json' : 'application/xml';
  try {
    // Warm-up: JIT, statement caches, the first pages of every index.
    await post(
      server.url,
      'campaigns/triggers/import_and_start_batch',
      encode(seedProfiles(opts.size, 10_000_000)),
      contentType,
    );
    await floor.run(jsonBody(seedProfiles(opts.size, 10_000_000)));
    await rowsFloor.run(jsonBody(seedProfiles(opts.size, 10_000_000)));

    const fresh: number[] = [];
    const freshFloor: number[] = [];
    const freshRowsFloor: number[] = [];
    const update: number[] = [];
    const updateFloor: number[] = [];
    const updateRowsFloor: number[] = [];
    for (const [variant, times, floorTimes, rowsFloorTimes] of [
      [0, fresh, freshFloor, freshRowsFloor],
      [1, update, updateFloor, updateRowsFloor],
    ] as const) {
      for (let b = 0; b < opts.batches; b++) {
        const items = seedProfiles(opts.size, b * opts.size, variant);
        const res = await post(server.url, 'campaigns/triggers/import_and_start_batch', encode(items), contentType);
        const result = res.json.result as unknown[] | undefined;
        if (res.status !== 200 || result?.length !== opts.size)
          throw new Error(`import failed: ${res.status} ${JSON.stringify(res.json).slice(0, 300)}`);
        times.push(res.ms);
        floorTimes.push(await floor.run(jsonBody(items)));
        rowsFloorTimes.push(await rowsFloor.run(jsonBody(items)));
      }
    }
    return {
      name: `import_and_start_batch ${opts.format.toUpperCase()} ${opts.size} profiles (${opts.postgres ? 'PostgreSQL' : 'SQLite'})`,
      format: opts.format,
      batchSize: opts.size,
      batches: opts.batches,
      fresh: phase(fresh, freshFloor, freshRowsFloor, opts.size),
      update: phase(update, updateFloor, updateRowsFloor, opts.size),
      peakRssMb: round(server.peakRssMb()),
    };
  } finally {
    await floor.close();
    await rowsFloor.close();
    await server.stop();
    await pgServer?.drop();
    await pgFloor?.drop();
    await pgRowsFloor?.drop();
  }
}
