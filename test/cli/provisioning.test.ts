// Provisioning (spec 06) through applyProvisioningFile on a real SQLite store: idempotent
// upserts, every problem of a bad file listed at once with nothing written, {"env": NAME}
// secrets, YAML files, and tokens stored only as their hash.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyProvisioningFile } from '../../src/core/provisioning/apply.js';
import { hashToken } from '../../src/core/provisioning/tokens.js';
import { readProvisioningFile } from '../../src/runtime/open-store.js';
import { SqliteStore } from '../../src/store/sqlite/store.js';
import { DEMO_PROVISION, TOKEN } from '../helpers/harness.js';
import { ProvisioningError } from '../../src/core/base/errors.js';

const TABLES = [
  'accounts',
  'tokens',
  'senders',
  'databases',
  'resources',
  'templates',
  'triggers',
  'action_hooks',
] as const;

let dir: string;
let store: SqliteStore;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'herald-provision-'));
  store = new SqliteStore(join(dir, 'herald.db'));
  await store.migrate();
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

type Row = Record<string, unknown>;
const all = (table: string): Row[] => store.db.prepare(`SELECT * FROM ${table} ORDER BY 1, 2`).all() as Row[];

/** Every configuration row, without the columns a re-apply may legitimately move. */
function configRows(): Record<string, Row[]> {
  const out: Record<string, Row[]> = {};
  for (const t of TABLES) {
    out[t] = all(t).map((r) => {
      const { config_version: _v, updated_at: _u, ...rest } = r;
      return rest;
    });
  }
  return out;
}

function everyRow(): Record<string, Row[]> {
  return Object.fromEntries(TABLES.map((t) => [t, all(t)]));
}

async function problemsOf(file: unknown, env: Record<string, string> = {}): Promise<string[]> {
  try {
    await applyProvisioningFile(store, file, env, Date.UTC(2026, 10, 27));
  } catch (err) {
    expect(err).toBeInstanceOf(ProvisioningError);
    const problems = (err as ProvisioningError).problems;
    expect((err as Error).message).toContain(`has ${problems.length} problem(s)`);
    return problems;
  }
  throw new Error('the file was applied, a ProvisioningError was expected');
}

describe('applying the demo file', () => {
  it('writes the demo account and is idempotent when applied again', async () => {
    const demo = readProvisioningFile(DEMO_PROVISION);
    const summary = await applyProvisioningFile(store, demo, {}, Date.UTC(2026, 10, 27, 10));
    expect(summary).toEqual({
      accounts: 1,
      tokens: 1,
      databases: 1,
      resources: 1,
      templates: 1,
      triggers: 2,
      senders: 1,
      hooks: 0,
    });
    const first = configRows();
    expect(first.accounts).toEqual([{ id: 1, name: 'Demo shop', created_at: Date.UTC(2026, 10, 27, 10) }]);
    expect(first.databases.map((d) => [d.id, d.account_id, d.name, JSON.parse(String(d.fields))])).toEqual([
      [
        1,
        1,
        'Customers',
        [
          { name: 'CRM_ID', type: 'int' },
          { name: 'Custom_ID', type: 'string' },
          { name: 'custom_field', type: 'int' },
          { name: 'interests', type: 'tags' },
        ],
      ],
    ]);
    expect(
      first.resources.map((r) => [r.id, JSON.parse(String(r.db_ids)), Object.keys(JSON.parse(String(r.channels)))]),
    ).toEqual([[21, [1], ['email', 'sms', 'push']]]);
    expect(first.templates.map((t) => [t.id, t.channel])).toEqual([[5, 'email']]);
    expect(first.triggers.map((t) => [t.id, t.is_active])).toEqual([
      [85, 1],
      [96, 1],
    ]);
    expect(first.senders.map((s) => [s.account_id, s.name, s.type])).toEqual([[1, 'outbox', 'file']]);
    const version = (
      store.db.prepare('SELECT config_version FROM accounts WHERE id = 1').get() as { config_version: number }
    ).config_version;

    // Applied again (later): the same rows, nothing duplicated; only the config version moves.
    await applyProvisioningFile(store, demo, {}, Date.UTC(2026, 10, 28, 10));
    expect(configRows()).toEqual(first);
    const again = (
      store.db.prepare('SELECT config_version FROM accounts WHERE id = 1').get() as { config_version: number }
    ).config_version;
    expect(again).toBeGreaterThan(version);
    const catalog = await store.loadCatalog(1);
    expect(catalog.triggers.get(96)?.createdAt).toBe(Date.UTC(2026, 10, 27, 10));
    expect([...catalog.triggers.keys()]).toEqual([85, 96]);
  });

  it('leaves objects that are not in the file alone', async () => {
    const demo = readProvisioningFile(DEMO_PROVISION) as { accounts: Record<string, unknown>[] };
    await applyProvisioningFile(store, demo, {}, 1);
    const slim = {
      accounts: [
        {
          id: 1,
          name: 'Renamed shop',
          databases: [{ id: 1, name: 'Customers v2', fields: [{ name: 'CRM_ID', type: 'int' }] }],
        },
      ],
    };
    const summary = await applyProvisioningFile(store, slim, {}, 2);
    expect(summary).toMatchObject({ accounts: 1, databases: 1, triggers: 0, templates: 0 });
    expect(all('accounts').map((a) => a.name)).toEqual(['Renamed shop']);
    expect(all('databases').map((d) => [d.name, JSON.parse(String(d.fields))])).toEqual([
      ['Customers v2', [{ name: 'CRM_ID', type: 'int' }]],
    ]);
    expect(all('triggers').map((t) => t.id)).toEqual([85, 96]);
    expect(all('tokens')).toHaveLength(1);
  });
});

