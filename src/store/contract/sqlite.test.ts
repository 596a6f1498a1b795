import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../sqlite/store.js';
import { defineStoreContract } from './store-contract.js';

let dir = '';
defineStoreContract('sqlite', {
  async open() {
    dir = mkdtempSync(join(tmpdir(), 'herald-contract-'));
    return new SqliteStore(join(dir, 'herald.db'));
  },
  async cleanup() {
    rmSync(dir, { recursive: true, force: true });
  },
});
