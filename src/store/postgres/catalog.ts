// Configuration objects on PostgreSQL (see the SQLite twin): catalog, ownership, provisioning,
// and the config versions of the accounts.
import type { Catalog } from '../../core/catalog/types.js';
import type { ProvisionPlan } from '../../core/provisioning/plan.js';
import {
  senderConfig,
  templateBody,
  templateChannelColumn,
  toDatabase,
  toHook,
  toResource,
  toSender,
  toTemplate,
  toTrigger,
  triggerDefinition,
  type DatabaseRow,
  type HookRow,
  type ResourceRow,
  type SenderRow,
  type TemplateRow,
  type TriggerRow,
} from '../shared/rows.js';
import { lockConfig } from './config-lock.js';
import type { Queryable } from './open.js';
import type { Ownership } from '../../core/provisioning/store-port.js';
import { receiptKeyId } from '../../core/catalog/receipt-key.js';

const CATALOG_TABLES = ['databases', 'resources', 'templates', 'triggers', 'senders', 'action_hooks'] as const;
const OWNED_TABLES = ['databases', 'resources', 'templates', 'triggers'] as const;
/** The tables whose ids the API hands out from a sequence. */
const SERIAL_TABLES = ['databases', 'resources', 'templates', 'triggers', 'suppression_lists'] as const;

const s = {
  account: 'SELECT name, config_version FROM accounts WHERE id = $1',
  versions: 'SELECT id, config_version FROM accounts',
  rows: Object.fromEntries(
    CATALOG_TABLES.map((t) => [t, `SELECT * FROM ${t} WHERE account_id = $1 ORDER BY id`]),
  ) as Record<(typeof CATALOG_TABLES)[number], string>,
  owners: Object.fromEntries(OWNED_TABLES.map((t) => [t, `SELECT id, account_id FROM ${t}`])) as Record<
    (typeof OWNED_TABLES)[number],
    string
  >,
  accounts: 'SELECT id FROM accounts',
  tokenOwners: 'SELECT hash, account_id FROM tokens',
  receiptKeys:
    "SELECT account_id, name, config::json -> 'receipt' ->> 'key' AS receipt_key FROM senders WHERE config::json -> 'receipt' ->> 'key' IS NOT NULL",
  // Ids the API hands out stay above every id a provisioning file used, and never go back below
  // one already handed out (a deleted object's id is not given again).
  raiseSequence: Object.fromEntries(
    SERIAL_TABLES.map((t) => [
      t,
      `SELECT setval(pg_get_serial_sequence('${t}', 'id'), GREATEST((SELECT COALESCE(MAX(id), 0) FROM ${t}),
         COALESCE(pg_sequence_last_value(pg_get_serial_sequence('${t}', 'id')::regclass), 0), 1))`,
    ]),
  ) as Record<(typeof SERIAL_TABLES)[number], string>,
};

export class PgCatalog {
  async loadCatalog(db: Queryable, accountId: number): Promise<Catalog> {
    const all = async <R extends object>(table: (typeof CATALOG_TABLES)[number]) =>
      (await db.query<R>(s.rows[table], [accountId])).rows;
    const account = (await db.query<{ name: string; config_version: number }>(s.account, [accountId])).rows[0];
    const [databases, resources, templates, triggers, senders, hooks] = await Promise.all([
      all<DatabaseRow>('databases'),
      all<ResourceRow>('resources'),
      all<TemplateRow>('templates'),
      all<TriggerRow>('triggers'),
      all<SenderRow>('senders'),
      all<HookRow>('action_hooks'),
    ]);
    return {
      accountId,
      ...(account ? { accountName: account.name } : {}),
      version: account?.config_version ?? 0,
      databases: new Map(databases.map((r) => [r.id, toDatabase(r)])),
      resources: new Map(resources.map((r) => [r.id, toResource(r)])),
      templates: new Map(templates.map((r) => [r.id, toTemplate(r)])),
      triggers: new Map(triggers.map((r) => [r.id, toTrigger(r)])),
      senders: new Map(senders.map((r) => [r.name, toSender(r)])),
      hooks: hooks.map(toHook),
    };
  }

  async accountVersions(db: Queryable): Promise<Map<number, number>> {
    const r = await db.query<{ id: number; config_version: number }>(s.versions);
    return new Map(r.rows.map((row) => [row.id, row.config_version]));
  }

  async describeOwnership(db: Queryable): Promise<Ownership> {
    const owners = async (table: (typeof OWNED_TABLES)[number]) =>
      new Map(
        (await db.query<{ id: number; account_id: number }>(s.owners[table])).rows.map((r) => [r.id, r.account_id]),
      );
    return {
      accounts: new Set((await db.query<{ id: number }>(s.accounts)).rows.map((r) => r.id)),
      databases: await owners('databases'),
      resources: await owners('resources'),
      templates: await owners('templates'),
      triggers: await owners('triggers'),
      tokens: new Map(
        (await db.query<{ hash: string; account_id: number }>(s.tokenOwners)).rows.map((r) => [r.hash, r.account_id]),
      ),
      receiptKeys: new Map(
        (await db.query<{ account_id: number; name: string; receipt_key: string }>(s.receiptKeys)).rows.map((r) => [
          receiptKeyId(r.name, r.receipt_key),
          r.account_id,
        ]),
      ),
    };
  }

