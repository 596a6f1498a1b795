// Opens the embedded SQLite database with Herald's settings and applies the numbered
// migrations in migrations/ (each in a transaction, recorded in schema_migrations).
import Database from 'better-sqlite3';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { indexKey } from '../../core/values/index-key.js';

export type SqliteDb = Database.Database;

export interface SqliteOptions {
  /** `normal` survives a process crash; `full` survives power loss too (spec 02). */
  synchronous: 'normal' | 'full';
  /**
   * A connection for reads only (the reader thread): it refuses every write (query_only) and keeps
   * a smaller page cache. In WAL mode it reads the last committed state while a write is open.
   */
  readOnly?: boolean;
  /** The page cache in MB (default 64; a read-only connection's is 16). */
  cacheMb?: number;
  /** How much of the file is memory-mapped, in MB (default 256; 0 = none). */
  mmapMb?: number;
  /** Called with the text of every statement the connection runs (tests count statements with it). */
  trace?: (sql: string) => void;
}

export function openSqlite(file: string, opts: SqliteOptions): SqliteDb {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const trace = opts.trace;
  const db = new Database(file, trace ? { verbose: (sql) => trace(String(sql)) } : {});
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${opts.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
  db.pragma('busy_timeout = 10000');
  db.pragma('foreign_keys = OFF');
  db.pragma('temp_store = MEMORY');
  // A 64 MB page cache and a 256 MB memory map keep hot indexes in memory for batch lookups (the
  // map's pages are the file's, shared with the other connection; a reader's cache is 16 MB).
  // Both count in the process's resident memory: `herald import` uses less (see cli/import/memory.ts).
  const cacheMb = opts.readOnly ? 16 : (opts.cacheMb ?? 64);
  db.pragma(`cache_size = ${-1024 * Math.max(1, Math.floor(cacheMb))}`);
  db.pragma(`mmap_size = ${1024 * 1024 * Math.max(0, Math.floor(opts.mmapMb ?? 256))}`);
  if (opts.readOnly) db.pragma('query_only = ON');
  return db;
}

const migrationsDir = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

export function migrationFiles(): { version: number; name: string; sql: string }[] {
  return readdirSync(migrationsDir)
    .filter((f) => /^\d+_.*\.sql$/.test(f))
    .sort()
    .map((name) => ({
      version: Number.parseInt(name, 10),
      name,
      sql: readFileSync(join(migrationsDir, name), 'utf8'),
    }));
}

export function migrate(db: SqliteDb): number[] {
  // Migration 005 re-keys long values with the core's own rule (SQLite has no SHA-256 in SQL).
  db.function('herald_index_key', { deterministic: true }, (v: unknown) => (typeof v === 'string' ? indexKey(v) : v));
  db.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)',
  );
  const applied = new Set(
    (db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version),
  );
  const done: number[] = [];
  for (const m of migrationFiles()) {
    if (applied.has(m.version)) continue;
    db.exec('BEGIN IMMEDIATE');
    try {
      // Another process may have migrated while this one waited for the write lock.
      const again = db.prepare('SELECT 1 FROM schema_migrations WHERE version = ?').get(m.version);
      if (!again) {
        db.exec(m.sql);
        db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
          m.version,
          m.name,
          Date.now(),
        );
        done.push(m.version);
      }
      db.exec('COMMIT');
    } catch (err) {
      db.exec('ROLLBACK');
      throw err;
    }
  }
  return done;
}

/** The versions of the migration files (their names only: cheap enough for every readiness check). */
function migrationVersions(): number[] {
  return readdirSync(migrationsDir)
    .filter((f) => /^\d+_.*\.sql$/.test(f))
    .map((f) => Number.parseInt(f, 10));
}

export function pendingMigrations(db: SqliteDb): number {
  const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
  if (!exists) return migrationVersions().length;
  const applied = new Set(
    (db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version),
  );
  return migrationVersions().filter((v) => !applied.has(v)).length;
}
