// Configuration changes of the management methods on PostgreSQL (see the SQLite twin): the
// account row is locked (FOR UPDATE) and its config version compared, so concurrent changes to one
// account are serialised and a change checked on an old catalog writes nothing; then one object
// is written and the version bumped, in the caller's transaction, inside a savepoint of its own.
import { IN_USE_CAP, type CatalogVersion, type CatalogWriteResult, type Draft } from '../../core/catalog/store-port.js';
import type { DatabaseDef, ResourceDef, TemplateDef, TriggerDef } from '../../core/catalog/types.js';
import { templateBody, templateChannelColumn, triggerDefinition } from '../shared/rows.js';
import { lockConfig } from './config-lock.js';
import type { PgClient, Queryable } from './open.js';
import { StaleWrite } from '../shared/errors.js';

const STALE: CatalogWriteResult = { status: 'stale' };

type Table = 'databases' | 'resources' | 'templates' | 'triggers';

const s = {
  version: 'SELECT config_version FROM accounts WHERE id = $1 FOR UPDATE',
  bump: 'UPDATE accounts SET config_version = config_version + 1 WHERE id = $1',
  // Capped counts of the rows that refer to an object.
  profilesOfDatabase: `SELECT COUNT(*)::int AS n FROM (SELECT 1 FROM profiles WHERE db_id = $1 LIMIT ${IN_USE_CAP}) AS used`,
  subscriptionsOfResource: `SELECT COUNT(*)::int AS n FROM (SELECT 1 FROM subscriptions WHERE resource_id = $1 LIMIT ${IN_USE_CAP}) AS used`,
  insertDatabase: `INSERT INTO databases (account_id, name, description, fields, phone_region, created_at, updated_at)
   VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id`,
  updateDatabase:
    'UPDATE databases SET name = $3, description = $4, fields = $5, phone_region = $6, updated_at = $7 WHERE id = $1 AND account_id = $2',
  insertResource:
    'INSERT INTO resources (account_id, name, db_ids, channels, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5) RETURNING id',
  updateResource:
    'UPDATE resources SET name = $3, db_ids = $4, channels = $5, updated_at = $6 WHERE id = $1 AND account_id = $2',
  insertTemplate:
    'INSERT INTO templates (account_id, name, channel, body, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5) RETURNING id',
  updateTemplate:
    'UPDATE templates SET name = $3, channel = $4, body = $5, updated_at = $6 WHERE id = $1 AND account_id = $2',
  insertTrigger:
    'INSERT INTO triggers (account_id, definition, is_active, updated_at, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id',
  updateTrigger:
    'UPDATE triggers SET definition = $3, is_active = $4, updated_at = $5 WHERE id = $1 AND account_id = $2',
  delete: {
    databases: 'DELETE FROM databases WHERE id = $1 AND account_id = $2',
    resources: 'DELETE FROM resources WHERE id = $1 AND account_id = $2',
    templates: 'DELETE FROM templates WHERE id = $1 AND account_id = $2',
    triggers: 'DELETE FROM triggers WHERE id = $1 AND account_id = $2',
  },
  cancelScheduled:
    "UPDATE messages SET status = 'cancelled', skip_reason = $1, finished_at = $2, lease_until = NULL WHERE trigger_id = $3 AND account_id = $4 AND status = 'scheduled'",
  savepoint: 'SAVEPOINT herald_catalog',
  release: 'RELEASE herald_catalog',
  rollback: 'ROLLBACK TO herald_catalog',
} as const;

export class PgCatalogWrites {
  /**
   * One configuration change in the caller's transaction, inside a savepoint of its own: a row
   * gone despite a current version is `stale`, and what the change wrote before is undone.
   */
  async apply(db: PgClient, fn: (w: PgCatalogWrites) => Promise<CatalogWriteResult>): Promise<CatalogWriteResult> {
    await db.query(s.savepoint);
    try {
      const result = await fn(this);
      await db.query(s.release);
      return result;
    } catch (err) {
      if (!(err instanceof StaleWrite)) throw err;
      await db.query(s.rollback);
      return STALE;
    }
  }

  /** Locks the account's configuration (waiting for requests applying it); false when its version moved on since `at`. */
  private async lockAt(db: Queryable, at: CatalogVersion): Promise<boolean> {
    await lockConfig(db, at.accountId);
    const r = await db.query<{ config_version: number }>(s.version, [at.accountId]);
    return r.rows[0]?.config_version === at.version;
  }

  private async count(
    db: Queryable,
    sql: 'profilesOfDatabase' | 'subscriptionsOfResource',
    id: number,
  ): Promise<number> {
    return (await db.query<{ n: number }>(s[sql], [id])).rows[0].n;
  }

