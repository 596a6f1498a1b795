// The `herald` command (spec 06) as a user runs it: `node bin/herald.js …` against a temporary
// SQLite file named by HERALD_DATABASE_URL. API calls that check a minted or revoked token go
// through an in-process engine opened on the same file (tokens are read per request).
import { execSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig, MB } from '../../src/config.js';
import { hashToken } from '../../src/core/provisioning/tokens.js';
import { COMMANDS, commandUsage } from '../../src/cli/usage.js';
import { buildApp } from '../../src/http/app.js';
import { startEngine, type Engine } from '../../src/runtime/engine.js';
import { SqliteStore } from '../../src/store/sqlite/store.js';
import { readSqlite } from '../helpers/databases.js';
import { DEMO_PROVISION, TOKEN } from '../helpers/harness.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const BIN = join(ROOT, 'bin/herald.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment without the caller's HERALD_* settings, plus the given ones. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('HERALD_')) env[k] = v;
  return { ...env, ...extra };
}

function herald(args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      env: cleanEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

beforeAll(() => {
  // `npm test` builds first; build here only when run on a fresh checkout.
  if (!existsSync(join(ROOT, 'dist/cli/main.js'))) execSync('npm run build', { cwd: ROOT, stdio: 'ignore' });
}, 120_000);

let dir: string;
let dbFile: string;
let env: Record<string, string>;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'herald-cli-'));
  dbFile = join(dir, 'herald.db');
  env = { HERALD_DATABASE_URL: `sqlite:${dbFile}`, HERALD_LOG_LEVEL: 'silent' };
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Reads the file the CLI wrote. */
const query = <T>(sql: string, ...params: unknown[]): T[] => readSqlite<T>(dbFile, sql, ...params);

const USAGE_LINE = 'Usage: herald <command> [options]';

describe('herald migrate', () => {
  it('creates the schema in the named file, says which migrations it applied, and is a no-op the second time', async () => {
    expect(existsSync(dbFile)).toBe(false);
    const first = await herald(['migrate'], env);
    // Every migration the built command ships, in order, and nothing else.
    const shipped = readdirSync(join(ROOT, 'dist/store/sqlite/migrations'))
      .filter((f) => f.endsWith('.sql'))
      .sort();
    expect(first).toEqual({
      code: 0,
      stdout: `applied ${shipped.length} migration(s): ${shipped.map((f) => f.replace(/\.sql$/, '')).join(', ')}\n`,
      stderr: '',
    });
    expect(first.stdout).toContain('011_token_revocations');
    expect(existsSync(dbFile)).toBe(true);
    expect(shipped[0]).toBe('001_init.sql');
    expect(
      query<{ version: number; name: string }>('SELECT version, name FROM schema_migrations ORDER BY version'),
    ).toEqual(shipped.map((name) => ({ version: Number.parseInt(name, 10), name })));
    const tables = query<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").map(
      (t) => t.name,
    );
    expect(tables).toEqual(
      expect.arrayContaining([
        'accounts',
        'tokens',
        'profiles',
        'profile_values',
        'subscriptions',
        'messages',
        'triggers',
      ]),
    );
    const second = await herald(['migrate'], env);
    expect(second).toEqual({ code: 0, stdout: 'storage schema is up to date: nothing to apply\n', stderr: '' });
    expect(query('SELECT version FROM schema_migrations')).toHaveLength(shipped.length);
  });

  it('--database-url overrides the environment', async () => {
    const other = join(dir, 'other.db');
    const run = await herald(['migrate', '--database-url', `sqlite:${other}`], env);
    expect(run.code).toBe(0);
    expect(existsSync(other)).toBe(true);
    expect(existsSync(dbFile)).toBe(false);
  });

  it('refuses a malformed HERALD_DATABASE_URL with exit code 1', async () => {
    const run = await herald(['migrate'], { HERALD_DATABASE_URL: 'mysql://x' });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('herald: HERALD_DATABASE_URL: expected sqlite:<file> or postgres://…, got "mysql://x"\n');
    expect(run.stdout).toBe('');
  });
});

