// The floor an import is compared with: JSON.parse of the same body, then one transaction
// writing the same profile and subscription rows into Herald's own tables with Herald's storage
// settings (on SQLite a prepared-statement insert per row). Nothing Herald does is cheaper.
//
// The rows floor (`rows: true`) writes, the same blind way, every row Herald writes for such an
// item: the profile, its value rows (email and phone), its subscription, a launch per batch and a
// message per profile, with their indexes. The distance between the two floors is what the rows
// themselves cost; the distance from the rows floor to Herald is Herald's code.
import { join } from 'node:path';
import { migrate as pgMigrate, openPool, type PgPool } from '../src/store/postgres/open.js';
import type { PoolClient as PgClient } from 'pg';
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
  private readonly insertValue;
  private readonly insertLaunch;
  private readonly insertMessage;

  constructor(
    dir: string,
    private readonly rows = false,
  ) {
    this.db = openSqlite(join(dir, rows ? 'rows-floor.db' : 'floor.db'), { synchronous: 'normal' });
    migrate(this.db);
    this.insertValue = this.db.prepare(
      'INSERT INTO profile_values (db_id, field, value, profile_seq, num) VALUES (1, ?, ?, ?, NULL) ON CONFLICT DO NOTHING',
    );
    this.insertLaunch = this.db.prepare(
      "INSERT INTO launches (account_id, trigger_id, kind, created_at) VALUES (1, 96, 'import', ?)",
    );
    this.insertMessage = this.db.prepare(
      `INSERT INTO messages (account_id, trigger_id, launch_id, profile_id, channel, resource_id, address, status, due_at, variant, created_at)
       VALUES (1, 96, ?, ?, 'email', 21, ?, 'scheduled', ?, 0, ?)`,
    );
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
      const launch = this.rows ? Number(this.insertLaunch.run(now).lastInsertRowid) : 0;
      for (const item of parsed.data) {
        const { subscriptions, ...fields } = item.data;
        const id = item.data.email.padStart(24, '0').slice(-24);
        const { seq } = this.insertProfile.get(id, JSON.stringify(fields), now, now) as { seq: number };
        if (this.rows) {
          this.insertValue.run('email', item.data.email.toLowerCase(), seq);
          this.insertValue.run('phones', item.data.phones, seq);
          this.insertMessage.run(launch, id, item.data.email.toLowerCase(), now, now);
        }
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
  private constructor(
    private readonly pool: PgPool,
    private readonly rows: boolean,
  ) {}

  static async open(url: string, rows = false): Promise<PostgresFloor> {
    const pool = openPool({ url, max: 2 });
    await pgMigrate(pool);
    return new PostgresFloor(pool, rows);
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
      if (this.rows) await this.writeOtherRows(client, parsed.data, seqOf, now);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    return performance.now() - started;
  }

  /** The rows floor's value rows, launch and messages: one statement per table. */
  private async writeOtherRows(
    client: PgClient,
    items: SeedProfile[],
    seqOf: Map<string, number>,
    now: number,
  ): Promise<void> {
    const values = items.flatMap((item) => {
      const seq = seqOf.get(item.data.email.padStart(24, '0').slice(-24));
      return [
        { field: 'email', value: item.data.email.toLowerCase(), seq },
        { field: 'phones', value: item.data.phones, seq },
      ];
    });
    await client.query(
      `INSERT INTO profile_values (db_id, field, value, profile_seq)
       SELECT 1, x.field, x.value, x.seq FROM json_to_recordset($1::json) AS x(field text, value text, seq bigint)
       ON CONFLICT DO NOTHING`,
      [JSON.stringify(values)],
    );
    const launch = await client.query<{ id: string }>(
      "INSERT INTO launches (account_id, trigger_id, kind, created_at) VALUES (1, 96, 'import', $1) RETURNING id",
      [now],
    );
    const messages = items.map((item) => ({
      profile: item.data.email.padStart(24, '0').slice(-24),
      address: item.data.email.toLowerCase(),
    }));
    await client.query(
      `INSERT INTO messages (account_id, trigger_id, launch_id, profile_id, channel, resource_id, address, status, due_at, variant, created_at)
       SELECT 1, 96, $2, x.profile, 'email', 21, x.address, 'scheduled', $3, 0, $3
       FROM json_to_recordset($1::json) AS x(profile text, address text)`,
      [JSON.stringify(messages), launch.rows[0].id, now],
    );
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