/** A second account whose file gets (nearly) everything wrong. */
function badFile(): Record<string, unknown> {
  return {
    accounts: [
      {
        id: 2,
        name: 'Second shop',
        tokens: [{ token: 'second-account-token-0001', role: 'write' }],
        senders: [
          { name: 'mail', type: 'smtp', url: 'http://mail.example.com:25', password: 'x' },
          { name: 'files', type: 'file', dir: join(tmpdir(), 'herald-outbox') },
        ],
        databases: [
          { id: 1, name: 'Owned by account 1' },
          { id: 10, name: 'Money', fields: [{ name: 'amount', type: 'money' }] },
          { id: 11, name: 'Underscore', fields: [{ name: '_x', type: 'int' }] },
          { id: 12, name: 'System name', fields: [{ name: 'email', type: 'string' }] },
          { id: 13, name: 'Good', fields: [{ name: 'score', type: 'int' }] },
          { id: 13, name: 'Good again' },
        ],
        resources: [
          {
            id: 30,
            name: 'No sender',
            db_ids: [13],
            channels: { email: { sender: 'nosuch', from_email: 'shop@example.com' } },
          },
          {
            id: 31,
            name: 'Unlinked',
            db_ids: [],
            channels: { email: { sender: 'files', from_email: 'shop@example.com' } },
          },
        ],
        templates: [
          { id: 40, name: 'An SMS', channel: 'sms', text: 'Hi {lead._fname}' },
          { id: 41, name: 'Typo', channel: 'email', subject: 'Hi', text: 'Hello {leed.name}' },
          { id: 42, name: 'Fine', channel: 'email', subject: 'Hi', text: 'Hello {lead._fname}' },
        ],
        triggers: [
          {
            id: 50,
            name: 'Missing template',
            trigger_type: 'api_call',
            send_channel: 'email',
            content: [{ message_id: 999 }],
          },
          {
            id: 51,
            name: 'Wrong channel',
            trigger_type: 'api_call',
            send_channel: 'email',
            content: [{ message_id: 40 }],
          },
          {
            id: 52,
            name: 'Not linked',
            trigger_type: 'api_call',
            send_channel: 'email',
            is_active: true,
            resource_id: 31,
            list_id: 13,
            content: [{ message_id: 42 }],
          },
          {
            id: 96,
            name: 'Owned by account 1',
            trigger_type: 'api_call',
            send_channel: 'email',
            content: [{ message_id: 42 }],
          },
        ],
        action_hooks: [{ url: 'http://127.0.0.1:9001/hooks', secret: { env: 'MISSING' } }],
      },
    ],
  };
}

