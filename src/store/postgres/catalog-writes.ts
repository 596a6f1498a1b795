// Configuration changes of the management methods on PostgreSQL (see the SQLite twin): the
// account row is locked (FOR UPDATE) and its config version compared, so concurrent changes to one
// account are serialised and a change checked on an old catalog writes nothing; then one object
// is written and the version bumped, in the caller's transaction.
import { IN_USE_CAP, type CatalogVersion, type CatalogWriteResult, type Draft } from '../../core/catalog/store-port.js';
import type { DatabaseDef, ResourceDef, TemplateDef, TriggerDef } from '../../core/catalog/types.js';
import { templateBody, templateChannelColumn, triggerDefinition } from '../shared/rows.js';
import { lockConfig } from './config-lock.js';
import type { Queryable } from './open.js';
import { StaleWrite } from '../shared/errors.js';

const STALE: CatalogWriteResult = { status: 'stale' };

/** Locks the account's configuration (waiting for requests applying it); false when its version moved on since `at`. */
async function lockAt(db: Queryable, at: CatalogVersion): Promise<boolean> {
  await lockConfig(db, at.accountId);
  const r = await db.query<{ config_version: number }>('SELECT config_version FROM accounts WHERE id = $1 FOR UPDATE', [
    at.accountId,
  ]);
  return r.rows[0]?.config_version === at.version;
}

async function bump(db: Queryable, at: CatalogVersion): Promise<void> {
  await db.query('UPDATE accounts SET config_version = config_version + 1 WHERE id = $1', [at.accountId]);
}

async function capped(db: Queryable, sql: string, id: number): Promise<number> {
  return (await db.query<{ n: number }>(`SELECT COUNT(*)::int AS n FROM (${sql} LIMIT ${IN_USE_CAP}) AS used`, [id]))
    .rows[0].n;
}

const profilesOfDatabase = (db: Queryable, id: number) => capped(db, 'SELECT 1 FROM profiles WHERE db_id = $1', id);
const subscriptionsOfResource = (db: Queryable, id: number) =>
  capped(db, 'SELECT 1 FROM subscriptions WHERE resource_id = $1', id);

/** Inserts (no id) or updates (id) a row of the account, then bumps the version. */
async function save(
  db: Queryable,
  at: CatalogVersion,
  table: string,
  id: number | undefined,
  columns: Record<string, unknown>,
  now: number | undefined,
): Promise<CatalogWriteResult> {
  const names = Object.keys(columns);
  const values = Object.values(columns);
  let savedId: number;
  if (id === undefined) {
    const r = await db.query<{ id: number }>(
      `INSERT INTO ${table} (account_id, ${names.join(', ')}${now !== undefined ? ', created_at, updated_at' : ''})
       VALUES ($1, ${names.map((_, i) => `$${i + 2}`).join(', ')}${now !== undefined ? `, $${names.length + 2}, $${names.length + 2}` : ''}) RETURNING id`,
      [at.accountId, ...values, ...(now !== undefined ? [now] : [])],
    );
    savedId = r.rows[0].id;
  } else {
    const sets = names.map((n, i) => `${n} = $${i + 3}`);
    if (now !== undefined) sets.push(`updated_at = $${names.length + 3}`);
    const r = await db.query(`UPDATE ${table} SET ${sets.join(', ')} WHERE id = $1 AND account_id = $2`, [
      id,
      at.accountId,
      ...values,
      ...(now !== undefined ? [now] : []),
    ]);
    if ((r.rowCount ?? 0) === 0) throw new StaleWrite();
    savedId = id;
  }
  await bump(db, at);
  return { status: 'done', id: savedId };
}

async function remove(db: Queryable, at: CatalogVersion, table: string, id: number): Promise<CatalogWriteResult> {
  const r = await db.query(`DELETE FROM ${table} WHERE id = $1 AND account_id = $2`, [id, at.accountId]);
  if ((r.rowCount ?? 0) === 0) throw new StaleWrite();
  await bump(db, at);
  return { status: 'done', id };
}

