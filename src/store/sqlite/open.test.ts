// The memory settings of a SQLite connection: HERALD_SQLITE_CACHE_MB and HERALD_SQLITE_MMAP_MB
// reach the connection, a reader keeps a small cache, and `herald import` can map no file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqlite } from './open.js';

const dir = mkdtempSync(join(tmpdir(), 'herald-open-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function pragmas(opts: Parameters<typeof openSqlite>[1]): { cache: number; mmap: number } {
  const db = openSqlite(join(dir, 'x.db'), opts);
  try {
    return {
      cache: db.pragma('cache_size', { simple: true }) as number,
      mmap: db.pragma('mmap_size', { simple: true }) as number,
    };
  } finally {
    db.close();
  }
}

describe('openSqlite memory settings', () => {
  it('defaults to a 64 MB page cache and a 256 MB map', () => {
    expect(pragmas({ synchronous: 'normal' })).toEqual({ cache: -65536, mmap: 268435456 });
  });

  it('takes the cache and the map in MB; a map of 0 maps nothing', () => {
    expect(pragmas({ synchronous: 'normal', cacheMb: 32, mmapMb: 0 })).toEqual({ cache: -32768, mmap: 0 });
    expect(pragmas({ synchronous: 'normal', cacheMb: 128, mmapMb: 1024 })).toEqual({
      cache: -131072,
      mmap: 1073741824,
    });
  });

  it('gives a read-only connection a 16 MB cache whatever is asked', () => {
    expect(pragmas({ synchronous: 'normal', readOnly: true, cacheMb: 256, mmapMb: 0 })).toEqual({
      cache: -16384,
      mmap: 0,
    });
  });
});
