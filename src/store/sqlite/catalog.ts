// Configuration objects on SQLite: the catalog of an account, ownership for provisioning
// checks, applying a provisioning plan (upserts, then a config version bump), and the config
// versions of the accounts.
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
import type { Statement } from 'better-sqlite3';
import type { SqliteDb } from './open.js';
import type { Ownership } from '../../core/provisioning/store-port.js';
import { receiptKeyId } from '../../core/catalog/receipt-key.js';

/** The tables of an account's configuration objects, read whole when its catalog is loaded. */
const CATALOG_TABLES = ['databases', 'resources', 'templates', 'triggers', 'senders', 'action_hooks'] as const;
/** The tables whose rows name their account, for ownership checks. */
const OWNED_TABLES = ['databases', 'resources', 'templates', 'triggers'] as const;

export class SqliteCatalog {
  private readonly s;
  /** Prepared on first use (provisioning runs in the migrated database only). */
  private upserts: ReturnType<typeof provisioningStatements> | undefined;

  constructor(private readonly db: SqliteDb) {
    this.s = {
      account: db.prepare('SELECT name, config_version FROM accounts WHERE id = ?'),
      version: db.prepare('SELECT config_version FROM accounts WHERE id = ?').pluck(),
      versions: db.prepare('SELECT id, config_version FROM accounts'),
      rows: Object.fromEntries(
        CATALOG_TABLES.map((t) => [t, db.prepare(`SELECT * FROM ${t} WHERE account_id = ? ORDER BY id`)]),
      ) as Record<(typeof CATALOG_TABLES)[number], Statement>,
      owners: Object.fromEntries(OWNED_TABLES.map((t) => [t, db.prepare(`SELECT id, account_id FROM ${t}`)])) as Record<
        (typeof OWNED_TABLES)[number],
        Statement
      >,
      accounts: db.prepare('SELECT id FROM accounts').pluck(),
      tokenOwners: db.prepare('SELECT hash, account_id FROM tokens'),
      receiptKeys: db.prepare(
        "SELECT account_id, name, json_extract(config, '$.receipt.key') AS receipt_key FROM senders WHERE json_extract(config, '$.receipt.key') IS NOT NULL",
      ),
    };
  }

  loadCatalog(accountId: number): Catalog {
    const account = this.s.account.get(accountId) as { name: string; config_version: number } | undefined;
    const all = <R>(table: (typeof CATALOG_TABLES)[number]) => this.s.rows[table].all(accountId) as R[];
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

  /** The account's configuration version (0 for an account not stored). */
  configVersion(accountId: number): number {
    return (this.s.version.get(accountId) as number | undefined) ?? 0;
  }

  accountVersions(): Map<number, number> {
    return new Map(
      (this.s.versions.all() as { id: number; config_version: number }[]).map((r) => [r.id, r.config_version]),
    );
  }

  describeOwnership(): Ownership {
    const owners = (table: (typeof OWNED_TABLES)[number]) =>
      new Map((this.s.owners[table].all() as { id: number; account_id: number }[]).map((r) => [r.id, r.account_id]));
    return {
      accounts: new Set(this.s.accounts.all() as number[]),
      databases: owners('databases'),
      resources: owners('resources'),
      templates: owners('templates'),
      triggers: owners('triggers'),
      tokens: new Map(
        (this.s.tokenOwners.all() as { hash: string; account_id: number }[]).map((r) => [r.hash, r.account_id]),
      ),
      receiptKeys: new Map(
        (this.s.receiptKeys.all() as { account_id: number; name: string; receipt_key: string }[]).map((r) => [
          receiptKeyId(r.name, r.receipt_key),
          r.account_id,
        ]),
      ),
    };
  }

  applyProvisioning(plan: ProvisionPlan, now: number): void {
    const st = (this.upserts ??= provisioningStatements(this.db));
    for (const a of plan.accounts) applyAccount(st, a, now);
  }
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