async function cancelScheduled(
  db: Queryable,
  at: CatalogVersion,
  triggerId: number,
  reason: string,
  now: number,
): Promise<void> {
  await db.query(
    "UPDATE messages SET status = 'cancelled', skip_reason = $1, finished_at = $2, lease_until = NULL WHERE trigger_id = $3 AND account_id = $4 AND status = 'scheduled'",
    [reason, now, triggerId, at.accountId],
  );
}

export async function saveDatabase(
  db: Queryable,
  at: CatalogVersion,
  d: Draft<DatabaseDef>,
  opts: { requireNoProfiles: boolean },
  now: number,
): Promise<CatalogWriteResult> {
  if (!(await lockAt(db, at))) return STALE;
  if (d.id !== undefined && opts.requireNoProfiles) {
    const profiles = await profilesOfDatabase(db, d.id);
    if (profiles > 0) return { status: 'in_use', profiles, subscriptions: 0 };
  }
  return save(
    db,
    at,
    'databases',
    d.id,
    { name: d.name, description: d.description, fields: JSON.stringify(d.fields), phone_region: d.phoneRegion ?? null },
    now,
  );
}

export async function deleteDatabase(db: Queryable, at: CatalogVersion, id: number): Promise<CatalogWriteResult> {
  if (!(await lockAt(db, at))) return STALE;
  const profiles = await profilesOfDatabase(db, id);
  if (profiles > 0) return { status: 'in_use', profiles, subscriptions: 0 };
  return remove(db, at, 'databases', id);
}

export async function saveResource(
  db: Queryable,
  at: CatalogVersion,
  r: Draft<ResourceDef>,
  now: number,
): Promise<CatalogWriteResult> {
  if (!(await lockAt(db, at))) return STALE;
  return save(
    db,
    at,
    'resources',
    r.id,
    { name: r.name, db_ids: JSON.stringify(r.dbIds), channels: JSON.stringify(r.channels) },
    now,
  );
}

export async function deleteResource(db: Queryable, at: CatalogVersion, id: number): Promise<CatalogWriteResult> {
  if (!(await lockAt(db, at))) return STALE;
  const subscriptions = await subscriptionsOfResource(db, id);
  if (subscriptions > 0) return { status: 'in_use', profiles: 0, subscriptions };
  return remove(db, at, 'resources', id);
}

export async function saveTemplate(
  db: Queryable,
  at: CatalogVersion,
  t: Draft<TemplateDef>,
  now: number,
): Promise<CatalogWriteResult> {
  if (!(await lockAt(db, at))) return STALE;
  return save(
    db,
    at,
    'templates',
    t.id,
    { name: t.name, channel: templateChannelColumn(t), body: templateBody(t) },
    now,
  );
}

export async function deleteTemplate(db: Queryable, at: CatalogVersion, id: number): Promise<CatalogWriteResult> {
  if (!(await lockAt(db, at))) return STALE;
  return remove(db, at, 'templates', id);
}

export async function saveTrigger(
  db: Queryable,
  at: CatalogVersion,
  t: Draft<TriggerDef>,
  opts: { cancelScheduled?: string },
  now: number,
): Promise<CatalogWriteResult> {
  if (!(await lockAt(db, at))) return STALE;
  const columns = { definition: triggerDefinition({ ...t, id: 0 }), is_active: t.isActive, updated_at: t.updatedAt };
  const result = await save(
    db,
    at,
    'triggers',
    t.id,
    t.id === undefined ? { ...columns, created_at: t.createdAt } : columns,
    undefined,
  );
  if (opts.cancelScheduled !== undefined && result.status === 'done')
    await cancelScheduled(db, at, result.id, opts.cancelScheduled, now);
  return result;
}

export async function deleteTrigger(
  db: Queryable,
  at: CatalogVersion,
  id: number,
  now: number,
): Promise<CatalogWriteResult> {
  if (!(await lockAt(db, at))) return STALE;
  const result = await remove(db, at, 'triggers', id);
  await cancelScheduled(db, at, id, 'trigger deleted', now);
  return result;
}
