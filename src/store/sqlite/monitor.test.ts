// health() on SQLite before and after migrating, and once closed (what /readyz reports).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { migrationFiles } from './open.js';
import { SqliteStore } from './store.js';

let dir = '';
afterEach(() => rmSync(dir, { recursive: true, force: true }));

it('reports every migration pending on a fresh file, none once migrated, and fails once closed', async () => {
  dir = mkdtempSync(join(tmpdir(), 'herald-health-'));
  const store = new SqliteStore(join(dir, 'herald.db'));
  expect(await store.health()).toEqual({ pendingMigrations: migrationFiles().length });
  await store.migrate();
  expect(await store.health()).toEqual({ pendingMigrations: 0 });
  store.db.prepare('DELETE FROM schema_migrations WHERE version = (SELECT MAX(version) FROM schema_migrations)').run();
  expect(await store.health()).toEqual({ pendingMigrations: 1 });
  await store.close();
  await expect(store.health()).rejects.toThrow();
});