describe('herald apply', () => {
  it('applies the demo file and prints a summary', async () => {
    const run = await herald(['apply', DEMO_PROVISION], env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      `applied ${DEMO_PROVISION}: 1 accounts, 1 tokens, 1 databases, 1 resources, 1 templates, 2 triggers, 1 senders, 0 hooks\n`,
    );
    expect(query<{ id: number; name: string }>('SELECT id, name FROM accounts')).toEqual([
      { id: 1, name: 'Demo shop' },
    ]);
    expect(query<{ id: number }>('SELECT id FROM triggers ORDER BY id')).toEqual([{ id: 85 }, { id: 96 }]);
    expect(query<{ hash: string }>('SELECT hash FROM tokens')).toEqual([{ hash: hashToken(TOKEN) }]);
    // Applying again is fine (idempotent).
    const again = await herald(['apply', DEMO_PROVISION], env);
    expect(again.code).toBe(0);
    expect(query('SELECT id FROM triggers')).toHaveLength(2);
  });

  it('applies a YAML file', async () => {
    const file = join(dir, 'shop.yml');
    writeFileSync(
      file,
      'accounts:\n  - id: 7\n    name: YAML shop\n    databases:\n      - {id: 70, name: Readers, fields: [{name: level, type: int}]}\n',
    );
    const run = await herald(['apply', file], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      `applied ${file}: 1 accounts, 0 tokens, 1 databases, 0 resources, 0 templates, 0 triggers, 0 senders, 0 hooks\n`,
    );
    expect(query<{ id: number; account_id: number }>('SELECT id, account_id FROM databases')).toEqual([
      { id: 70, account_id: 7 },
    ]);
  });

  it('exits 1 on a bad file, lists every problem on stderr and writes nothing', async () => {
    expect((await herald(['apply', DEMO_PROVISION], env)).code).toBe(0);
    const file = join(dir, 'bad.json');
    writeFileSync(
      file,
      JSON.stringify({
        accounts: [
          {
            id: 2,
            name: 'Bad shop',
            senders: [{ name: 'mail', type: 'smtp', url: 'ftp://mail.example.com' }],
            databases: [
              { id: 1, name: 'Taken' },
              { id: 20, name: 'Typed', fields: [{ name: 'x', type: 'money' }] },
            ],
            templates: [{ id: 21, name: 'Typo', channel: 'email', subject: 'Hi', html: '<p>{leed.name}</p>' }],
            triggers: [
              {
                id: 22,
                name: 'No template',
                trigger_type: 'api_call',
                send_channel: 'email',
                content: [{ message_id: 404 }],
              },
            ],
            action_hooks: [{ url: 'http://127.0.0.1:9/h', secret: { env: 'HERALD_TEST_NOT_SET' } }],
          },
        ],
      }),
    );
    const run = await herald(['apply', file], env);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines[0]).toBe('herald: the provisioning file has 6 problem(s):');
    expect(lines.slice(1).sort()).toEqual(
      [
        '  - accounts[0].action_hooks[0].secret: environment variable "HERALD_TEST_NOT_SET" is not set',
        '  - accounts[0].senders[0].url: must use smtp: or smtps:',
        '  - accounts[0].databases[0].id: database 1 belongs to another account',
        '  - accounts[0].databases[1].fields[0].type: must be one of int, float, string, date, bool, enum, ip, tags, object, arr_object, got "money"',
        '  - accounts[0].templates[0].html: unknown variable namespace: {leed.name}; did you mean {lead.name}?',
        '  - accounts[0].triggers[0]: content[0].message_id: template 404 does not exist',
      ].sort(),
    );
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(query<{ id: number }>('SELECT id FROM accounts')).toEqual([{ id: 1 }]);
    expect(query('SELECT id FROM databases')).toHaveLength(1);
  });

  it('exits 1 when the file is missing or not given', async () => {
    const missing = await herald(['apply', join(dir, 'nope.json')], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^herald: failed: ENOENT: no such file or directory/);
    const none = await herald(['apply'], env);
    expect(none).toEqual({ code: 1, stdout: '', stderr: 'herald: apply needs a FILE\n' });
  });
});

