// Chooses the store adapter from HERALD_DATABASE_URL: the one place that knows them all.
import { readFileSync } from 'node:fs';
import YAML from 'yaml';
import { ConfigError, storageOf, type Config } from '../config.js';
import type { Store } from '../core/ports.js';
import { SqliteStore } from '../store/sqlite/store.js';

export async function openStore(config: Pick<Config, 'databaseUrl' | 'sqliteSync'>): Promise<Store> {
  const storage = storageOf(config);
  if (storage.kind === 'sqlite') return new SqliteStore(storage.file, { synchronous: config.sqliteSync });
  throw new ConfigError('HERALD_DATABASE_URL: PostgreSQL is not supported by this build yet; use sqlite:<file>');
}

/** Reads a provisioning file: JSON by extension, YAML otherwise (YAML also reads JSON). */
export function readProvisioningFile(path: string): unknown {
  const text = readFileSync(path, 'utf8');
  return path.endsWith('.json') ? JSON.parse(text) : YAML.parse(text);
}