  async applyProvisioning(db: Queryable, plan: ProvisionPlan, now: number): Promise<void> {
    for (const a of plan.accounts) await applyAccount(db, a, now);
    for (const a of plan.accounts)
      for (const l of a.suppressionLists ?? [])
        await db.query(provisionSql.upsertSuppressionList, [l.id, a.id, l.name, now]);
    for (const table of SERIAL_TABLES) await db.query(s.raiseSequence[table]);
  }
}

/** The statements of a provisioning file's application. */
const provisionSql = {
  upsertAccount:
    'INSERT INTO accounts (id, name, created_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, config_version = accounts.config_version + 1',
  // A revoked token stays revoked: a file that still lists it cannot bring it back.
  upsertToken: `INSERT INTO tokens (hash, account_id, role, revoked, created_at, rate_per_second, burst, revoked_at) VALUES ($1, $2, $3, $4, $5, $6, $7, CASE WHEN $4 THEN $5::bigint END)
         ON CONFLICT (hash) DO UPDATE SET role = EXCLUDED.role, revoked = tokens.revoked OR EXCLUDED.revoked, revoked_at = COALESCE(tokens.revoked_at, EXCLUDED.revoked_at),
           rate_per_second = EXCLUDED.rate_per_second, burst = EXCLUDED.burst`,
  upsertSender:
    'INSERT INTO senders (account_id, name, type, config) VALUES ($1, $2, $3, $4) ON CONFLICT (account_id, name) DO UPDATE SET type = EXCLUDED.type, config = EXCLUDED.config',
  upsertDatabase: `INSERT INTO databases (id, account_id, name, description, fields, phone_region, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $7, $6, $6)
         ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, description = EXCLUDED.description, fields = EXCLUDED.fields, phone_region = EXCLUDED.phone_region, updated_at = EXCLUDED.updated_at`,
  upsertResource: `INSERT INTO resources (id, account_id, name, db_ids, channels, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6)
         ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, db_ids = EXCLUDED.db_ids, channels = EXCLUDED.channels, updated_at = EXCLUDED.updated_at`,
  upsertTemplate: `INSERT INTO templates (id, account_id, name, channel, body, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6)
         ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, channel = EXCLUDED.channel, body = EXCLUDED.body, updated_at = EXCLUDED.updated_at`,
  upsertTrigger: `INSERT INTO triggers (id, account_id, definition, is_active, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (id) DO UPDATE SET definition = EXCLUDED.definition, is_active = EXCLUDED.is_active, updated_at = EXCLUDED.updated_at`,
  upsertHook:
    'INSERT INTO action_hooks (account_id, url, secret, filters) VALUES ($1, $2, $3, $4) ON CONFLICT (account_id, url) DO UPDATE SET secret = EXCLUDED.secret, filters = EXCLUDED.filters',
  // A list id another account holds is left to it.
  upsertSuppressionList: `INSERT INTO suppression_lists (id, account_id, name, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)
         ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, updated_at = EXCLUDED.updated_at WHERE suppression_lists.account_id = EXCLUDED.account_id`,
};

async function applyAccount(db: Queryable, a: ProvisionPlan['accounts'][number], now: number): Promise<void> {
  await lockConfig(db, a.id);
  await db.query(provisionSql.upsertAccount, [a.id, a.name, now]);
  for (const t of a.tokens)
    await db.query(provisionSql.upsertToken, [
      t.hash,
      a.id,
      t.role,
      t.revoked,
      now,
      t.ratePerSecond ?? null,
      t.burst ?? null,
    ]);
  for (const s of a.senders) await db.query(provisionSql.upsertSender, [a.id, s.name, s.type, senderConfig(s)]);
  for (const d of a.databases)
    await db.query(provisionSql.upsertDatabase, [
      d.id,
      a.id,
      d.name,
      d.description,
      JSON.stringify(d.fields),
      now,
      d.phoneRegion ?? null,
    ]);
  for (const r of a.resources)
    await db.query(provisionSql.upsertResource, [
      r.id,
      a.id,
      r.name,
      JSON.stringify(r.dbIds),
      JSON.stringify(r.channels),
      now,
    ]);
  for (const t of a.templates)
    await db.query(provisionSql.upsertTemplate, [t.id, a.id, t.name, templateChannelColumn(t), templateBody(t), now]);
  for (const t of a.triggers)
    await db.query(provisionSql.upsertTrigger, [
      t.id,
      a.id,
      triggerDefinition(t),
      t.isActive,
      t.createdAt,
      t.updatedAt,
    ]);
  for (const h of a.hooks)
    await db.query(provisionSql.upsertHook, [a.id, h.url, h.secret ?? null, JSON.stringify(h.filters)]);
}