describe('herald token', () => {
  let store: SqliteStore;
  let engine: Engine;
  let app: FastifyInstance;

  /** An API server on the CLI's database file. */
  async function openApi(): Promise<void> {
    // API only: no delivery loop writing the demo outbox into the working directory.
    const config = loadConfig({ env: { ...env, HERALD_WORKERS: '0' } });
    const logger = pino({ level: 'silent' });
    store = new SqliteStore(dbFile);
    engine = await startEngine({ config, logger, store });
    app = buildApp({
      dispatch: engine.dispatch,
      logger,
      bodyLimit: config.bodyLimitMb * MB,
      fileBodyLimit: config.fileBodyLimitMb * MB,
    });
    await app.ready();
  }

  async function call(
    method: string,
    body: Record<string, unknown>,
  ): Promise<{ status: number; json: Record<string, unknown> }> {
    const res = await app.inject({ method: 'POST', url: `/api/v1.1/${method}`, payload: body });
    return { status: res.statusCode, json: JSON.parse(res.body) as Record<string, unknown> };
  }

  const importOne = (token: string) =>
    call('campaigns/triggers/import_and_start', {
      token,
      trigger_id: 96,
      data: {
        email: 'cli@example.com',
        _fname: 'Cli',
        subscriptions: [{ channel: 'email', email: 'cli@example.com', resource_id: 21 }],
      },
    });

  beforeEach(async () => {
    expect((await herald(['apply', DEMO_PROVISION], env)).code).toBe(0);
    await openApi();
  });

  afterEach(async () => {
    await app.close();
    await engine.close();
  });

  it('token create --account 1 prints a new token that authenticates API calls', async () => {
    const unknown = await importOne('not-yet-minted-token');
    expect(unknown.status).toBe(401);

    const run = await herald(['token', 'create', '--account', '1'], env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const token = run.stdout.trim();
    expect(run.stdout).toBe(`${token}\n`);
    expect(token).toMatch(/^herald_[A-Za-z0-9_-]{32}$/);
    expect(token).not.toBe(TOKEN);
    // Stored hashed, with the write role.
    expect(
      query<{ account_id: number; role: string; revoked: number }>(
        'SELECT account_id, role, revoked FROM tokens WHERE hash = ?',
        hashToken(token),
      ),
    ).toEqual([{ account_id: 1, role: 'write', revoked: 0 }]);
    expect(query('SELECT hash FROM tokens WHERE hash = ?', token)).toEqual([]);

    const res = await importOne(token);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ error: 0, error_text: 'Successful operation' });
    expect(String(res.json.profile_id)).toMatch(/^[0-9a-f]{24}$/);
    const get = await call('profiles/get', { token, db_id: 1, email: 'cli@example.com' });
    expect(get.json.data).toMatchObject({ id: res.json.profile_id, _fname: 'Cli' });

    // Each call mints a different token.
    const second = await herald(['token', 'create', '--account', '1'], env);
    expect(second.stdout.trim()).not.toBe(token);
  });

  it('token create --role read mints a read-only token', async () => {
    const run = await herald(['token', 'create', '--account', '1', '--role', 'read'], env);
    expect(run.code).toBe(0);
    const token = run.stdout.trim();
    const write = await importOne(token);
    expect(write.status).toBe(403);
    expect(write.json).toMatchObject({ error: 403, error_text: 'Access denied' });
    const read = await call('profiles/get', { token, db_id: 1, email: 'nobody@example.com' });
    expect(read.status).toBe(404);
  });

  it('token create fails for an account that does not exist, or without --account', async () => {
    const before = query('SELECT hash FROM tokens');
    const run = await herald(['token', 'create', '--account', '999'], env);
    expect(run).toEqual({ code: 1, stdout: '', stderr: 'herald: account 999 does not exist\n' });
    const none = await herald(['token', 'create'], env);
    expect(none).toEqual({ code: 1, stdout: '', stderr: 'herald: token create needs --account ID\n' });
    const badRole = await herald(['token', 'create', '--account', '1', '--role', 'admin'], env);
    expect(badRole).toEqual({ code: 1, stdout: '', stderr: 'herald: --role must be read or write\n' });
    expect(query('SELECT hash FROM tokens')).toEqual(before);
  });

  it('token revoke TOKEN makes the token answer 401', async () => {
    const minted = (await herald(['token', 'create', '--account', '1'], env)).stdout.trim();
    expect((await importOne(minted)).status).toBe(200);

    const run = await herald(['token', 'revoke', minted], env);
    expect(run).toEqual({ code: 0, stdout: 'token revoked\n', stderr: '' });
    const res = await importOne(minted);
    expect(res.status).toBe(401);
    expect(res.json).toEqual({
      error: 401,
      error_debug: 'the API token is unknown or revoked',
      error_text: 'Invalid API token',
    });
    expect(query('SELECT revoked FROM tokens WHERE hash = ?', hashToken(minted))).toEqual([{ revoked: 1 }]);

    // The demo token, revoked the same way, stops working too; other tokens are untouched.
    expect((await importOne(TOKEN)).status).toBe(200);
    expect((await herald(['token', 'revoke', TOKEN], env)).code).toBe(0);
    expect((await importOne(TOKEN)).status).toBe(401);
  });

  it('token list shows each token by the start of its hash, with account, role and status; never the token', async () => {
    const minted = (await herald(['token', 'create', '--account', '1', '--role', 'read'], env)).stdout.trim();
    expect((await herald(['token', 'revoke', TOKEN], env)).code).toBe(0);
    const run = await herald(['token', 'list'], env);
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^HASH\s+ACCOUNT\s+ROLE\s+CREATED \(UTC\)\s+STATUS$/);
    const demo = lines.find((l) => l.startsWith(hashToken(TOKEN).slice(0, 12)));
    const mine = lines.find((l) => l.startsWith(hashToken(minted).slice(0, 12)));
    expect(demo).toMatch(/ 1 +write .* revoked \d{4}-\d\d-\d\d \d\d:\d\d$/);
    expect(mine).toMatch(/ 1 +read .* active$/);
    expect(run.stdout).not.toContain(TOKEN);
    expect(run.stdout).not.toContain(minted);
  });

  it('a revoked demo token stays revoked when the demo file is applied again', async () => {
    expect((await herald(['token', 'revoke', TOKEN], env)).code).toBe(0);
    expect((await herald(['apply', DEMO_PROVISION], env)).code).toBe(0);
    expect((await importOne(TOKEN)).status).toBe(401);
    expect(query('SELECT revoked FROM tokens WHERE hash = ?', hashToken(TOKEN))).toEqual([{ revoked: 1 }]);
  });

  it('token revoke of an unknown token exits 1', async () => {
    const run = await herald(['token', 'revoke', 'no-such-token'], env);
    expect(run).toEqual({ code: 1, stdout: 'no such token\n', stderr: '' });
    const missing = await herald(['token', 'revoke'], env);
    expect(missing).toEqual({ code: 1, stdout: '', stderr: 'herald: token revoke needs the TOKEN\n' });
  });
});

