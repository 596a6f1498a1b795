// Configuration changes of the management methods on SQLite: each one checks and bumps the
// account's config version (compare-and-swap), then writes one object. Runs inside the store's
// BEGIN IMMEDIATE, so the checks on referring data (profiles, subscriptions) hold at commit;
// each change in a savepoint of its own.
import { IN_USE_CAP, type CatalogVersion, type CatalogWriteResult, type Draft } from '../../core/catalog/store-port.js';
import type { DatabaseDef, ResourceDef, TemplateDef, TriggerDef } from '../../core/catalog/types.js';
import { templateBody, templateChannelColumn, triggerDefinition } from '../shared/rows.js';
import type { SqliteDb } from './open.js';
import { StaleWrite } from '../shared/errors.js';

const STALE: CatalogWriteResult = { status: 'stale' };

export class SqliteCatalogWrites {
  private readonly s;

  constructor(private readonly db: SqliteDb) {
    this.s = {
      bump: db.prepare('UPDATE accounts SET config_version = config_version + 1 WHERE id = ? AND config_version = ?'),
      insertDatabase: db.prepare(
        'INSERT INTO databases (account_id, name, description, fields, phone_region, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      updateDatabase: db.prepare(
        'UPDATE databases SET name = ?, description = ?, fields = ?, phone_region = ?, updated_at = ? WHERE id = ? AND account_id = ?',
      ),
      insertResource: db.prepare(
        'INSERT INTO resources (account_id, name, db_ids, channels, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      updateResource: db.prepare(
        'UPDATE resources SET name = ?, db_ids = ?, channels = ?, updated_at = ? WHERE id = ? AND account_id = ?',
      ),
      insertTemplate: db.prepare(
        'INSERT INTO templates (account_id, name, channel, body, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      updateTemplate: db.prepare(
        'UPDATE templates SET name = ?, channel = ?, body = ?, updated_at = ? WHERE id = ? AND account_id = ?',
      ),
      insertTrigger: db.prepare(
        'INSERT INTO triggers (account_id, definition, is_active, created_at, updated_at) VALUES (?, ?, ?, ?, ?)',
      ),
      updateTrigger: db.prepare(
        'UPDATE triggers SET definition = ?, is_active = ?, updated_at = ? WHERE id = ? AND account_id = ?',
      ),
      delete: {
        databases: db.prepare('DELETE FROM databases WHERE id = ? AND account_id = ?'),
        resources: db.prepare('DELETE FROM resources WHERE id = ? AND account_id = ?'),
        templates: db.prepare('DELETE FROM templates WHERE id = ? AND account_id = ?'),
        triggers: db.prepare('DELETE FROM triggers WHERE id = ? AND account_id = ?'),
      },
      // Capped counts: the profiles index leads with db_id; subscriptions have no index on their
      // resource (imports are the hot path, deleting a resource is rare), so that one may scan.
      profilesOfDatabase: db.prepare(
        `SELECT COUNT(*) AS n FROM (SELECT 1 FROM profiles WHERE db_id = ? LIMIT ${IN_USE_CAP})`,
      ),
      subscriptionsOfResource: db.prepare(
        `SELECT COUNT(*) AS n FROM (SELECT 1 FROM subscriptions WHERE resource_id = ? LIMIT ${IN_USE_CAP})`,
      ),
      cancelScheduled: db.prepare(
        "UPDATE messages SET status = 'cancelled', skip_reason = ?, finished_at = ?, lease_until = NULL WHERE trigger_id = ? AND account_id = ? AND status = 'scheduled'",
      ),
    };
  }

  /**
   * One configuration change in the caller's transaction, inside a savepoint of its own: a row
   * gone despite a current version is `stale`, and what the change wrote before is undone.
   */
  apply(fn: (w: SqliteCatalogWrites) => CatalogWriteResult): CatalogWriteResult {
    try {
      return this.db.transaction(() => fn(this))();
    } catch (err) {
      if (err instanceof StaleWrite) return STALE;
      throw err;
    }
  }

  private bump(at: CatalogVersion): boolean {
    return this.s.bump.run(at.accountId, at.version).changes === 1;
  }

  private count(stmt: 'profilesOfDatabase' | 'subscriptionsOfResource', id: number): number {
    return (this.s[stmt].get(id) as { n: number }).n;
  }

