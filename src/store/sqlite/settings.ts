// Settings of the installation on SQLite: a value made once and kept (the first writer's wins).
import type { SqliteDb } from './open.js';

export class SqliteSettings {
  private readonly s;

  constructor(db: SqliteDb) {
    this.s = {
      insert: db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING'),
      get: db.prepare('SELECT value FROM settings WHERE key = ?'),
    };
  }

  ensureSetting(key: string, make: () => string): string {
    this.s.insert.run(key, make());
    return (this.s.get.get(key) as { value: string }).value;
  }
}