describe('usage', () => {
  it('an unknown command exits 1 with the usage', async () => {
    const run = await herald(['frobnicate'], env);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr.startsWith(`unknown command "frobnicate"\n\n${USAGE_LINE}\n`)).toBe(true);
    for (const cmd of ['serve', 'apply FILE', 'migrate', 'token create --account ID', 'token revoke TOKEN'])
      expect(run.stderr).toContain(cmd);
  });

  it('no command prints the usage and exits 1; --help exits 0', async () => {
    const none = await herald([], env);
    expect(none.code).toBe(1);
    expect(none.stdout.startsWith(USAGE_LINE)).toBe(true);
    const help = await herald(['--help'], env);
    expect(help.code).toBe(0);
    expect(help.stdout.startsWith(USAGE_LINE)).toBe(true);
  });

  it('an unknown option exits 1 with the usage and no stack trace', async () => {
    const run = await herald(['migrate', '--bogus'], env);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^herald: Unknown option '--bogus'/);
    expect(run.stderr).toContain(USAGE_LINE);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(dbFile)).toBe(false);
  });

  it('an unknown token subcommand exits 1', async () => {
    const run = await herald(['token', 'rotate'], env);
    expect(run).toEqual({ code: 1, stdout: '', stderr: 'herald: token needs create, revoke or list\n' });
  });

  it('--version prints the version of package.json', async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(await herald(['--version'], env)).toEqual({ code: 0, stdout: `herald ${pkg.version}\n`, stderr: '' });
  });

  it("<command> --help prints that command's help (exit 0), not the general usage, and touches no storage", async () => {
    for (const c of COMMANDS) {
      const run = await herald([...c.name.split(' '), '--help'], env);
      expect(run.code).toBe(0);
      expect(run.stdout).toBe(`${commandUsage(c.name)}\n`);
      expect(run.stdout.startsWith(`Usage: ${c.synopsis}\n`)).toBe(true);
      for (const [option] of c.options) expect(run.stdout).toContain(option);
    }
    const token = await herald(['token', '--help'], env);
    for (const sub of ['create', 'revoke', 'list']) expect(token.stdout).toContain(`Usage: herald token ${sub}`);
    const unknown = await herald(['frobnicate', '--help'], env);
    expect(unknown.code).toBe(1);
    expect(existsSync(dbFile)).toBe(false);
  });
});
