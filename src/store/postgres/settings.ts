// Settings of the installation on PostgreSQL: a value made once and kept (the first writer's wins).
import type { Queryable } from './open.js';

const s = {
  insert: 'INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING',
  get: 'SELECT value FROM settings WHERE key = $1',
} as const;

export class PgSettings {
  async ensureSetting(db: Queryable, key: string, make: () => string): Promise<string> {
    await db.query(s.insert, [key, make()]);
    return (await db.query<{ value: string }>(s.get, [key])).rows[0].value;
  }
}