describe('a file with problems', () => {
  it('lists every problem in one ProvisioningError and writes nothing', async () => {
    await applyProvisioningFile(store, readProvisioningFile(DEMO_PROVISION), {}, 1);
    const before = everyRow();
    const problems = await problemsOf(badFile());
    const expected = [
      'accounts[0].action_hooks[0].secret: environment variable "MISSING" is not set',
      'accounts[0].senders[0].url: must use smtp: or smtps:',
      'accounts[0].databases[0].id: database 1 belongs to another account',
      'accounts[0].databases[1].fields[0].type: must be one of int, float, string, date, bool, enum, ip, tags, object, arr_object, got "money"',
      'accounts[0].databases[2].fields[0].name: field name "_x" may not start with "_"',
      'accounts[0].databases[3].fields[0].name: field name "email" is reserved',
      'accounts[0].databases[5].id: database 13 appears twice in the file',
      'accounts[0].templates[1].text: unknown variable namespace: {leed.name}; did you mean {lead.name}?',
      "accounts[0].resources[0]: channels.email.sender: sender 'nosuch' does not exist",
      'accounts[0].triggers[0]: content[0].message_id: template 999 does not exist',
      'accounts[0].triggers[1]: content[0].message_id: template 40 is for sms, the trigger sends email',
      'accounts[0].triggers[2]: an active trigger needs resource 31 linked to database 13',
      'accounts[0].triggers[3].id: trigger 96 belongs to another account',
    ];
    expect([...problems].sort()).toEqual([...expected].sort());
    // Nothing of the file was written, not even its valid parts (database 13, template 42…).
    expect(everyRow()).toEqual(before);
    expect(all('accounts').map((a) => a.id)).toEqual([1]);
  });

  it('writes nothing on an empty store either, and the error message lists the problems', async () => {
    let message = '';
    try {
      await applyProvisioningFile(store, badFile(), {}, 1);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/^the provisioning file has \d+ problem\(s\):\n {2}- /);
    expect(message).toContain('  - accounts[0].senders[0].url: must use smtp: or smtps:');
    expect(message).toContain(
      '  - accounts[0].templates[1].text: unknown variable namespace: {leed.name}; did you mean {lead.name}?',
    );
    for (const t of TABLES) expect(all(t), t).toEqual([]);
  });

  it('reports an id used by two accounts of the same file, and a reused account id', async () => {
    const file = {
      accounts: [
        {
          id: 5,
          name: 'A',
          databases: [{ id: 70, name: 'X' }],
          templates: [{ id: 71, name: 'T', channel: 'sms', text: 'hi' }],
        },
        {
          id: 6,
          name: 'B',
          databases: [{ id: 70, name: 'Y' }],
          templates: [{ id: 71, name: 'T', channel: 'sms', text: 'hi' }],
        },
        { id: 5, name: 'A again' },
      ],
    };
    expect((await problemsOf(file)).sort()).toEqual(
      [
        'accounts[1].databases[0].id: database 70 appears twice in the file',
        'accounts[1].templates[0].id: template 71 appears twice in the file',
        'accounts[2].id: account 5 appears twice',
      ].sort(),
    );
    expect(all('accounts')).toEqual([]);
  });

  it('refuses a token that belongs to another account', async () => {
    await applyProvisioningFile(store, readProvisioningFile(DEMO_PROVISION), {}, 1);
    const problems = await problemsOf({ accounts: [{ id: 2, name: 'Thief', tokens: [{ token: TOKEN }] }] });
    expect(problems).toEqual(['accounts[0].tokens[0].token: the token belongs to another account']);
    expect(all('tokens')).toEqual([expect.objectContaining({ hash: hashToken(TOKEN), account_id: 1 })]);
  });
});

describe('secrets from the environment', () => {
  const file = {
    accounts: [
      {
        id: 3,
        name: 'Env shop',
        tokens: [{ token: { env: 'HERALD_TEST_TOKEN' }, role: 'read' }],
        senders: [{ name: 'mail', type: 'smtp', url: { env: 'HERALD_TEST_SMTP' } }],
        action_hooks: [
          { url: 'https://hooks.example.com/in', secret: { env: 'HERALD_TEST_HOOK_SECRET' }, events: ['send'] },
        ],
      },
    ],
  };

  it('resolves {"env": NAME} from the given environment', async () => {
    const env = {
      HERALD_TEST_TOKEN: 'token-from-env-1234567890',
      HERALD_TEST_SMTP: 'smtp://user:pw@mail.example.com:587',
      HERALD_TEST_HOOK_SECRET: 'hook-secret-42',
    };
    await applyProvisioningFile(store, file, env, 1);
    expect(all('tokens')).toEqual([
      {
        hash: hashToken('token-from-env-1234567890'),
        account_id: 3,
        role: 'read',
        revoked: 0,
        revoked_at: null,
        created_at: 1,
        rate_per_second: null,
        burst: null,
      },
    ]);
    expect(JSON.parse(String(all('senders')[0].config))).toMatchObject({ url: 'smtp://user:pw@mail.example.com:587' });
    expect(all('action_hooks')).toEqual([
      {
        id: 1,
        account_id: 3,
        url: 'https://hooks.example.com/in',
        secret: 'hook-secret-42',
        filters: JSON.stringify({ events: ['send'] }),
      },
    ]);
    expect((await store.findToken(hashToken('token-from-env-1234567890')))?.accountId).toBe(3);
  });

  it('names every variable that is not set', async () => {
    const problems = await problemsOf(file, { HERALD_TEST_SMTP: 'smtp://mail.example.com' });
    expect(problems).toContain('accounts[0].tokens[0].token: environment variable "HERALD_TEST_TOKEN" is not set');
    expect(problems).toContain(
      'accounts[0].action_hooks[0].secret: environment variable "HERALD_TEST_HOOK_SECRET" is not set',
    );
    expect(problems.filter((p) => p.includes('HERALD_TEST_SMTP'))).toEqual([]);
    expect(all('accounts')).toEqual([]);
  });
});