  /** Runs after a successful bump: an update that finds no row leaves the transaction to roll back. */
  private saved(
    id: number | undefined,
    inserted: () => number | bigint,
    updated: (id: number) => number,
  ): CatalogWriteResult {
    if (id === undefined) return { status: 'done', id: Number(inserted()) };
    if (updated(id) === 0) throw new StaleWrite();
    return { status: 'done', id };
  }

  saveDatabase(
    at: CatalogVersion,
    d: Draft<DatabaseDef>,
    opts: { requireNoProfiles: boolean },
    now: number,
  ): CatalogWriteResult {
    if (d.id !== undefined && opts.requireNoProfiles) {
      const profiles = this.count('profilesOfDatabase', d.id);
      if (profiles > 0) return { status: 'in_use', profiles, subscriptions: 0 };
    }
    if (!this.bump(at)) return STALE;
    const fields = JSON.stringify(d.fields);
    return this.saved(
      d.id,
      () =>
        this.s.insertDatabase.run(at.accountId, d.name, d.description, fields, d.phoneRegion ?? null, now, now)
          .lastInsertRowid,
      (id) =>
        this.s.updateDatabase.run(d.name, d.description, fields, d.phoneRegion ?? null, now, id, at.accountId).changes,
    );
  }

  deleteDatabase(at: CatalogVersion, id: number): CatalogWriteResult {
    const profiles = this.count('profilesOfDatabase', id);
    if (profiles > 0) return { status: 'in_use', profiles, subscriptions: 0 };
    return this.remove(at, 'databases', id);
  }

  saveResource(at: CatalogVersion, r: Draft<ResourceDef>, now: number): CatalogWriteResult {
    if (!this.bump(at)) return STALE;
    const dbIds = JSON.stringify(r.dbIds);
    const channels = JSON.stringify(r.channels);
    return this.saved(
      r.id,
      () => this.s.insertResource.run(at.accountId, r.name, dbIds, channels, now, now).lastInsertRowid,
      (id) => this.s.updateResource.run(r.name, dbIds, channels, now, id, at.accountId).changes,
    );
  }

  deleteResource(at: CatalogVersion, id: number): CatalogWriteResult {
    const subscriptions = this.count('subscriptionsOfResource', id);
    if (subscriptions > 0) return { status: 'in_use', profiles: 0, subscriptions };
    return this.remove(at, 'resources', id);
  }

  saveTemplate(at: CatalogVersion, t: Draft<TemplateDef>, now: number): CatalogWriteResult {
    if (!this.bump(at)) return STALE;
    const body = templateBody(t);
    const channel = templateChannelColumn(t);
    return this.saved(
      t.id,
      () => this.s.insertTemplate.run(at.accountId, t.name, channel, body, now, now).lastInsertRowid,
      (id) => this.s.updateTemplate.run(t.name, channel, body, now, id, at.accountId).changes,
    );
  }

  deleteTemplate(at: CatalogVersion, id: number): CatalogWriteResult {
    return this.remove(at, 'templates', id);
  }

  saveTrigger(
    at: CatalogVersion,
    t: Draft<TriggerDef>,
    opts: { cancelScheduled?: string },
    now: number,
  ): CatalogWriteResult {
    if (!this.bump(at)) return STALE;
    const definition = triggerDefinition({ ...t, id: 0 });
    const active = t.isActive ? 1 : 0;
    const result = this.saved(
      t.id,
      () => this.s.insertTrigger.run(at.accountId, definition, active, t.createdAt, t.updatedAt).lastInsertRowid,
      (id) => this.s.updateTrigger.run(definition, active, t.updatedAt, id, at.accountId).changes,
    );
    if (opts.cancelScheduled !== undefined && result.status === 'done')
      this.s.cancelScheduled.run(opts.cancelScheduled, now, result.id, at.accountId);
    return result;
  }

  deleteTrigger(at: CatalogVersion, id: number, now: number): CatalogWriteResult {
    const result = this.remove(at, 'triggers', id);
    if (result.status === 'done') this.s.cancelScheduled.run('trigger deleted', now, id, at.accountId);
    return result;
  }

  private remove(
    at: CatalogVersion,
    table: 'databases' | 'resources' | 'templates' | 'triggers',
    id: number,
  ): CatalogWriteResult {
    if (!this.bump(at)) return STALE;
    if (this.s.delete[table].run(id, at.accountId).changes === 0) throw new StaleWrite();
    return { status: 'done', id };
  }
}
