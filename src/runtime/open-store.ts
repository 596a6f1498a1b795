// Chooses the store adapter from HERALD_DATABASE_URL: the one place that knows them all.
import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import YAML from 'yaml';
import { storageOf, type Config } from '../config.js';
import type { Store } from '../core/ports.js';
import { PostgresStore } from '../store/postgres/store.js';
import { SqliteStore } from '../store/sqlite/store.js';

export async function openStore(
  config: Pick<Config, 'databaseUrl' | 'sqliteSync' | 'sqliteCacheMb' | 'sqliteMmapMb' | 'pgPoolSize' | 'pgPrepare'>,
): Promise<Store> {
  const storage = storageOf(config);
  if (storage.kind === 'sqlite')
    return new SqliteStore(storage.file, {
      synchronous: config.sqliteSync,
      cacheMb: config.sqliteCacheMb,
      mmapMb: config.sqliteMmapMb,
    });
  return new PostgresStore({ url: storage.url, max: config.pgPoolSize, prepare: config.pgPrepare });
}

/** Reads a provisioning file: JSON by extension, YAML otherwise (YAML also reads JSON). */
export function readProvisioningFile(path: string): unknown {
  const text = readFileSync(path, 'utf8');
  return path.endsWith('.json') ? JSON.parse(text) : YAML.parse(text);
}

/** Key files are small: a reference to anything larger is a mistake, not a key. */
const MAX_SECRET_FILE = 1024 * 1024;

/** Reads the `{"file": …}` references of a provisioning file, relative to its folder. */
export function secretFileReader(provisioningFile: string): (path: string) => string {
  const base = dirname(resolve(provisioningFile));
  return (path) => {
    const full = resolve(base, path);
    if (statSync(full).size > MAX_SECRET_FILE) throw new Error(`larger than ${MAX_SECRET_FILE} bytes`);
    return readFileSync(full, 'utf8');
  };
}
