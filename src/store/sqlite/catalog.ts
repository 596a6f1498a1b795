// Configuration objects on SQLite: the catalog of an account, ownership for provisioning
// checks, and applying a provisioning plan (upserts, then a config version bump).
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
import type { SqliteDb } from './open.js';
import type { Ownership } from '../../core/provisioning/store-port.js';
import { receiptKeyId } from '../../core/catalog/receipt-key.js';

export function loadCatalog(db: SqliteDb, accountId: number): Catalog {
  const account = db.prepare('SELECT name, config_version FROM accounts WHERE id = ?').get(accountId) as
    { name: string; config_version: number } | undefined;
  const all = <R>(table: string) =>
    db.prepare(`SELECT * FROM ${table} WHERE account_id = ? ORDER BY id`).all(accountId) as R[];
  return {
    accountId,
    ...(account ? { accountName: account.name } : {}),
    version: account?.config_version ?? 0,
    databases: new Map(all<DatabaseRow>('databases').map((r) => [r.id, toDatabase(r)])),
    resources: new Map(all<ResourceRow>('resources').map((r) => [r.id, toResource(r)])),
    templates: new Map(all<TemplateRow>('templates').map((r) => [r.id, toTemplate(r)])),
    triggers: new Map(all<TriggerRow>('triggers').map((r) => [r.id, toTrigger(r)])),
    senders: new Map(all<SenderRow>('senders').map((r) => [r.name, toSender(r)])),
    hooks: all<HookRow>('action_hooks').map(toHook),
  };
}

export function describeOwnership(db: SqliteDb): Ownership {
  const owners = (table: string) =>
    new Map(
      (db.prepare(`SELECT id, account_id FROM ${table}`).all() as { id: number; account_id: number }[]).map((r) => [
        r.id,
        r.account_id,
      ]),
    );
  return {
    accounts: new Set((db.prepare('SELECT id FROM accounts').all() as { id: number }[]).map((r) => r.id)),
    databases: owners('databases'),
    resources: owners('resources'),
    templates: owners('templates'),
    triggers: owners('triggers'),
    tokens: new Map(
      (db.prepare('SELECT hash, account_id FROM tokens').all() as { hash: string; account_id: number }[]).map((r) => [
        r.hash,
        r.account_id,
      ]),
    ),
    receiptKeys: new Map(
      (
        db
          .prepare(
            "SELECT account_id, name, json_extract(config, '$.receipt.key') AS receipt_key FROM senders WHERE json_extract(config, '$.receipt.key') IS NOT NULL",
          )
          .all() as { account_id: number; name: string; receipt_key: string }[]
      ).map((r) => [receiptKeyId(r.name, r.receipt_key), r.account_id]),
    ),
  };
}

export function applyProvisioning(db: SqliteDb, plan: ProvisionPlan, now: number): void {
  const st = provisioningStatements(db);
  for (const a of plan.accounts) applyAccount(st, a, now);
}

/** The upserts of a provisioning file, one per kind of object. */
function provisioningStatements(db: SqliteDb) {
  return {
    upsertAccount: db.prepare(
      'INSERT INTO accounts (id, name, created_at) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET name = excluded.name, config_version = config_version + 1',
    ),
    upsertToken: db.prepare(
      // A revoked token stays revoked: a file that still lists it cannot bring it back.
      `INSERT INTO tokens (hash, account_id, role, revoked, created_at, rate_per_second, burst, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (hash) DO UPDATE SET role = excluded.role, revoked = MAX(tokens.revoked, excluded.revoked), revoked_at = COALESCE(tokens.revoked_at, excluded.revoked_at),
         rate_per_second = excluded.rate_per_second, burst = excluded.burst`,
    ),
    upsertSender: db.prepare(
      'INSERT INTO senders (account_id, name, type, config) VALUES (?, ?, ?, ?) ON CONFLICT (account_id, name) DO UPDATE SET type = excluded.type, config = excluded.config',
    ),
    upsertDatabase: db.prepare(
      `INSERT INTO databases (id, account_id, name, description, fields, phone_region, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET name = excluded.name, description = excluded.description, fields = excluded.fields, phone_region = excluded.phone_region, updated_at = excluded.updated_at`,
    ),
    upsertResource: db.prepare(
      `INSERT INTO resources (id, account_id, name, db_ids, channels, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET name = excluded.name, db_ids = excluded.db_ids, channels = excluded.channels, updated_at = excluded.updated_at`,
    ),
    upsertTemplate: db.prepare(
      `INSERT INTO templates (id, account_id, name, channel, body, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET name = excluded.name, channel = excluded.channel, body = excluded.body, updated_at = excluded.updated_at`,
    ),
    upsertTrigger: db.prepare(
      `INSERT INTO triggers (id, account_id, definition, is_active, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET definition = excluded.definition, is_active = excluded.is_active, updated_at = excluded.updated_at`,
    ),
    upsertHook: db.prepare(
      'INSERT INTO action_hooks (account_id, url, secret, filters) VALUES (?, ?, ?, ?) ON CONFLICT (account_id, url) DO UPDATE SET secret = excluded.secret, filters = excluded.filters',
    ),
    upsertList: db.prepare(
      `INSERT INTO suppression_lists (id, account_id, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET name = excluded.name, updated_at = excluded.updated_at WHERE suppression_lists.account_id = excluded.account_id`,
    ),
  };
}

/** One account of the file with everything it lists. */
function applyAccount(
  st: ReturnType<typeof provisioningStatements>,
  a: ProvisionPlan['accounts'][number],
  now: number,
): void {
  st.upsertAccount.run(a.id, a.name, now);
  for (const t of a.tokens)
    st.upsertToken.run(
      t.hash,
      a.id,
      t.role,
      t.revoked ? 1 : 0,
      now,
      t.ratePerSecond ?? null,
      t.burst ?? null,
      t.revoked ? now : null,
    );
  for (const s of a.senders) st.upsertSender.run(a.id, s.name, s.type, senderConfig(s));
  for (const d of a.databases)
    st.upsertDatabase.run(d.id, a.id, d.name, d.description, JSON.stringify(d.fields), d.phoneRegion ?? null, now, now);
  for (const r of a.resources)
    st.upsertResource.run(r.id, a.id, r.name, JSON.stringify(r.dbIds), JSON.stringify(r.channels), now, now);
  for (const t of a.templates)
    st.upsertTemplate.run(t.id, a.id, t.name, templateChannelColumn(t), templateBody(t), now, now);
  for (const t of a.triggers)
    st.upsertTrigger.run(t.id, a.id, triggerDefinition(t), t.isActive ? 1 : 0, t.createdAt, t.updatedAt);
  for (const h of a.hooks) st.upsertHook.run(a.id, h.url, h.secret ?? null, JSON.stringify(h.filters));
  // A list id another account holds is left to it.
  for (const l of a.suppressionLists ?? []) st.upsertList.run(l.id, a.id, l.name, now, now);
}
