// The floor an import is compared with: JSON.parse of the same body, then one transaction
// writing the same profile and subscription rows into Herald's own tables with Herald's storage
// settings (on SQLite a prepared-statement insert per row). Nothing Herald does is cheaper.
import { join } from 'node:path';
import { migrate as pgMigrate, openPool, type PgPool } from '../src/store/postgres/open.js';
import { migrate, openSqlite, type SqliteDb } from '../src/store/sqlite/open.js';
import type { SeedProfile } from './lib.js';

export interface ImportFloor {
  /** Milliseconds to parse `body` and write its rows (ids derived from the email, so a rerun updates). */
  run(body: string): Promise<number>;
  close(): Promise<void>;
}

export class SqliteFloor implements ImportFloor {
  private readonly db: SqliteDb;
  private readonly insertProfile;
  private readonly insertSubscription;

  constructor(dir: string) {
    this.db = openSqlite(join(dir, 'floor.db'), { synchronous: 'normal' });
    migrate(this.db);
    this.insertProfile = this.db.prepare(
      `INSERT INTO profiles (id, account_id, db_id, fields, created_at, updated_at) VALUES (?, 1, 1, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET fields = excluded.fields, updated_at = excluded.updated_at RETURNING seq`,
    );
    this.insertSubscription = this.db.prepare(
      `INSERT INTO subscriptions (profile_seq, resource_id, channel, address, db_id, status, priority, data, created_at, updated_at)
       VALUES (?, ?, 'email', ?, 1, ?, ?, ?, ?, ?)
       ON CONFLICT (profile_seq, resource_id, channel, address) DO UPDATE SET status = excluded.status, data = excluded.data, updated_at = excluded.updated_at`,
    );
  }

  async run(body: string): Promise<number> {
    const started = performance.now();
    const parsed = JSON.parse(body) as { data: SeedProfile[] };
    const now = Date.now();
    this.db.transaction(() => {
      for (const item of parsed.data) {
        const { subscriptions, ...fields } = item.data;
        const id = item.data.email.padStart(24, '0').slice(-24);
        const { seq } = this.insertProfile.get(id, JSON.stringify(fields), now, now) as { seq: number };
        for (const s of subscriptions) {
          this.insertSubscription.run(
            seq,
            s.resource_id,
            s.email.toLowerCase(),
            s.status,
            s.priority,
            JSON.stringify({ email: s.email }),
            now,
            now,
          );
        }
      }
    })();
    return performance.now() - started;
  }

  async close(): Promise<void> {
    this.db.close();
  }
}

/**
 * The floor on PostgreSQL: JSON.parse, then one INSERT … SELECT FROM json_to_recordset per table
 * (the cheapest plain way to write a batch) in one transaction, on Herald's own tables.
 */
export class PostgresFloor implements ImportFloor {
  private constructor(private readonly pool: PgPool) {}

  static async open(url: string): Promise<PostgresFloor> {
    const pool = openPool({ url, max: 2 });
    await pgMigrate(pool);
    return new PostgresFloor(pool);
  }

  async run(body: string): Promise<number> {
    const started = performance.now();
    const parsed = JSON.parse(body) as { data: SeedProfile[] };
    const now = Date.now();
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const profiles = parsed.data.map((item) => {
        const { subscriptions: _s, ...fields } = item.data;
        return { id: item.data.email.padStart(24, '0').slice(-24), fields };
      });
      const seqs = await client.query<{ seq: number; id: string }>(
        `INSERT INTO profiles (id, account_id, db_id, fields, created_at, updated_at)
         SELECT x.id, 1, 1, x.fields, $2, $2 FROM json_to_recordset($1::json) AS x(id text, fields jsonb)
         ON CONFLICT (id) DO UPDATE SET fields = EXCLUDED.fields, updated_at = EXCLUDED.updated_at RETURNING seq, id`,
        [JSON.stringify(profiles), now],
      );
      const seqOf = new Map(seqs.rows.map((r) => [r.id, r.seq]));
      const subs = parsed.data.flatMap((item, i) =>
        item.data.subscriptions.map((s) => ({
          seq: seqOf.get(profiles[i].id),
          resource_id: s.resource_id,
          address: s.email.toLowerCase(),
          status: s.status,
          priority: s.priority,
          data: { email: s.email },
        })),
      );
      await client.query(
        `INSERT INTO subscriptions (profile_seq, resource_id, channel, address, db_id, status, priority, data, created_at, updated_at)
         SELECT x.seq, x.resource_id, 'email', x.address, 1, x.status, x.priority, x.data, $2, $2
         FROM json_to_recordset($1::json) AS x(seq bigint, resource_id int, address text, status int, priority int, data jsonb)
         ON CONFLICT (profile_seq, resource_id, channel, address) DO UPDATE SET status = EXCLUDED.status, data = EXCLUDED.data, updated_at = EXCLUDED.updated_at`,
        [JSON.stringify(subs), now],
      );
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    return performance.now() - started;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
