// The floor an import is compared with: JSON.parse of the same body, then one transaction of
// prepared-statement inserts of the same profile and subscription rows into Herald's own
// tables, opened with Herald's SQLite settings. Nothing Herald does per profile is cheaper.
import { join } from 'node:path';
import { migrate, openSqlite, type SqliteDb } from '../src/store/sqlite/open.js';
import type { SeedProfile } from './lib.js';

export class Floor {
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

  /** Milliseconds to parse `body` and write its rows (ids derived from the email, so a rerun updates). */
  run(body: string): number {
    const started = performance.now();
    const parsed = JSON.parse(body) as { data: SeedProfile[] };
    const now = Date.now();
    this.db.transaction(() => {
      for (const item of parsed.data) {
        const { subscriptions, ...fields } = item.data;
        const id = item.data.email.padStart(24, '0').slice(-24);
        const { seq } = this.insertProfile.get(id, JSON.stringify(fields), now, now) as { seq: number };
        for (const s of subscriptions) {
          this.insertSubscription.run(seq, s.resource_id, s.email.toLowerCase(), s.status, s.priority, JSON.stringify({ email: s.email }), now, now);
        }
      }
    })();
    return performance.now() - started;
  }

  close(): void {
    this.db.close();
  }
}