describe('file formats and tokens', () => {
  it('accepts a YAML provisioning file', async () => {
    const path = join(dir, 'shop.yaml');
    writeFileSync(
      path,
      [
        'accounts:',
        '  - id: 4',
        '    name: YAML shop',
        '    tokens:',
        '      - token: yaml-token-abcdefghijkl',
        '        role: write',
        '    senders:',
        '      - {name: outbox, type: file, dir: ./data/outbox}',
        '    databases:',
        '      - id: 40',
        '        name: Readers',
        '        fields:',
        '          - {name: level, type: enum, values: [bronze, silver, gold]}',
        '    resources:',
        '      - id: 41',
        '        name: Mail',
        '        db_ids: [40]',
        '        channels:',
        '          email: {sender: outbox, from_email: news@example.com}',
        '    templates:',
        '      - id: 42',
        '        name: Hello',
        '        channel: email',
        '        subject: "Hello {lead._fname}"',
        '        text: "Hi {lead._fname}, level {lead.level}"',
        '    triggers:',
        '      - {id: 43, name: Hello, trigger_type: api_call, send_channel: email, resource_id: 41, list_id: 40, is_active: true, content: [{message_id: 42}]}',
        '',
      ].join('\n'),
    );
    const parsed = readProvisioningFile(path);
    const summary = await applyProvisioningFile(store, parsed, {}, 1);
    expect(summary).toEqual({
      accounts: 1,
      tokens: 1,
      databases: 1,
      resources: 1,
      templates: 1,
      triggers: 1,
      senders: 1,
      hooks: 0,
    });
    const catalog = await store.loadCatalog(4);
    expect(catalog.databases.get(40)?.fields).toEqual([
      { name: 'level', type: 'enum', values: ['bronze', 'silver', 'gold'] },
    ]);
    expect(catalog.triggers.get(43)).toMatchObject({
      isActive: true,
      listId: 40,
      resourceId: 41,
      content: [{ message_id: 42 }],
    });
    expect(catalog.templates.get(42)).toMatchObject({ channels: { email: { subject: 'Hello {lead._fname}' } } });
    expect((await store.findToken(hashToken('yaml-token-abcdefghijkl')))?.role).toBe('write');
  });

  it('reads a .json file as JSON (and reports a broken one)', () => {
    const path = join(dir, 'broken.json');
    writeFileSync(path, '{"accounts": [');
    expect(() => readProvisioningFile(path)).toThrow(SyntaxError);
  });

  it('stores tokens hashed: the plain token is nowhere in the database', async () => {
    const secret = 'plain-token-should-never-be-stored-77';
    await applyProvisioningFile(
      store,
      {
        accounts: [
          {
            id: 8,
            name: 'Hash shop',
            tokens: [{ token: secret }, { token: 'revoked-token-000000001', revoked: true }],
          },
        ],
      },
      {},
      1,
    );
    const tokens = all('tokens');
    expect(tokens.map((t) => t.hash).sort()).toEqual([hashToken(secret), hashToken('revoked-token-000000001')].sort());
    expect(hashToken(secret)).toMatch(/^[0-9a-f]{64}$/);
    for (const t of tokens) expect(Object.values(t)).not.toContain(secret);
    expect((await store.findToken(hashToken('revoked-token-000000001')))?.revoked).toBe(true);
    expect((await store.findToken(hashToken(secret)))?.revoked).toBe(false);
    // Not in any page of the file either (main database and write-ahead log).
    store.db.pragma('wal_checkpoint(FULL)');
    for (const f of [join(dir, 'herald.db'), join(dir, 'herald.db-wal')]) {
      if (existsSync(f)) expect(readFileSync(f).includes(Buffer.from(secret)), f).toBe(false);
    }
    expect(readFileSync(join(dir, 'herald.db')).includes(Buffer.from(hashToken(secret)))).toBe(true);
  });
});