  /** Inserts (no id: `insert` with the values) or updates (id: `update` with id, account and the values), then bumps the version. */
  private async save(
    db: Queryable,
    at: CatalogVersion,
    id: number | undefined,
    sql: { insert: string; update: string },
    values: unknown[],
  ): Promise<CatalogWriteResult> {
    let savedId: number;
    if (id === undefined) {
      savedId = (await db.query<{ id: number }>(sql.insert, [at.accountId, ...values])).rows[0].id;
    } else {
      const r = await db.query(sql.update, [id, at.accountId, ...values]);
      if ((r.rowCount ?? 0) === 0) throw new StaleWrite();
      savedId = id;
    }
    await db.query(s.bump, [at.accountId]);
    return { status: 'done', id: savedId };
  }

  private async remove(db: Queryable, at: CatalogVersion, table: Table, id: number): Promise<CatalogWriteResult> {
    const r = await db.query(s.delete[table], [id, at.accountId]);
    if ((r.rowCount ?? 0) === 0) throw new StaleWrite();
    await db.query(s.bump, [at.accountId]);
    return { status: 'done', id };
  }

  private async cancelScheduled(
    db: Queryable,
    at: CatalogVersion,
    triggerId: number,
    reason: string,
    now: number,
  ): Promise<void> {
    await db.query(s.cancelScheduled, [reason, now, triggerId, at.accountId]);
  }

  async saveDatabase(
    db: Queryable,
    at: CatalogVersion,
    d: Draft<DatabaseDef>,
    opts: { requireNoProfiles: boolean },
    now: number,
  ): Promise<CatalogWriteResult> {
    if (!(await this.lockAt(db, at))) return STALE;
    if (d.id !== undefined && opts.requireNoProfiles) {
      const profiles = await this.count(db, 'profilesOfDatabase', d.id);
      if (profiles > 0) return { status: 'in_use', profiles, subscriptions: 0 };
    }
    return this.save(db, at, d.id, { insert: s.insertDatabase, update: s.updateDatabase }, [
      d.name,
      d.description,
      JSON.stringify(d.fields),
      d.phoneRegion ?? null,
      now,
    ]);
  }

  async deleteDatabase(db: Queryable, at: CatalogVersion, id: number): Promise<CatalogWriteResult> {
    if (!(await this.lockAt(db, at))) return STALE;
    const profiles = await this.count(db, 'profilesOfDatabase', id);
    if (profiles > 0) return { status: 'in_use', profiles, subscriptions: 0 };
    return this.remove(db, at, 'databases', id);
  }

  async saveResource(
    db: Queryable,
    at: CatalogVersion,
    r: Draft<ResourceDef>,
    now: number,
  ): Promise<CatalogWriteResult> {
    if (!(await this.lockAt(db, at))) return STALE;
    return this.save(db, at, r.id, { insert: s.insertResource, update: s.updateResource }, [
      r.name,
      JSON.stringify(r.dbIds),
      JSON.stringify(r.channels),
      now,
    ]);
  }

  async deleteResource(db: Queryable, at: CatalogVersion, id: number): Promise<CatalogWriteResult> {
    if (!(await this.lockAt(db, at))) return STALE;
    const subscriptions = await this.count(db, 'subscriptionsOfResource', id);
    if (subscriptions > 0) return { status: 'in_use', profiles: 0, subscriptions };
    return this.remove(db, at, 'resources', id);
  }

  async saveTemplate(
    db: Queryable,
    at: CatalogVersion,
    t: Draft<TemplateDef>,
    now: number,
  ): Promise<CatalogWriteResult> {
    if (!(await this.lockAt(db, at))) return STALE;
    return this.save(db, at, t.id, { insert: s.insertTemplate, update: s.updateTemplate }, [
      t.name,
      templateChannelColumn(t),
      templateBody(t),
      now,
    ]);
  }

  async deleteTemplate(db: Queryable, at: CatalogVersion, id: number): Promise<CatalogWriteResult> {
    if (!(await this.lockAt(db, at))) return STALE;
    return this.remove(db, at, 'templates', id);
  }

  async saveTrigger(
    db: Queryable,
    at: CatalogVersion,
    t: Draft<TriggerDef>,
    opts: { cancelScheduled?: string },
    now: number,
  ): Promise<CatalogWriteResult> {
    if (!(await this.lockAt(db, at))) return STALE;
    const columns = [triggerDefinition({ ...t, id: 0 }), t.isActive, t.updatedAt];
    const result = await this.save(
      db,
      at,
      t.id,
      { insert: s.insertTrigger, update: s.updateTrigger },
      t.id === undefined ? [...columns, t.createdAt] : columns,
    );
    if (opts.cancelScheduled !== undefined && result.status === 'done')
      await this.cancelScheduled(db, at, result.id, opts.cancelScheduled, now);
    return result;
  }

  async deleteTrigger(db: Queryable, at: CatalogVersion, id: number, now: number): Promise<CatalogWriteResult> {
    if (!(await this.lockAt(db, at))) return STALE;
    const result = await this.remove(db, at, 'triggers', id);
    await this.cancelScheduled(db, at, id, 'trigger deleted', now);
    return result;
  }
}
