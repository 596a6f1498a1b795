import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StoreTx } from '../core/ports.js';
import { SqliteStore } from '../store/sqlite/store.js';
import { DeferredCommit } from './deferred-commit.js';

let dir = '';
let store: SqliteStore;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'herald-deferred-'));
  store = new SqliteStore(join(dir, 'herald.db'));
  await store.migrate();
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const task = (id: string) => (tx: StoreTx) => tx.insertTask({ id, accountId: 1, kind: 'k', request: '{}', total: 1, createdAt: 1 });
const ids = () => (store.db.prepare('SELECT id FROM tasks ORDER BY id').all() as { id: string }[]).map((r) => r.id);

describe('DeferredCommit', () => {
  it('holds the handler transaction open and commits it with the record', async () => {
    let applied = 0;
    const d = new DeferredCommit(store, async () => void applied++);
    await d.store.transaction(task('effect'));
    expect(store.db.inTransaction).toBe(true);
    await d.commit(task('record'));
    expect(store.db.inTransaction).toBe(false);
    expect(ids()).toEqual(['effect', 'record']);
    expect(applied).toBe(0);
  });

  it('rolls the held transaction back', async () => {
    const d = new DeferredCommit(store, async () => {});
    await d.store.transaction(task('effect'));
    await d.rollback();
    expect(ids()).toEqual([]);
  });

  it('commits with the applied record first when the handler uses the store again, even concurrently', async () => {
    const applied: string[] = [];
    const d = new DeferredCommit(store, async (tx) => {
      applied.push(`applied-${applied.length}`);
      await task(`applied-${applied.length - 1}`)(tx);
    });
    const [, , seen] = await Promise.all([d.store.transaction(task('a')), d.store.transaction(task('b')), d.store.findTask(1, 'a', 0)]);
    expect(seen?.id).toBe('a');
    await d.commit(task('record'));
    expect(ids()).toEqual(['a', 'applied-0', 'applied-1', 'b', 'record']);
  });

  it('writes the record on its own when the handler opened no transaction, and passes a failed one on', async () => {
    const d = new DeferredCommit(store, async () => {});
    await expect(d.store.transaction(async () => Promise.reject(new Error('inside')))).rejects.toThrow('inside');
    await d.commit(task('record'));
    expect(ids()).toEqual(['record']);
  });
});
